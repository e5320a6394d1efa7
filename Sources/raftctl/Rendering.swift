import Foundation
import RaftClient

/// A JSON value with object keys kept in the order given, so output is stable and readable.
indirect enum JSONValue: Equatable {
    case string(String)
    case number(UInt64)
    case bool(Bool)
    case null
    case array([JSONValue])
    case object([(String, JSONValue)])

    static func == (lhs: JSONValue, rhs: JSONValue) -> Bool { lhs.rendered() == rhs.rendered() }

    /// Compact JSON text on one line.
    func rendered() -> String {
        switch self {
        case .string(let text): return JSONValue.quote(text)
        case .number(let value): return String(value)
        case .bool(let value): return value ? "true" : "false"
        case .null: return "null"
        case .array(let items): return "[" + items.map { $0.rendered() }.joined(separator: ",") + "]"
        case .object(let fields):
            return "{" + fields.map { JSONValue.quote($0.0) + ":" + $0.1.rendered() }.joined(separator: ",") + "}"
        }
    }

    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

/// A bordered text table in the style of `etcdctl -w table`.
enum TextTable {
    static func render(header: [String], rows: [[String]]) -> String {
        var widths = header.map(\.count)
        for row in rows {
            for (column, cell) in row.enumerated() where column < widths.count {
                widths[column] = max(widths[column], cell.count)
            }
        }
        let rule = "+" + widths.map { String(repeating: "-", count: $0 + 2) }.joined(separator: "+") + "+"
        func line(_ cells: [String], center: Bool) -> String {
            "|" + widths.enumerated().map { column, width in
                let cell = column < cells.count ? cells[column] : ""
                let space = width - cell.count
                let left = center ? space / 2 : 0
                return " " + String(repeating: " ", count: left) + cell + String(repeating: " ", count: space - left) + " "
            }.joined(separator: "|") + "|"
        }
        var lines = [rule, line(header, center: true), rule]
        lines += rows.map { line($0, center: false) }
        lines.append(rule)
        return lines.joined(separator: "\n")
    }
}

/// One line of `raftctl status`: a node's answer, or why there is none.
struct StatusRow: Equatable {
    var endpoint: String
    var id: UInt64?
    var role: String = ""
    var term: UInt64 = 0
    var lastIndex: UInt64 = 0
    var commit: UInt64 = 0
    var applied: UInt64 = 0
    var leader: UInt64 = 0
    var errors: [String] = []

    static let header = ["ENDPOINT", "ID", "ROLE", "TERM", "LAST INDEX", "COMMIT", "APPLIED", "LEADER", "ERRORS"]

    var reachable: Bool { id != nil }

    var cells: [String] {
        guard let id else { return [endpoint, "", "", "", "", "", "", "", errors.joined(separator: "; ")] }
        return [endpoint, String(id), role, String(term), String(lastIndex), String(commit), String(applied),
                leader == 0 ? "none" : String(leader), errors.joined(separator: "; ")]
    }

    var json: JSONValue {
        func number(_ value: UInt64) -> JSONValue { reachable ? .number(value) : .null }
        return .object([
            ("endpoint", .string(endpoint)),
            ("id", id.map(JSONValue.number) ?? .null),
            ("role", reachable ? .string(role) : .null),
            ("term", number(term)),
            ("last_index", number(lastIndex)),
            ("commit", number(commit)),
            ("applied", number(applied)),
            ("leader", reachable && leader != 0 ? .number(leader) : .null),
            ("errors", .array(errors.map(JSONValue.string))),
        ])
    }

    /// The rows in the chosen format; `simple` is one comma-separated line per endpoint, like etcdctl.
    static func render(_ rows: [StatusRow], as format: OutputFormat) -> String {
        switch format {
        case .table: return TextTable.render(header: header, rows: rows.map(\.cells))
        case .json: return JSONValue.array(rows.map(\.json)).rendered()
        case .simple: return rows.map { $0.cells.joined(separator: ", ") }.joined(separator: "\n")
        }
    }
}

/// The result of a key-value command, rendered in each output format.
struct KVResult {
    /// What `-w simple` prints, as bytes so values need not be text; nil prints nothing.
    var simple: [UInt8]?
    /// Field names and values for `-w table` and `-w json`.
    var fields: [(String, JSONValue)]

    func render(as format: OutputFormat) -> [UInt8]? {
        switch format {
        case .simple: return simple
        case .json: return Array(JSONValue.object(fields).rendered().utf8) + [0x0A]
        case .table:
            let header = fields.map { $0.0.uppercased().replacingOccurrences(of: "_", with: " ") }
            let row = fields.map { field -> String in
                switch field.1 {
                case .string(let text): return text
                case .null: return ""
                default: return field.1.rendered()
                }
            }
            return Array(TextTable.render(header: header, rows: [row]).utf8) + [0x0A]
        }
    }
}

/// Bytes in JSON: a string when they are UTF-8, else base64 under a `_base64` key.
func bytesField(_ name: String, _ bytes: [UInt8]) -> (String, JSONValue) {
    if let text = String(validating: bytes, as: UTF8.self) { return (name, .string(text)) }
    return (name + "_base64", .string(Data(bytes).base64EncodedString()))
}
