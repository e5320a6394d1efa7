import XCTest
@testable import ClusterConfig

/// Unknown sections and keys, values of the wrong type and values out of range.
final class KeyAndValueErrorTests: XCTestCase {
    func testUnknownSectionSuggestsTheNearMiss() {
        assertError("[cluster]\nnode_count = 5\n[raf]\n", .unknownSection, line: 3, contains: ["config.ini:3:", "unknown section [raf]", "did you mean [raft]?"])
    }

    func testUnknownSectionWithoutNearMissListsTheSections() {
        assertError("[network]\n", .unknownSection, line: 1, contains: ["unknown section [network]", "[cluster], [raft], [storage], [limits] and [node.N]"])
    }

    func testNodeSectionNeedsANodeID() {
        assertError("[node.x]\naddress = a:1\n", .unknownSection, line: 1, contains: ["[node.x] does not name a node"])
        assertError("[node.0]\n", .unknownSection, line: 1, contains: ["[node.0]"])
        assertError("[node.10]\n", .unknownSection, line: 1, contains: ["[node.10]"])
    }

    func testUnknownKeySuggestsTheNearMiss() {
        assertError("[raft]\ntick_ms = 10\nelecton_timeout_min_ms = 150\n", .unknownKey, line: 3,
                    contains: ["config.ini:3:", "unknown key electon_timeout_min_ms in [raft]", "did you mean election_timeout_min_ms?"])
        assertError("[cluster]\nBase_Port = 9001\n", .unknownKey, line: 2, contains: ["did you mean base_port?"])
    }

    func testKeyInTheWrongSectionNamesItsSection() {
        assertError("[cluster]\nprevote = true\n", .unknownKey, line: 2, contains: ["prevote belongs in [raft]"])
    }

    func testNearMissInAnotherSection() {
        assertError("[cluster]\nsnapshot_entrys = 5\n", .unknownKey, line: 2, contains: ["did you mean snapshot_entries (in [storage])?"])
    }

    func testUnknownKeyWithoutNearMissListsTheKeys() {
        assertError("[limits]\ncolour = blue\n", .unknownKey, line: 2, contains: ["unknown key colour in [limits]", "max_key_bytes, max_value_bytes"])
    }

    func testUnknownKeyInNodeSection() {
        assertError("[node.2]\nadress = 10.0.0.2:9001\n", .unknownKey, line: 2, contains: ["did you mean address?"])
    }

    func testBadNumber() {
        assertError("[cluster]\nbase_port = 90x1\n", .invalidValue, line: 2, contains: ["config.ini:2: base_port = 90x1 is not a whole number", "digits only"])
        assertError("[raft]\ntick_ms =\n", .invalidValue, line: 2, contains: ["tick_ms has no value", "tick_ms = 10"])
        assertError("[raft]\ntick_ms = 1.5\n", .invalidValue, line: 2, contains: ["not a whole number"])
    }

    func testBadNodeThreads() {
        assertError("[cluster]\nnode_threads = many\n", .invalidValue, line: 2, contains: ["node_threads = many is neither a whole number nor auto", "node_threads = auto"])
        assertError("[cluster]\nnode_threads =\n", .invalidValue, line: 2, contains: ["node_threads has no value", "node_threads = auto"])
        assertError("[cluster]\nnode_threads = 0\n", .outOfRange, line: 2, contains: ["node_threads = 0 is out of range 1...256", "choose auto or a value"])
        assertError("[cluster]\nnode_threads = 257\n", .outOfRange, line: 2, contains: ["node_threads = 257 is out of range 1...256"])
    }

    func testBadSize() {
        assertError("[storage]\nsegment_bytes = 64MB\n", .invalidValue, line: 2, contains: ["segment_bytes = 64MB is not a size in bytes", "KiB, MiB or GiB", "64MiB"])
    }

    func testBadBoolean() {
        assertError("[raft]\ncheck_quorum = maybe\n", .invalidValue, line: 2, contains: ["check_quorum = maybe is not a boolean", "true or check_quorum = false"])
    }

    func testBadNodeAddress() {
        for bad in ["10.0.0.2", "10.0.0.2:", ":9001", "host:port", "::1:9001", "[::1]9001"] {
            assertError("[node.2]\naddress = \(bad)\n", .invalidValue, line: 2, contains: ["address = \(bad) is not host:port"])
        }
    }

    func testDuplicateNodeSectionsSpelledDifferently() {
        assertError("[node.2]\naddress = a:1\n[node.02]\naddress = b:2\n", .duplicateKey, line: 4, contains: ["node 2's address is set twice", "config.ini:2"])
    }

    func testNodeCountRange() throws {
        assertError("[cluster]\nnode_count = 0\n", .outOfRange, line: 2, contains: ["node_count = 0 is out of range 1...9", "odd count"])
        assertError("[cluster]\nnode_count = 10\n", .outOfRange, line: 2, contains: ["node_count = 10 is out of range 1...9"])
        for count in 1...9 {
            XCTAssertEqual(try ClusterConfig.parse(text: "[cluster]\nnode_count = \(count)\n", fileName: "c.ini").nodeCount, count)
        }
    }

    func testPortRanges() {
        assertError("[cluster]\nbase_port = 0\n", .outOfRange, line: 2, contains: ["base_port = 0 is out of range 1...65535"])
        assertError("[cluster]\ngateway_port = 65536\n", .outOfRange, line: 2, contains: ["gateway_port = 65536 is out of range 1...65535"])
        assertError("[cluster]\nbase_port = -1\n", .outOfRange, line: 2, contains: ["base_port = -1 is out of range"])
        assertError("[node.1]\naddress = h:70000\n", .outOfRange, line: 2, contains: ["port 70000, outside 1...65535"])
    }

    func testLastNodePortMustFit() {
        assertError("[cluster]\n\nbase_port = 65534\n", .outOfRange, line: 3, contains: ["base_port = 65534 puts node 5 on port 65538", "at most 65531"])
        XCTAssertNoThrow(try ClusterConfig.parse(text: "[cluster]\nbase_port = 65531\n", fileName: "c.ini"))
    }

    func testOtherRanges() {
        assertError("[raft]\ntick_ms = 0\n", .outOfRange, line: 2, contains: ["tick_ms = 0 is out of range 1...1000"])
        assertError("[storage]\nsnapshot_entries = 0\n", .outOfRange, line: 2, contains: ["snapshot_entries = 0 is out of range"])
        assertError("[storage]\nsegment_bytes = 1KiB\n", .outOfRange, line: 2, contains: ["segment_bytes = 1024 is out of range 64KiB...1GiB"])
        assertError("[limits]\nmax_key_bytes = 0\n", .outOfRange, line: 2, contains: ["max_key_bytes = 0 is out of range 1...64KiB"])
        assertError("[limits]\nmax_value_bytes = 1GiB\n", .outOfRange, line: 2, contains: ["max_value_bytes = 1073741824 is out of range 1...64MiB"])
    }

    func testEmptyTextValues() {
        assertError("[cluster]\npersistent_state_path =\n", .invalidValue, line: 2, contains: ["persistent_state_path is empty", "raft_state/"])
        assertError("[cluster]\nbase_address =\n", .invalidValue, line: 2, contains: ["base_address is empty"])
        assertError("[cluster]\nbase_address = 127.0.0.1 x\n", .invalidValue, line: 2, contains: ["contains a space"])
    }

    func testNodeSectionBeyondNodeCount() {
        assertError("[cluster]\nnode_count = 3\n[node.5]\naddress = 10.0.0.5:9001\n", .inconsistent, line: 4,
                    contains: ["[node.5] sets an address but node_count = 3", "raise node_count to 5"])
    }
}
