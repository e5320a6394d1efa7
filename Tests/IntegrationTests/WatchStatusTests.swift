import Foundation
import GRPCCore
import RaftProto
import XCTest

/// The dashboard's feed: WatchStatus pushes a node's status when it changes, rate-limited.
final class WatchStatusTests: XCTestCase {
    func testWatchStatusPushesLeaderChanges() async throws {
        let cluster = try ProcessCluster(nodes: 3)
        defer { cluster.tearDown() }
        try cluster.startAll()
        let client = try ClusterClient(cluster: cluster)
        defer { client.close() }
        let leader = try await client.awaitLeader(timeout: .seconds(15))
        let watched = cluster.nodeIDs.first { $0 != leader }!
        var request = Raftkv_V1_WatchStatusRequest()
        request.minIntervalMs = 50

        let updates = try await client.control(watched).watchStatus(request) { response in
            var seen: [Raftkv_V1_NodeStatus] = []
            var killed = false
            let deadline = ContinuousClock.now + .seconds(10)
            for try await status in response.messages {
                seen.append(status)
                if !killed {
                    killed = true
                    cluster.kill(leader)
                }
                if status.leader != 0 && status.leader != UInt64(leader) && status.term > seen[0].term { break }
                if ContinuousClock.now > deadline { break }
            }
            return seen
        }
        XCTAssertEqual(updates.first?.leader, UInt64(leader), "the first message is the current status")
        XCTAssertNotEqual(updates.last?.leader, UInt64(leader), "a new leader should have been pushed")
        XCTAssertGreaterThan(updates.last?.term ?? 0, updates.first?.term ?? 0)
        XCTAssertEqual(updates.last?.id, UInt64(watched))
    }
}
