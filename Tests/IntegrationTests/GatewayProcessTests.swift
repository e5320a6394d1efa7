import Foundation
import GRPCCore
import RaftProto
import XCTest

/// `raftd gateway` as its own process in front of real nodes: requests reach the leader, a
/// retried write is applied exactly once, and the gateway keeps working through a leader kill.
final class GatewayProcessTests: XCTestCase {
    func testRetriedWriteThroughTheGatewayAppliesOnce() async throws {
        let cluster = try ProcessCluster(nodes: 3)
        defer { cluster.tearDown() }
        try cluster.startAll()
        try cluster.startGateway()
        let nodes = try ClusterClient(cluster: cluster)
        defer { nodes.close() }
        let leader = try await nodes.awaitLeader(timeout: .seconds(15))
        let gateway = try ClusterClient(addresses: [1: cluster.gatewayAddress])
        defer { gateway.close() }

        // The same CAS (same client id and sequence) sent twice, as a client retrying after a
        // lost answer: both answers report success, and the value is swapped once.
        var request = Raftkv_V1_CompareAndSwapRequest()
        request.key = Data("counter".utf8)
        request.expectedAbsent = true
        request.newValue = Data("1".utf8)
        request.client.clientID = 42
        request.client.sequence = 1
        let first = try await gateway.withLeader { kv, options in try await kv.compareAndSwap(request, options: options) }
        let retry = try await gateway.withLeader { kv, options in try await kv.compareAndSwap(request, options: options) }
        XCTAssertTrue(first.succeeded)
        // Applied a second time, the CAS would fail (the key exists): success is the original result.
        XCTAssertTrue(retry.succeeded, "the retry must return the original result, not be applied again")

        // A new write of the same client with the next sequence is applied normally.
        var next = request
        next.client.sequence = 2
        next.expectedAbsent = true
        let second = try await gateway.withLeader { kv, options in try await kv.compareAndSwap(next, options: options) }
        XCTAssertFalse(second.succeeded, "the key exists now")
        let value = try await gateway.get("counter")
        XCTAssertEqual(value, "1")

        // Through a leader kill the gateway finds the new leader.
        cluster.kill(leader)
        _ = try await gateway.put("after-kill", "ok")
        let read = try await gateway.get("after-kill")
        XCTAssertEqual(read, "ok")
    }
}
