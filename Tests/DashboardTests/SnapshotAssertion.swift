import Dashboard
import Foundation
import XCTest

/// Compares a rendered grid with a file in Snapshots/: the text of every row, then a map of the
/// cells' styles (one letter per cell, "." for plain, with a legend).
/// To re-record after an intended change: RAFTKV_RECORD_SNAPSHOTS=1 swift test --filter DashboardTests,
/// then review the diff of Tests/DashboardTests/Snapshots/.
enum SnapshotAssertion {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots")

    static func assertMatches(_ grid: Grid, named name: String, file: StaticString = #filePath, line: UInt = #line) {
        let actual = encode(grid)
        let url = directory.appendingPathComponent(name + ".txt")
        if ProcessInfo.processInfo.environment["RAFTKV_RECORD_SNAPSHOTS"] != nil {
            XCTAssertNoThrow(try actual.write(to: url, atomically: true, encoding: .utf8), file: file, line: line)
            return
        }
        guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
            XCTFail("no snapshot \(url.path); record it with RAFTKV_RECORD_SNAPSHOTS=1", file: file, line: line)
            return
        }
        if expected != actual {
            let firstDifference = zip(expected.split(separator: "\n", omittingEmptySubsequences: false),
                                      actual.split(separator: "\n", omittingEmptySubsequences: false))
                .enumerated().first { $0.element.0 != $0.element.1 }
            let where_ = firstDifference.map { "line \($0.offset + 1):\n  expected: \($0.element.0)\n  actual:   \($0.element.1)" } ?? "lengths differ"
            XCTFail("\(name) differs from its snapshot at \(where_)\n(re-record with RAFTKV_RECORD_SNAPSHOTS=1 if the change is intended)", file: file, line: line)
        }
    }

    static func encode(_ grid: Grid) -> String {
        var legend: [CellStyle] = []
        var styleRows: [String] = []
        let letters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        for row in 0..<grid.height {
            var text = ""
            for column in 0..<grid.width {
                let style = grid[row, column].style
                if style == .plain { text.append("."); continue }
                if !legend.contains(style) { legend.append(style) }
                text.append(letters[legend.firstIndex(of: style)! % letters.count])
            }
            styleRows.append(text)
        }
        let legendLines = legend.enumerated().map { "\(letters[$0.offset % letters.count]) = \(describe($0.element))" }
        return (grid.lines + ["--- styles ---"] + styleRows + ["--- legend ---"] + legendLines).joined(separator: "\n") + "\n"
    }

    private static func describe(_ style: CellStyle) -> String {
        var parts: [String] = []
        if let foreground = style.foreground { parts.append("fg \(foreground)") }
        if let background = style.background { parts.append("bg \(background)") }
        if style.bold { parts.append("bold") }
        if style.dim { parts.append("dim") }
        if style.reverse { parts.append("reverse") }
        if style.underline { parts.append("underline") }
        return parts.joined(separator: " ")
    }
}
