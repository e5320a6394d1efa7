import Foundation
import GRPCCore
import XCTest

/// Real `raftd node` processes: basic operations, leader failure, persistence across full
/// restarts.
final class BasicClusterTests: ProcessClusterTestCase {
    override func setUp() async throws {
        try await startCluster(nodes: 5)
    }

    func testPutGetDeleteCompareAndSwap() async throws {
        let index = try await client.put("a", "1")
        XCTAssertGreaterThan(index, 0)
        let read = try await client.get("a")
        XCTAssertEqual(read, "1")
        let swapWrong = try await client.compareAndSwap("a", expected: "2", new: "3")
        XCTAssertFalse(swapWrong)
        let swapRight = try await client.compareAndSwap("a", expected: "1", new: "3")
        XCTAssertTrue(swapRight)
        let afterSwap = try await client.get("a")
        XCTAssertEqual(afterSwap, "3")
        let createOnly = try await client.compareAndSwap("b", expected: nil, new: "x")
        XCTAssertTrue(createOnly)
        let existed = try await client.delete("a")
        XCTAssertTrue(existed)
        let gone = try await client.get("a")
        XCTAssertNil(gone)
        let existedAgain = try await client.delete("a")
        XCTAssertFalse(existedAgain)
    }

    func testOversizedKeyIsRejectedWithTheLimit() async throws {
        do {
            _ = try await client.put(String(repeating: "k", count: 5000), "v")
            XCTFail("an oversized key was accepted")
        } catch let error as RPCError {
            XCTAssertEqual(error.code, .invalidArgument)
            XCTAssertTrue(error.message.contains("4096"), error.message)
        }
    }

    func testLeaderFailureLosesNoAcknowledgedWrite() async throws {
        var acknowledged: [String: String] = [:]
        for i in 0..<20 {
            _ = try await client.put("k\(i)", "v\(i)")
            acknowledged["k\(i)"] = "v\(i)"
        }
        let old = try await client.awaitLeader()
        cluster.kill(old)
        let new = try await client.awaitLeader(timeout: .seconds(10))
        XCTAssertNotEqual(new, old)
        _ = try await client.put("after", "failover")
        acknowledged["after"] = "failover"
        for (key, value) in acknowledged {
            let read = try await client.get(key)
            XCTAssertEqual(read, value, "acknowledged write \(key) lost")
        }
    }

    func testPersistenceAcrossThreeFullClusterKills() async throws {
        var acknowledged: [String: String] = [:]
        for round in 0..<3 {
            for i in 0..<10 {
                _ = try await client.put("r\(round)-\(i)", "v\(i)")
                acknowledged["r\(round)-\(i)"] = "v\(i)"
            }
            cluster.killAll()
            try cluster.startAll()
            _ = try await client.awaitLeader(timeout: .seconds(15))
            for (key, value) in acknowledged {
                let read = try await client.get(key)
                XCTAssertEqual(read, value, "round \(round): \(key) lost after a full-cluster kill -9")
            }
        }
    }
}
