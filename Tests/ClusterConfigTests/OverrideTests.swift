import XCTest
@testable import ClusterConfig

/// Command-line overrides by config.ini key name.
final class OverrideTests: XCTestCase {
    private let fileText = "[cluster]\nbase_port = 9001\n[raft]\nheartbeat_interval_ms = 50\n"

    func testBareQualifiedAndFlagSpellings() throws {
        var config = try ClusterConfig.parse(text: fileText, fileName: "config.ini")
        try config.apply(overrides: ["--base-port": "9101", "raft.tick_ms": "5", "prevote": "false", "storage.segment_bytes": "1MiB"])
        XCTAssertEqual(config.basePort, 9101)
        XCTAssertEqual(config.tickMs, 5)
        XCTAssertFalse(config.preVote)
        XCTAssertEqual(config.segmentBytes, 1 << 20)
        XCTAssertTrue(config.address(ofNode: 2) == ("127.0.0.1", 9102))
    }

    func testNodeAddressOverride() throws {
        var config = try ClusterConfig.parse(text: "[node.2]\naddress = 10.0.0.2:9001\n", fileName: "config.ini")
        try config.apply(overrides: ["node.2.address": "10.0.0.22:9001", "node.3.address": "10.0.0.3:9001"])
        XCTAssertEqual(config.nodeAddressOverrides, [2: NodeAddress(host: "10.0.0.22", port: 9001), 3: NodeAddress(host: "10.0.0.3", port: 9001)])
    }

    func testOverridesAreValidatedAndBlameTheCommandLine() throws {
        var config = try ClusterConfig.parse(text: fileText, fileName: "config.ini")
        let before = config
        XCTAssertThrowsError(try config.apply(overrides: ["heartbeat-interval-ms": "200"])) { error in
            XCTAssertEqual("\(error)", "command line: heartbeat_interval_ms = 200 must be well below election_timeout_min_ms = 150 (at most a third of it); lower heartbeat_interval_ms or raise the election timeout")
        }
        XCTAssertEqual(config, before)
        XCTAssertThrowsError(try config.apply(overrides: ["gateway_port": "9002"])) { error in
            XCTAssertEqual((error as! ConfigError).kind, .addressConflict)
        }
        XCTAssertThrowsError(try config.apply(overrides: ["base_port": "x"])) { error in
            XCTAssertTrue("\(error)".hasPrefix("command line: base_port = x is not a whole number"), "\(error)")
        }
    }

    func testOverrideFixesWhatTheFileBroke() throws {
        var config = ClusterConfig()
        config.heartbeatIntervalMs = 100
        try config.apply(overrides: ["election_timeout_min_ms": "300", "election_timeout_max_ms": "600"])
        XCTAssertEqual(config.electionTimeoutTicks.min, 30)
    }

    func testErrorsAboutFileValuesStillNameTheirLine() throws {
        var config = try ClusterConfig.parse(text: fileText, fileName: "config.ini")
        XCTAssertThrowsError(try config.apply(overrides: ["election_timeout_min_ms": "120", "election_timeout_max_ms": "300"])) { error in
            XCTAssertTrue("\(error)".hasPrefix("config.ini:4: heartbeat_interval_ms = 50 must be well below election_timeout_min_ms = 120"), "\(error)")
        }
    }

    func testUnknownOverrideNames() throws {
        var config = ClusterConfig()
        XCTAssertThrowsError(try config.apply(overrides: ["--base-prot": "1"])) { error in
            XCTAssertEqual("\(error)", "command line: unknown setting --base-prot; did you mean base_port?")
        }
        XCTAssertThrowsError(try config.apply(overrides: ["address": "h:1"])) { error in
            XCTAssertTrue("\(error)".contains("node.N.address"), "\(error)")
        }
        XCTAssertThrowsError(try config.apply(overrides: ["raft.base_port": "1"])) { error in
            XCTAssertTrue("\(error)".contains("base_port belongs in [cluster]"), "\(error)")
        }
        XCTAssertThrowsError(try config.apply(overrides: ["clustr.base_port": "1"])) { error in
            XCTAssertTrue("\(error)".contains("did you mean [cluster]?"), "\(error)")
        }
    }

    func testCustomSourceLabel() throws {
        var config = ClusterConfig()
        XCTAssertThrowsError(try config.apply(overrides: ["node_count": "11"], source: "RAFTKV_NODE_COUNT")) { error in
            XCTAssertTrue("\(error)".hasPrefix("RAFTKV_NODE_COUNT: node_count = 11 is out of range"), "\(error)")
        }
    }
}
