import Foundation
import GRPCCore
import RaftProto
import XCTest

/// The Control API's DegradeLinks: with every node's messages delayed, reordered and partly
/// dropped the cluster still commits and reads its writes; bad parameters are refused; Heal ends it.
final class LinkDegradationTests: ProcessClusterTestCase {
    override func setUp() async throws {
        try await startCluster(nodes: 3)
    }

    private func degrade(_ id: Int, delayMs: UInt32, jitterMs: UInt32, lossPercent: UInt32) async throws {
        var request = Raftkv_V1_DegradeLinksRequest()
        request.delayMs = delayMs
        request.jitterMs = jitterMs
        request.lossPercent = lossPercent
        _ = try await client.control(id).degradeLinks(request)
    }

    func testWritesCommitThroughDelayReorderingAndLoss() async throws {
        for id in cluster.nodeIDs { try await degrade(id, delayMs: 5, jitterMs: 20, lossPercent: 20) }
        for i in 0..<20 { _ = try await client.put("k\(i)", "v\(i)") }
        for i in 0..<20 {
            let value = try await client.get("k\(i)")
            XCTAssertEqual(value, "v\(i)")
        }
        for id in cluster.nodeIDs { _ = try await client.control(id).heal(Raftkv_V1_HealRequest()) }
        let started = ContinuousClock.now
        _ = try await client.put("after", "heal")
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(5))
    }

    func testParametersOutOfRangeAreRefused() async throws {
        let leader = try await client.awaitLeader()
        do {
            try await degrade(leader, delayMs: 0, jitterMs: 0, lossPercent: 101)
            XCTFail("a loss above 100% was accepted")
        } catch let error as RPCError {
            XCTAssertEqual(error.code, .invalidArgument, "\(error)")
            XCTAssertTrue(error.message.contains("percentage"), error.message)
        }
        do {
            try await degrade(leader, delayMs: 60_000, jitterMs: 0, lossPercent: 0)
            XCTFail("a one-minute delay was accepted")
        } catch let error as RPCError {
            XCTAssertEqual(error.code, .invalidArgument, "\(error)")
        }
    }
}
