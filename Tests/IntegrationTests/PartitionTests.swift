import Foundation
import GRPCCore
import RaftProto
import XCTest

/// Partitions made with the Control API: the minority never acknowledges a write, the majority
/// keeps going, and after healing the minority follows and catches up.
final class PartitionTests: ProcessClusterTestCase {
    override func setUp() async throws {
        try await startCluster(nodes: 5)
    }

    /// Cuts `group` off from every other node (both directions).
    private func isolate(_ group: [Int]) async throws {
        let others = cluster.nodeIDs.filter { !group.contains($0) }
        for id in cluster.nodeIDs {
            var request = Raftkv_V1_PartitionRequest()
            request.peers = (group.contains(id) ? others : group).map { UInt64($0) }
            _ = try await client.control(id).partition(request)
        }
    }

    private func healAll() async throws {
        for id in cluster.nodeIDs { _ = try await client.control(id).heal(Raftkv_V1_HealRequest()) }
    }

    private func putDirect(_ node: Int, _ key: String, _ value: String, timeout: Duration) async throws {
        var request = Raftkv_V1_PutRequest()
        request.key = Data(key.utf8)
        request.value = Data(value.utf8)
        var options = CallOptions.defaults
        options.timeout = timeout
        _ = try await client.kv(node).put(request, options: options)
    }

    /// The status stream shows a node's uncommitted entries with their terms (the dashboard's log
    /// strip relies on it to show a divergent suffix), not only applied ones.
    func testStatusReportsUncommittedEntriesWithTheirTerm() async throws {
        let leader = try await client.awaitLeader()
        try await isolate([leader])
        do {
            try await putDirect(leader, "stranded", "x", timeout: .milliseconds(300))
            XCTFail("an isolated leader acknowledged a write")
        } catch is RPCError {}
        let status = try await client.control(leader).status(Raftkv_V1_StatusRequest())
        let uncommitted = status.recentEntries.filter { $0.index > status.commitIndex }
        XCTAssertFalse(uncommitted.isEmpty, "no uncommitted entry reported: commit \(status.commitIndex), last \(status.lastIndex)")
        XCTAssertTrue(uncommitted.contains { $0.description_p.contains("stranded") && $0.term > 0 }, "\(uncommitted)")
        try await healAll()
    }

    func testMinorityNeverAcknowledgesAndMajorityContinuesThenHeals() async throws {
        let oldLeader = try await client.awaitLeader()
        let minority = [oldLeader, cluster.nodeIDs.first { $0 != oldLeader }!]
        try await isolate(minority)

        // Writes sent to the minority side fail within their deadline; none may succeed.
        for (attempt, node) in minority.enumerated() {
            do {
                try await putDirect(node, "minority-\(attempt)", "x", timeout: .seconds(2))
                XCTFail("node \(node) in the minority acknowledged a write")
            } catch let error as RPCError {
                XCTAssertTrue([.unavailable, .deadlineExceeded, .aborted].contains(error.code), "\(error)")
            }
        }

        // The majority elects a leader of its own and keeps accepting writes.
        let majority = cluster.nodeIDs.filter { !minority.contains($0) }
        let majorityClient = try ClusterClient(addresses: Dictionary(uniqueKeysWithValues: majority.map { ($0, cluster.address(of: $0)) }))
        defer { majorityClient.close() }
        let newLeader = try await majorityClient.awaitLeader(timeout: .seconds(10))
        XCTAssertTrue(majority.contains(newLeader))
        for i in 0..<10 { _ = try await majorityClient.put("majority-\(i)", "v\(i)") }

        // After healing, the old leader follows and every node holds the same committed log.
        try await healAll()
        _ = try await client.awaitLeader(timeout: .seconds(10))
        _ = try await client.put("after-heal", "1")
        let converged = try await awaitConvergence()
        XCTAssertTrue(converged, "nodes did not reach the same commit index after healing")
        for i in 0..<10 {
            let read = try await client.get("majority-\(i)")
            XCTAssertEqual(read, "v\(i)")
        }
        for attempt in 0..<minority.count {
            let read = try await client.get("minority-\(attempt)")
            XCTAssertNil(read, "a write refused by the minority appeared after healing")
        }
    }

    /// Every node reports the same commit and applied index.
    private func awaitConvergence(timeout: Duration = .seconds(10)) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let statuses = await client.statuses()
            let applied = Set(statuses.values.map(\.appliedIndex))
            if statuses.count == cluster.nodeCount && applied.count == 1 { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    func testLaggingNodeCatchesUpBySnapshot() async throws {
        // Restart the cluster with frequent snapshots.
        let leader = try await startCluster(nodes: 3, storage: ["snapshot_entries = 20"])
        let lagging = cluster.nodeIDs.first { $0 != leader }!
        cluster.kill(lagging)
        for i in 0..<100 { _ = try await client.put("k\(i)", "v\(i)") }
        let statuses = await client.statuses()
        XCTAssertGreaterThan(statuses[leader]?.snapshotIndex ?? 0, 0, "the leader should have compacted its log")
        try cluster.start(lagging)
        let deadline = ContinuousClock.now + .seconds(15)
        var caughtUp = false
        while ContinuousClock.now < deadline, !caughtUp {
            let all = await client.statuses()
            if let status = all[lagging], let lead = all[leader], status.appliedIndex >= lead.commitIndex, status.snapshotIndex > 0 {
                caughtUp = true
            } else {
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        XCTAssertTrue(caughtUp, "the restarted node did not catch up by snapshot\n\(cluster.logTail("node-\(lagging).log"))")
    }
}
