import XCTest
@testable import RaftEngine

final class SnapshotTests: XCTestCase {
    private func isSnapshot(_ message: Message) -> Bool {
        if case .snapshot = message.body { return true }
        return false
    }

    /// A three-node cluster where node 3 missed everything and the leader compacted its log.
    private func clusterWithCompactedLeader() -> TestCluster {
        let cluster = TestCluster(ids: [1, 2, 3])
        cluster.isolated = [3]
        cluster.elect(1)
        cluster.propose(1, (1...5).map { [UInt8($0)] })
        cluster.stabilize()
        XCTAssertEqual(cluster[1].commitIndex, 6)
        XCTAssertEqual(cluster[1].status.appliedIndex, 6)
        cluster[1].compact(upTo: 6, snapshotData: [0xAB])
        return cluster
    }

    func testCompactDropsEntriesAndKeepsSnapshot() {
        let cluster = clusterWithCompactedLeader()
        let leader = cluster[1]
        XCTAssertEqual(leader.snapshot, Snapshot(index: 6, term: 1, data: [0xAB]))
        XCTAssertEqual(leader.status.snapshotIndex, 6)
        XCTAssertNil(leader.entries(from: 1, through: 6))
        XCTAssertEqual(leader.term(at: 6), 1)
        XCTAssertNil(leader.term(at: 5))
        XCTAssertEqual(leader.lastIndex, 6)
        // Compacting to the same point again changes nothing.
        var again = leader
        again.compact(upTo: 6, snapshotData: [0xCD])
        XCTAssertEqual(again.snapshot?.data, [0xAB])
    }

    func testLaggingFollowerReceivesAndInstallsSnapshot() {
        let cluster = clusterWithCompactedLeader()
        cluster.isolated = []
        // The next heartbeat reaches node 3; its answer makes the leader probe it, and the entries it needs are gone.
        cluster.tick(1, times: 2)
        cluster.stabilize()

        let expected = Snapshot(index: 6, term: 1, data: [0xAB])
        let sent = cluster.delivered.filter { $0.to == 3 && isSnapshot($0) }
        XCTAssertEqual(sent.map(\.body), [.snapshot(expected)])
        let withSnapshot = cluster.history[3]!.filter { $0.snapshot != nil }
        XCTAssertEqual(withSnapshot.count, 1)
        let ready = withSnapshot[0]
        XCTAssertEqual(ready.snapshot, expected)
        XCTAssertTrue(ready.entries.isEmpty)
        XCTAssertTrue(ready.committedEntries.isEmpty, "entries covered by the snapshot are not applied one by one")
        XCTAssertEqual(ready.hardState?.commit, 6)
        XCTAssertEqual(ready.messagesAfterPersist.map(\.body), [.appendResponse(AppendResponse(index: 6))])
        XCTAssertEqual(cluster.installedSnapshots[3], [expected])
        XCTAssertEqual(cluster.storage[3]!.snapshot, expected)
        XCTAssertEqual(cluster[3].lastIndex, 6)
        XCTAssertEqual(cluster[3].commitIndex, 6)
        XCTAssertEqual(cluster[3].status.snapshotIndex, 6)
        XCTAssertTrue(cluster.applied[3, default: []].isEmpty)

        // Replication resumes after the snapshot.
        let follower = cluster[1].status.followers.first { $0.id == 3 }!.progress
        XCTAssertEqual(follower.state, .replicate)
        XCTAssertEqual(follower.match, 6)
        cluster.propose(1, [[7]])
        cluster.stabilize()
        XCTAssertEqual(cluster[3].lastIndex, 7)
        // The follower learns that 7 is committed from the next heartbeat.
        cluster.tick(1, times: 2)
        cluster.stabilize()
        XCTAssertEqual(cluster.applied[3]?.map(\.index), [7])
        XCTAssertEqual(cluster.storage[3]!.entries.map(\.index), [7])
    }

    /// Compacts the leader of a cluster whose node 3 missed everything, reconnects node 3, and runs
    /// until the leader has queued a snapshot for it (which the test may then drop).
    private func clusterSendingSnapshot(_ customize: (inout RaftConfig) -> Void = { _ in }) -> TestCluster {
        let cluster = TestCluster(ids: [1, 2, 3], customize)
        cluster.isolated = [3]
        cluster.elect(1)
        cluster.propose(1, [[1]])
        cluster.stabilize()
        cluster[1].compact(upTo: 2, snapshotData: [1])
        cluster.isolated = []
        cluster.tick(1, times: 2)
        cluster.processReady(1)
        cluster.deliverQueued()
        cluster.processReady(2)
        cluster.processReady(3)
        cluster.deliverQueued()
        let leaderReady = cluster.processReady(1)!
        XCTAssertEqual(leaderReady.messages.filter(isSnapshot).map(\.to), [3])
        XCTAssertEqual(cluster[1].status.followers.first { $0.id == 3 }?.progress.state, .snapshot)
        return cluster
    }

    func testLostSnapshotIsRetriedAfterSnapshotRetryTicks() {
        let cluster = clusterSendingSnapshot { $0.snapshotRetryTicks = 4 }
        cluster.network.removeAll(where: isSnapshot)
        for _ in 0..<3 {
            cluster.tick(1)
            cluster.stabilize()
            XCTAssertEqual(cluster[1].status.followers.first { $0.id == 3 }?.progress.state, .snapshot, "nothing else is sent meanwhile")
        }
        for _ in 0..<3 {
            cluster.tick(1)
            cluster.stabilize()
        }
        XCTAssertEqual(cluster.history[1]!.flatMap(\.messages).filter(isSnapshot).count, 2)
        XCTAssertEqual(cluster[3].status.snapshotIndex, 2)
        XCTAssertEqual(cluster[1].status.followers.first { $0.id == 3 }?.progress.state, .replicate)
    }

    func testFailedSnapshotReportedByTransportIsResent() {
        let cluster = clusterSendingSnapshot()
        cluster.network.removeAll(where: isSnapshot)
        cluster[1].reportSnapshot(to: 3, succeeded: false)
        XCTAssertEqual(cluster[1].status.followers.first { $0.id == 3 }?.progress.state, .probe)
        cluster.tick(1, times: 2)
        cluster.stabilize()
        XCTAssertEqual(cluster.history[1]!.flatMap(\.messages).filter(isSnapshot).count, 2)
        XCTAssertEqual(cluster[3].status.snapshotIndex, 2)
    }

    func testFollowerIgnoresSnapshotBehindItsCommitIndex() {
        var follower = makeNode(makeConfig(id: 2, voters: [1, 2, 3]))
        let entries = (1...3).map { Entry(term: 1, index: LogIndex($0)) }
        follower.step(Message(from: 1, to: 2, term: 1, body: .append(AppendRequest(prevIndex: 0, prevTerm: 0, entries: entries, commit: 3))))
        readyAndPersist(&follower)
        follower.step(Message(from: 1, to: 2, term: 1, body: .snapshot(Snapshot(index: 2, term: 1, data: [9]))))
        let ready = follower.ready()
        XCTAssertNil(ready.snapshot)
        XCTAssertEqual(follower.lastIndex, 3)
        XCTAssertEqual(ready.messagesAfterPersist.map(\.body), [.appendResponse(AppendResponse(index: 3))])
    }

    func testRestartFromSnapshot() {
        let snapshot = Snapshot(index: 10, term: 2, data: [1, 2, 3])
        let state = PersistentState(hardState: HardState(term: 3, vote: 1, commit: 11), snapshot: snapshot, entries: [Entry(term: 3, index: 11)])
        var node = makeNode(makeConfig(id: 1, voters: [1, 2, 3]), restoring: state)
        XCTAssertEqual(node.status.snapshotIndex, 10)
        XCTAssertEqual(node.lastIndex, 11)
        XCTAssertEqual(node.commitIndex, 11)
        XCTAssertEqual(node.snapshot, snapshot)
        XCTAssertEqual(node.term(at: 10), 2)
        let ready = node.ready()
        XCTAssertEqual(ready.committedEntries.map(\.index), [11], "only entries after the snapshot are applied")
        XCTAssertNil(ready.hardState)
        XCTAssertNil(ready.snapshot)
    }
}
