import XCTest
@testable import ClusterConfig

/// Reading values: defaults, every key, value syntaxes, node sections and the computed helpers.
final class ParsingTests: XCTestCase {
    func testEmptyFileGivesTheDefaults() throws {
        let config = try ClusterConfig.parse(text: "", fileName: "config.ini")
        XCTAssertEqual(config, ClusterConfig())
        XCTAssertEqual(config.nodeCount, 5)
        XCTAssertEqual(config.baseAddress, "127.0.0.1")
        XCTAssertEqual(config.basePort, 9001)
        XCTAssertEqual(config.gatewayPort, 8001)
        XCTAssertEqual(config.persistentStatePath, "raft_state/")
        XCTAssertFalse(config.faultInjection)
        XCTAssertNil(config.nodeThreads)
        XCTAssertEqual(config.tickMs, 10)
        XCTAssertEqual(config.electionTimeoutMinMs, 150)
        XCTAssertEqual(config.electionTimeoutMaxMs, 300)
        XCTAssertEqual(config.heartbeatIntervalMs, 50)
        XCTAssertTrue(config.preVote)
        XCTAssertTrue(config.checkQuorum)
        XCTAssertEqual(config.snapshotEntries, 100_000)
        XCTAssertEqual(config.snapshotBytes, 64 << 20)
        XCTAssertEqual(config.segmentBytes, 64 << 20)
        XCTAssertEqual(config.maxKeyBytes, 4096)
        XCTAssertEqual(config.maxValueBytes, 1 << 20)
        XCTAssertEqual(config.nodeAddressOverrides, [:])
        XCTAssertNoThrow(try ClusterConfig().validate())
    }

    func testEveryKeyIsRead() throws {
        let text = """
        [cluster]
        node_count = 3
        base_address = 10.1.2.3
        base_port = 7001
        gateway_port = 7100
        persistent_state_path = /var/lib/raftkv
        fault_injection = yes
        node_threads = 3

        [raft]
        tick_ms = 5
        election_timeout_min_ms = 200
        election_timeout_max_ms = 400
        heartbeat_interval_ms = 25
        prevote = false
        check_quorum = off

        [storage]
        snapshot_entries = 500
        snapshot_bytes = 8 MiB
        segment_bytes = 1048576

        [limits]
        max_key_bytes = 1KiB
        max_value_bytes = 2MiB

        [node.2]
        address = 10.0.0.2:9001
        """
        let config = try ClusterConfig.parse(text: text, fileName: "config.ini")
        var expected = ClusterConfig()
        expected.nodeCount = 3
        expected.baseAddress = "10.1.2.3"
        expected.basePort = 7001
        expected.gatewayPort = 7100
        expected.persistentStatePath = "/var/lib/raftkv"
        expected.faultInjection = true
        expected.nodeThreads = 3
        expected.tickMs = 5
        expected.electionTimeoutMinMs = 200
        expected.electionTimeoutMaxMs = 400
        expected.heartbeatIntervalMs = 25
        expected.preVote = false
        expected.checkQuorum = false
        expected.snapshotEntries = 500
        expected.snapshotBytes = 8 << 20
        expected.segmentBytes = 1 << 20
        expected.maxKeyBytes = 1024
        expected.maxValueBytes = 2 << 20
        expected.nodeAddressOverrides = [2: NodeAddress(host: "10.0.0.2", port: 9001)]
        XCTAssertEqual(config, expected)
    }

    func testCommentsBlankLinesAndWhitespace() throws {
        let text = """

        ; comment
           # indented comment
        [ raft ]
            tick_ms=5      ; five
        heartbeat_interval_ms   =	25

        """
        let config = try ClusterConfig.parse(text: text, fileName: "config.ini")
        XCTAssertEqual(config.tickMs, 5)
        XCTAssertEqual(config.heartbeatIntervalMs, 25)
    }

    func testBooleanSpellings() throws {
        for (text, value) in [("true", true), ("False", false), ("YES", true), ("no", false), ("on", true), ("off", false), ("1", true), ("0", false)] {
            let config = try ClusterConfig.parse(text: "[raft]\nprevote = \(text)\n", fileName: "config.ini")
            XCTAssertEqual(config.preVote, value, text)
        }
    }

    func testFaultInjectionIsOffWhenAbsent() throws {
        XCTAssertFalse(try ClusterConfig.parse(text: "[cluster]\nnode_count = 3\n", fileName: "c.ini").faultInjection)
        XCTAssertTrue(try ClusterConfig.parse(text: "[cluster]\nfault_injection = true\n", fileName: "c.ini").faultInjection)
    }

    func testNodeThreadsTakesAutoOrANumber() throws {
        XCTAssertNil(try ClusterConfig.parse(text: "[cluster]\nnode_threads = auto\n", fileName: "c.ini").nodeThreads)
        XCTAssertNil(try ClusterConfig.parse(text: "[cluster]\nnode_threads = AUTO\n", fileName: "c.ini").nodeThreads)
        XCTAssertEqual(try ClusterConfig.parse(text: "[cluster]\nnode_threads = 4\n", fileName: "c.ini").nodeThreads, 4)
    }

    func testAutoThreadsShareTheCoresOfAHostAmongItsNodes() throws {
        let local = ClusterConfig()
        XCTAssertEqual(local.threads(ofNode: 1, cores: 2), 1, "five nodes on two cores")
        XCTAssertEqual(local.threads(ofNode: 5, cores: 16), 3, "five nodes on sixteen cores")
        let spread = try ClusterConfig.parse(text: """
            [cluster]
            node_count = 3
            [node.2]
            address = 10.0.0.2:9001
            [node.3]
            address = 10.0.0.3:9001
            """, fileName: "c.ini")
        XCTAssertEqual(spread.threads(ofNode: 1, cores: 8), 8, "alone on its host")
        XCTAssertEqual(spread.threads(ofNode: 3, cores: 8), 8)
        let loopback = try ClusterConfig.parse(text: """
            [cluster]
            node_count = 3
            [node.2]
            address = localhost:9002
            [node.3]
            address = 127.0.0.3:9003
            """, fileName: "c.ini")
        XCTAssertEqual(loopback.threads(ofNode: 2, cores: 6), 2, "every loopback address is one host")
        var fixed = local
        fixed.nodeThreads = 2
        XCTAssertEqual(fixed.threads(ofNode: 1, cores: 64), 2, "a number is taken as it is")
    }

    func testIPv6NodeAddress() throws {
        let config = try ClusterConfig.parse(text: "[cluster]\nnode_count = 3\n[node.3]\naddress = [::1]:9500\n", fileName: "c.ini")
        XCTAssertEqual(config.nodeAddressOverrides[3], NodeAddress(host: "::1", port: 9500))
        XCTAssertEqual(config.nodeAddressOverrides[3]?.description, "[::1]:9500")
    }

    func testAddressHelpers() throws {
        let config = try ClusterConfig.parse(text: "[node.4]\naddress = db4.example:9400\n", fileName: "c.ini")
        XCTAssertEqual(config.nodeIDs, [1, 2, 3, 4, 5])
        XCTAssertTrue(config.address(ofNode: 1) == ("127.0.0.1", 9001))
        XCTAssertTrue(config.address(ofNode: 3) == ("127.0.0.1", 9003))
        XCTAssertTrue(config.address(ofNode: 4) == ("db4.example", 9400))
        XCTAssertTrue(config.address(ofNode: 5) == ("127.0.0.1", 9005))
        XCTAssertTrue(config.gatewayAddress == ("127.0.0.1", 8001))
    }

    func testTickHelpers() throws {
        let defaults = ClusterConfig()
        XCTAssertTrue(defaults.electionTimeoutTicks == (15, 30))
        XCTAssertEqual(defaults.heartbeatTicks, 5)
        let config = try ClusterConfig.parse(text: "[raft]\ntick_ms = 25\nelection_timeout_min_ms = 500\nelection_timeout_max_ms = 1000\nheartbeat_interval_ms = 100\n", fileName: "c.ini")
        XCTAssertTrue(config.electionTimeoutTicks == (20, 40))
        XCTAssertEqual(config.heartbeatTicks, 4)
    }

    func testShippedConfigParsesAndValidates() throws {
        let directory = try makeTemporaryDirectory(self)
        let shipped = try String(contentsOfFile: shippedConfigPath, encoding: .utf8)
        XCTAssertTrue(shipped.contains("persistent_state_path = raft_state/"))
        let path = directory + "/config.ini"
        try writeFile(path, shipped.replacingOccurrences(of: "persistent_state_path = raft_state/",
                                                           with: "persistent_state_path = \(directory)/state/"))
        let config = try ClusterConfig.load(path: path)
        var expected = ClusterConfig()
        expected.faultInjection = true
        expected.persistentStatePath = "\(directory)/state/"
        XCTAssertEqual(config, expected)
        XCTAssertTrue(isDirectory(directory + "/state"))
    }

    func testShippedConfigListsEveryKey() throws {
        let document = try IniParser.parse(try String(contentsOfFile: shippedConfigPath, encoding: .utf8), fileName: "config.ini")
        for key in ConfigKey.all {
            XCTAssertNotNil(document.entry(key.name, in: key.section), "config.ini lacks [\(key.section)] \(key.name)")
        }
    }
}
