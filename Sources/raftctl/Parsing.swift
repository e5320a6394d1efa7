import ClusterConfig

/// A malformed command-line value, with what is wrong and how to write it instead.
struct ArgumentProblem: Error, CustomStringConvertible, Equatable {
    var description: String
    init(_ description: String) { self.description = description }
}

/// `--endpoints host:port[,host:port...]`.
enum EndpointList {
    static func parse(_ text: String) throws(ArgumentProblem) -> [NodeAddress] {
        let items = text.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingSpaces() }
        var addresses: [NodeAddress] = []
        for item in items {
            guard !item.isEmpty else {
                throw ArgumentProblem("empty entry in '\(text)'; separate host:port pairs with single commas")
            }
            guard let address = NodeAddress(parsing: item), (1...65535).contains(address.port) else {
                throw ArgumentProblem("'\(item)' is not host:port (for example 127.0.0.1:9001)")
            }
            if addresses.contains(address) {
                throw ArgumentProblem("\(item) is listed twice")
            }
            addresses.append(address)
        }
        return addresses
    }
}

/// Durations such as `500ms`, `5s`, `1m` or `2.5` (seconds).
enum DurationText {
    static func parse(_ text: String) -> Duration? {
        let units: [(suffix: String, seconds: Double)] = [("ms", 0.001), ("s", 1), ("m", 60)]
        var number = text
        var scale = 1.0
        for unit in units where text.hasSuffix(unit.suffix) {
            number = String(text.dropLast(unit.suffix.count))
            scale = unit.seconds
            break
        }
        guard let value = Double(number), value.isFinite, value > 0 else { return nil }
        return .milliseconds(Int64((value * scale * 1000).rounded()))
    }

    /// `5s`, `500ms`, `1.5s`.
    static func format(_ duration: Duration) -> String {
        let ms = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        if ms % 1000 == 0 { return "\(ms / 1000)s" }
        if ms < 1000 { return "\(ms)ms" }
        return "\(Double(ms) / 1000)s"
    }
}

/// A partition such as `1,2,3/4,5`: groups of node ids separated by `/`, ids by `,`. Nodes in
/// different groups cannot talk to each other; nodes in one group can.
struct PartitionSpec: Equatable {
    var groups: [[Int]]

    /// Parses and checks a spec against the cluster's node ids: at least two non-empty groups,
    /// every id a node of the cluster, no id twice, and every node in some group.
    static func parse(_ text: String, nodes: [Int]) throws(ArgumentProblem) -> PartitionSpec {
        let example = "for example 1,2,3/4,5"
        let trimmed = text.trimmingSpaces()
        guard !trimmed.isEmpty else { throw ArgumentProblem("the partition spec is empty; give groups of node ids, \(example)") }
        let groupTexts = trimmed.split(separator: "/", omittingEmptySubsequences: false)
        guard groupTexts.count >= 2 else {
            throw ArgumentProblem("'\(text)' is a single group, which cuts nothing off; separate two or more groups with '/', \(example)")
        }
        var groups: [[Int]] = []
        var seen: Set<Int> = []
        for (position, groupText) in groupTexts.enumerated() {
            let idTexts = groupText.split(separator: ",", omittingEmptySubsequences: false)
                .map { $0.trimmingSpaces() }
            if idTexts.allSatisfy(\.isEmpty) {
                throw ArgumentProblem("group \(position + 1) of '\(text)' is empty; every group needs at least one node id, \(example)")
            }
            var group: [Int] = []
            for idText in idTexts {
                guard !idText.isEmpty else {
                    throw ArgumentProblem("empty node id in '\(text)'; separate ids with single commas, \(example)")
                }
                guard let id = Int(idText), id > 0 else {
                    throw ArgumentProblem("'\(idText)' is not a node id; ids are positive numbers, \(example)")
                }
                guard nodes.contains(id) else {
                    throw ArgumentProblem("node \(id) is not in this cluster (nodes: \(nodes.map(String.init).joined(separator: ",")))")
                }
                guard seen.insert(id).inserted else {
                    throw ArgumentProblem("node \(id) appears more than once in '\(text)'; put each node in exactly one group")
                }
                group.append(id)
            }
            groups.append(group)
        }
        let missing = nodes.filter { !seen.contains($0) }
        if !missing.isEmpty {
            let list = missing.map(String.init).joined(separator: ",")
            throw ArgumentProblem("node\(missing.count == 1 ? "" : "s") \(list) \(missing.count == 1 ? "is" : "are") in no group; list every node in one group (\(example))")
        }
        return PartitionSpec(groups: groups)
    }

    /// For each node, the nodes it is cut off from: everyone in the other groups.
    var cuts: [(node: Int, peers: [Int])] {
        groups.enumerated().flatMap { index, group in
            let others = groups.enumerated().filter { $0.offset != index }.flatMap(\.element).sorted()
            return group.map { (node: $0, peers: others) }
        }
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces.
    func trimmingSpaces() -> String {
        var slice = Substring(self)
        while slice.first == " " { slice = slice.dropFirst() }
        while slice.last == " " { slice = slice.dropLast() }
        return String(slice)
    }
}

/// Moves global options written before the command name to just after it, where the command's
/// parser expects them: `--timeout 2s put k v` becomes `put --timeout 2s k v`.
enum GlobalOptionOrder {
    static let takingValue: Set<String> = ["--config", "--endpoints", "--timeout", "-w", "--write-out"]

    static func commandFirst(_ arguments: [String]) -> [String] {
        var leading: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            let name = argument.split(separator: "=", maxSplits: 1).first.map(String.init) ?? argument
            guard takingValue.contains(name) else { break }
            leading.append(argument)
            if !argument.contains("="), index + 1 < arguments.count {
                leading.append(arguments[index + 1])
                index += 1
            }
            index += 1
        }
        guard !leading.isEmpty, index < arguments.count, !arguments[index].hasPrefix("-") else { return arguments }
        return [arguments[index]] + leading + arguments[(index + 1)...]
    }
}
