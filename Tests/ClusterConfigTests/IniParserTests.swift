import XCTest
@testable import ClusterConfig

/// The INI syntax: sections, keys, comments, whitespace and line numbers.
final class IniParserTests: XCTestCase {
    func testKeepsSectionsKeysAndLineNumbers() throws {
        let text = """
        ; leading comment
        # another comment

        [cluster]
          node_count   =   3  
        \tbase_address=10.0.0.1
        [raft]
        tick_ms = 20 ; trailing comment
        """
        let document = try IniParser.parse(text, fileName: "demo.ini")
        XCTAssertEqual(document.sections.map(\.name), ["cluster", "raft"])
        XCTAssertEqual(document.sections.map(\.location.line), [4, 7])
        XCTAssertEqual(document.entries, [
            IniEntry(section: "cluster", key: "node_count", value: "3", location: SourceLocation(file: "demo.ini", line: 5)),
            IniEntry(section: "cluster", key: "base_address", value: "10.0.0.1", location: SourceLocation(file: "demo.ini", line: 6)),
            IniEntry(section: "raft", key: "tick_ms", value: "20", location: SourceLocation(file: "demo.ini", line: 8)),
        ])
    }

    func testWindowsLineEndingsCountLinesTheSame() throws {
        let document = try IniParser.parse("[raft]\r\n\r\ntick_ms = 5\r\n", fileName: "c.ini")
        XCTAssertEqual(document.entry("tick_ms", in: "raft")?.value, "5")
        XCTAssertEqual(document.entry("tick_ms", in: "raft")?.location.line, 3)
    }

    func testCommentCharacterInsideAValueIsKept() throws {
        let document = try IniParser.parse("[cluster]\npersistent_state_path = data#1;x\n", fileName: "c.ini")
        XCTAssertEqual(document.entry("persistent_state_path", in: "cluster")?.value, "data#1;x")
    }

    func testLineWithoutEqualsIsASyntaxError() {
        assertError("[cluster]\n\nnode_count 5\n", .syntax, line: 3, contains: ["config.ini:3:", "node_count 5", "key = value"])
    }

    func testUnclosedSectionHeader() {
        assertError("[cluster\nnode_count = 5\n", .syntax, line: 1, contains: ["missing its closing ]"])
    }

    func testEmptySectionHeader() {
        assertError("[]\n", .syntax, line: 1, contains: ["empty section header"])
    }

    func testKeyBeforeAnySection() {
        assertError("; header\nnode_count = 5\n", .syntax, line: 2, contains: ["before any [section]"])
    }

    func testEmptyKey() {
        assertError("[cluster]\n= 5\n", .syntax, line: 2, contains: ["no key"])
    }

    func testDuplicateKeyNamesBothLines() {
        let text = "[cluster]\nbase_port = 9001\n\n[raft]\ntick_ms = 10\n[cluster]\nbase_port = 9101\n"
        assertError(text, .duplicateKey, line: 7, contains: ["config.ini:7:", "base_port is set twice in [cluster]", "first on line 2", "keep one"])
    }

    func testSameKeyNameInDifferentSectionsIsNotADuplicate() throws {
        let document = try IniParser.parse("[node.1]\naddress = a:1\n[node.2]\naddress = b:2\n", fileName: "c.ini")
        XCTAssertEqual(document.entries.count, 2)
    }
}
