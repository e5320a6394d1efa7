import XCTest
@testable import RaftEngine

final class DeterminismTests: XCTestCase {
    /// Runs a scripted five-node scenario (elections, proposals, reads, a partition) and returns
    /// every Ready of every node.
    private func run(seed: UInt64) -> [NodeID: [ReadyRecord]] {
        let cluster = TestCluster(ids: [1, 2, 3, 4, 5], seed: seed)
        var leadersByTerm: [Term: NodeID] = [:]
        for step in 0..<400 {
            for id in cluster.ids { cluster.tick(id) }
            if step % 5 == 0, let leader = cluster.leaders.first {
                _ = try? cluster[leader].propose([[UInt8(step % 256)]])
                cluster[leader].readIndex(requestID: UInt64(step))
            }
            if step == 150, let leader = cluster.leaders.first { cluster.isolated = [leader] }
            if step == 250 { cluster.isolated = [] }
            cluster.stabilize()
            for id in cluster.ids where cluster[id].role == .leader {
                let term = cluster[id].term
                XCTAssertEqual(leadersByTerm[term, default: id], id, "two leaders in term \(term)")
                leadersByTerm[term] = id
            }
        }
        // Applied logs agree on their common prefix.
        let applied = cluster.ids.map { cluster.applied[$0, default: []] }
        for log in applied {
            let common = min(log.count, applied[0].count)
            XCTAssertEqual(Array(log.prefix(common)), Array(applied[0].prefix(common)))
        }
        XCTAssertGreaterThan(leadersByTerm.count, 1, "the partition forces a second election")
        XCTAssertGreaterThan(applied.map(\.count).max() ?? 0, 20)
        return cluster.history.mapValues { $0.map(ReadyRecord.init) }
    }

    func testSameSeedGivesIdenticalReadySequences() {
        let first = run(seed: 42)
        let second = run(seed: 42)
        XCTAssertEqual(first.keys.sorted(), second.keys.sorted())
        for id in first.keys.sorted() {
            XCTAssertEqual(first[id]!.count, second[id]!.count, "node \(id)")
            XCTAssertTrue(first[id]! == second[id]!, "node \(id) diverged")
        }
        XCTAssertFalse(run(seed: 43) == first, "a different seed gives a different run")
    }

    func testElectionTimeoutsArePureFunctionOfSeedAndID() {
        for seed: UInt64 in [0, 1, 99] {
            let a = makeNode(makeConfig(id: 2, voters: [1, 2, 3], seed: seed))
            let b = makeNode(makeConfig(id: 2, voters: [1, 2, 3], seed: seed))
            XCTAssertEqual(a.status.electionTimeout, b.status.electionTimeout)
        }
        var timeouts: Set<Int> = []
        for id: NodeID in 1...9 {
            timeouts.insert(makeNode(makeConfig(id: id, voters: Array(1...9), seed: 5)).status.electionTimeout)
        }
        XCTAssertGreaterThan(timeouts.count, 1, "nodes sharing a seed still get different timeouts")
    }
}
