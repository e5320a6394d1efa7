import Dashboard
import XCTest

/// How updates from the network change the cluster view, the summary and the event log.
final class ClusterStateTests: XCTestCase {
    func testLeaderElectionIsLogged() {
        let state = Fixtures.dashboard()
        let texts = state.events.events.map(\.text)
        XCTAssertTrue(texts.contains("node 3 is leader for term 7 with votes from 2,3,4"), "\(texts)")
        XCTAssertEqual(ClusterSummary(state.cluster, at: Fixtures.renderTime.sinceStart).leader, 3)
    }

    func testUnreachableNodeKeepsItsSinceTime() {
        var cluster = ClusterState(nodes: Fixtures.nodes)
        _ = cluster.apply(.status(Fixtures.status(2)), node: 2, at: Fixtures.moment(1))
        let first = cluster.apply(.failed("connection refused"), node: 2, at: Fixtures.moment(2))
        let second = cluster.apply(.failed("connection reset"), node: 2, at: Fixtures.moment(3))
        XCTAssertEqual(first.map(\.text), ["node 2 does not answer: connection refused"])
        XCTAssertEqual(second, [])
        XCTAssertEqual(cluster.node(2)?.reachability, .unreachable(since: .seconds(2), error: "connection reset"))
        let back = cluster.apply(.status(Fixtures.status(2)), node: 2, at: Fixtures.moment(4))
        XCTAssertEqual(back.first?.text, "node 2 answers again (term 7)")
    }

    func testLeaderLossAndNewTerm() {
        var state = Fixtures.dashboard()
        state.apply(.failed("connection refused"), node: 3, at: Fixtures.moment(4))
        XCTAssertTrue(state.events.events.contains { $0.text == "no leader (node 3 was leader for term 7)" })
        var candidate = Fixtures.status(1, role: .candidate)
        candidate.term = 8
        candidate.votesReceived = [1]
        state.apply(.status(candidate), node: 1, at: Fixtures.moment(4.2))
        var leader = Fixtures.status(1, role: .leader)
        leader.term = 8
        state.apply(.status(leader), node: 1, at: Fixtures.moment(4.2))
        let texts = state.events.events.suffix(4).map(\.text)
        XCTAssertTrue(texts.contains("node 1 starts an election for term 8"), "\(texts)")
        XCTAssertTrue(texts.contains("term 8 begins"), "\(texts)")
        XCTAssertTrue(texts.contains { $0.hasPrefix("node 1 is leader for term 8") }, "\(texts)")
    }

    func testPartitionMinorityLosesQuorum() {
        var cluster = ClusterState(nodes: Fixtures.nodes)
        for id in 1...5 {
            var status = Fixtures.status(id, role: id == 3 ? .leader : .follower)
            status.partitionedFrom = id <= 2 ? [3, 4, 5] : [1, 2]
            _ = cluster.apply(.status(status), node: id, at: Fixtures.moment(1))
        }
        let summary = ClusterSummary(cluster, at: Fixtures.moment(1).sinceStart)
        XCTAssertEqual(summary.withoutQuorum, [1, 2])
        XCTAssertTrue(summary.quorumOK)
        XCTAssertEqual(summary.faultsText, "partition 1,2/3,4,5")
    }

    func testSilentNodeDoesNotCountTowardsQuorum() {
        var cluster = ClusterState(nodes: Fixtures.nodes)
        for id in 1...5 {
            _ = cluster.apply(.status(Fixtures.status(id, role: id == 3 ? .leader : .follower)), node: id, at: Fixtures.moment(id < 4 ? 1 : 5))
        }
        let later = Fixtures.moment(5.5).sinceStart
        let summary = ClusterSummary(cluster, at: later)
        XCTAssertEqual(summary.silent, [1, 2, 3])
        XCTAssertNil(summary.leader, "the leader has been silent for longer than the limit")
        XCTAssertFalse(summary.quorumOK)
    }

    func testStoppedAndPausedNodesAreFaults() {
        var cluster = ClusterState(nodes: Fixtures.nodes)
        _ = cluster.apply(.processes([1: .running, 2: .paused, 3: .running, 4: .stopped, 5: .running]), node: 0, at: Fixtures.moment(1))
        XCTAssertEqual(ClusterSummary(cluster, at: .seconds(1)).faultsText, "node 4 stopped, node 2 paused, nodes 1,3,5 not answering")
    }

    func testEventLogIsCapped() {
        var log = EventLog(capacity: 3)
        log.append((1...5).map { Event(time: "00:00:0\($0)", kind: .command, text: "event \($0)") })
        XCTAssertEqual(log.events.map(\.text), ["event 3", "event 4", "event 5"])
        XCTAssertEqual(log.matching("COMMAND").count, 3)
        XCTAssertEqual(log.matching("event 4").count, 1)
    }
}
