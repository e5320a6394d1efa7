import XCTest
@testable import ClusterConfig

/// Two nodes, or a node and the gateway, may not share a host and port.
final class AddressValidationTests: XCTestCase {
    func testGatewayOnANodePort() {
        assertError("[cluster]\ngateway_port = 9003\n", .addressConflict, line: 2,
                    contains: ["gateway_port = 9003 puts the gateway on 127.0.0.1:9003, where node 3 also listens", "outside the nodes' ports 9001...9005"])
    }

    func testBasePortMovedOntoTheGateway() {
        assertError("[cluster]\nbase_port = 8000\n", .addressConflict, line: 2,
                    contains: ["base_port = 8000 puts node 2 on 127.0.0.1:8001, where the gateway also listens", "avoid 8001"])
    }

    func testNodeOverrideOnAnotherNodesAddress() {
        assertError("[node.3]\naddress = 127.0.0.1:9001\n", .addressConflict, line: 2,
                    contains: ["[node.3] address = 127.0.0.1:9001 puts node 3 on 127.0.0.1:9001, where node 1 also listens", "its own host:port"])
    }

    func testEarlierOverrideIsBlamedOverALaterDefault() {
        assertError("[node.1]\naddress = 127.0.0.1:9005\n", .addressConflict, line: 2, contains: ["puts node 1 on 127.0.0.1:9005, where node 5 also listens"])
    }

    func testTwoOverridesOnTheSameAddress() {
        assertError("[node.1]\naddress = db.example:9000\n[node.2]\naddress = DB.example:9000\n", .addressConflict, line: 4,
                    contains: ["puts node 2 on DB.example:9000, where node 1 also listens"])
    }

    func testLocalhostIsLoopback() {
        assertError("[node.2]\naddress = localhost:9001\n", .addressConflict, line: 2, contains: ["where node 1 also listens"])
    }

    func testSamePortOnDifferentHostsIsFine() throws {
        let text = "[cluster]\nnode_count = 3\n[node.1]\naddress = 10.0.0.1:9001\n[node.2]\naddress = 10.0.0.2:9001\n[node.3]\naddress = 10.0.0.3:9001\n"
        let config = try ClusterConfig.parse(text: text, fileName: "c.ini")
        XCTAssertTrue(config.address(ofNode: 2) == ("10.0.0.2", 9001))
    }
}
