import RaftEngine
import RaftSimulation
import XCTest

/// Log agreement: proposals commit and apply everywhere, survive follower and leader failures,
/// wait for a majority, batch, and stale leaders' entries are discarded.
final class AgreementScenarioTests: XCTestCase {
    func testBasicAgreement() {
        let sim = Scenario.make(seed: 101)
        let leader = Scenario.awaitLeader(sim, withinMs: 1_000)!
        var previousIndex: LogIndex?
        for round in 1...20 {
            guard let proposal = sim.propose() else {
                XCTFail("round \(round): the leader refused a proposal" + Scenario.context(sim))
                return
            }
            XCTAssertTrue(sim.run(forMs: 1_000) { sim.isAcknowledged(proposal) }, "round \(round)" + Scenario.context(sim))
            let index = sim.acknowledgedProposals.first { $0.proposal == proposal }!.index
            if let previousIndex {
                XCTAssertEqual(index, previousIndex + 1, "proposals made one at a time take consecutive indexes")
            }
            previousIndex = index
        }
        XCTAssertEqual(sim.acknowledgedProposals.count, 20)
        XCTAssertTrue(sim.run(forMs: 1_000) { sim.allAcknowledgedAppliedEverywhere }, Scenario.context(sim))
        for id in sim.nodeIDs {
            XCTAssertGreaterThanOrEqual(sim.appliedIndex(of: id), previousIndex!)
            XCTAssertEqual(sim.status(of: id)!.leader, leader)
        }
        assertNoViolation(sim)
    }

    func testAgreementDespiteFollowerFailure() {
        let (sim, leader) = Scenario.startWithLeader(seed: 111, committing: 5)

        let followers = sim.nodeIDs.filter { $0 != leader }
        sim.crash(followers[0])
        XCTAssertTrue(Scenario.proposeAndAwait(sim, count: 5).acknowledged, "one follower down" + Scenario.context(sim))
        sim.crash(followers[1])
        XCTAssertTrue(Scenario.proposeAndAwait(sim, count: 5).acknowledged, "two followers down" + Scenario.context(sim))
        XCTAssertEqual(sim.leader, leader, "losing a minority of followers must not cost the leadership")

        sim.restart(followers[0])
        sim.restart(followers[1])
        XCTAssertTrue(Scenario.proposeAndAwait(sim, count: 5).acknowledged)
        XCTAssertTrue(sim.run(forMs: 2_000) { sim.allAcknowledgedAppliedEverywhere },
                      "restarted followers did not catch up" + Scenario.context(sim))
        XCTAssertEqual(sim.acknowledgedProposals.count, 20)
        assertNoViolation(sim)
    }

    func testAgreementDespiteLeaderFailure() {
        let (sim, first) = Scenario.startWithLeader(seed: 121, committing: 5)

        sim.crash(first)
        let second = Scenario.assertNewLeader(sim, among: sim.nodeIDs.filter { $0 != first }, withinMs: 1_500,
                                              "no new leader after the leader crashed")
        XCTAssertTrue(Scenario.proposeAndAwait(sim, count: 5).acknowledged, Scenario.context(sim))

        sim.crash(second!)
        Scenario.assertNewLeader(sim, among: sim.nodeIDs.filter { $0 != first && $0 != second }, withinMs: 1_500,
                                 "no leader with two nodes down")
        XCTAssertTrue(Scenario.proposeAndAwait(sim, count: 5).acknowledged, Scenario.context(sim))

        sim.restart(first)
        sim.restart(second!)
        XCTAssertTrue(sim.run(forMs: 2_000) { sim.allAcknowledgedAppliedEverywhere },
                      "the old leaders did not catch up" + Scenario.context(sim))
        XCTAssertTrue(Scenario.proposeAndAwait(sim, count: 2).acknowledged)
        XCTAssertEqual(sim.acknowledgedProposals.count, 17)
        assertNoViolation(sim)
    }

    func testNoAgreementWithoutMajority() {
        let (sim, leader) = Scenario.startWithLeader(seed: 131, committing: 1)
        let committed = sim.highestCommitted

        let down = Array(sim.nodeIDs.filter { $0 != leader }.prefix(3))
        for id in down { sim.crash(id) }
        let stranded = (0..<3).compactMap { _ in sim.propose(on: leader) }
        XCTAssertEqual(stranded.count, 3, "the leader has not noticed yet and accepts proposals")
        sim.run(forMs: 2_000)
        XCTAssertFalse(stranded.contains(where: sim.isAcknowledged), "acknowledged without a majority" + Scenario.context(sim))
        XCTAssertEqual(sim.highestCommitted, committed, "the commit index moved without a majority")
        XCTAssertEqual(sim.leaders, [], "CheckQuorum should have deposed the leader")

        for id in down { sim.restart(id) }
        XCTAssertNotNil(sim.awaitStableLeader(withinMs: 2_000), Scenario.context(sim))
        let after = Scenario.proposeAndAwait(sim, count: 3)
        XCTAssertTrue(after.acknowledged, "no agreement after the majority returned" + Scenario.context(sim))
        XCTAssertTrue(Scenario.awaitConvergence(sim), Scenario.context(sim))
        assertNoViolation(sim)
    }

    func testConcurrentProposalsAreBatched() {
        let sim = Scenario.make(seed: 141)
        let leader = Scenario.awaitLeader(sim, withinMs: 1_000)!
        sim.run(forMs: 200)
        let followers = sim.nodeIDs.count - 1
        let appendsBefore = Scenario.messages(sim, "append")
        let count = 200

        let result = Scenario.proposeAndAwait(sim, count: count, on: leader)
        XCTAssertEqual(result.proposed.count, count)
        XCTAssertTrue(result.acknowledged, Scenario.context(sim))
        let indexes = sim.acknowledgedProposals.map(\.index)
        XCTAssertEqual(Set(indexes).count, count, "every proposal has its own index")
        XCTAssertEqual(indexes.max()! - indexes.min()! + 1, LogIndex(count), "the proposals occupy consecutive indexes")
        let appends = Scenario.messages(sim, "append") - appendsBefore
        XCTAssertLessThan(appends, count * followers, "proposals were not batched: \(appends) appends for \(count) proposals")
        XCTAssertTrue(sim.run(forMs: 1_000) { sim.allAcknowledgedAppliedEverywhere })
        assertNoViolation(sim)
    }

    func testRejoinOfStaleLeader() {
        let (sim, first) = Scenario.startWithLeader(seed: 151, committing: 2)

        // The isolated leader still accepts proposals, which can never commit.
        sim.isolate(first)
        let stale = (0..<3).compactMap { _ in sim.propose(on: first) }
        XCTAssertEqual(stale.count, 3)
        let staleTerm = sim.status(of: first)!.term
        let second = Scenario.assertNewLeader(sim, among: sim.nodeIDs.filter { $0 != first }, withinMs: 1_500)
        XCTAssertTrue(Scenario.proposeAndAwait(sim, count: 4, on: second).acknowledged, Scenario.context(sim))
        XCTAssertGreaterThan(sim.status(of: first)!.lastIndex, sim.status(of: first)!.commitIndex,
                             "the old leader holds uncommitted entries")

        // The second leader is cut off too, and the first rejoins the rest.
        sim.partition([[second!], sim.nodeIDs.filter { $0 != second }])
        Scenario.assertNewLeader(sim, among: sim.nodeIDs.filter { $0 != second }, withinMs: 2_000)
        XCTAssertTrue(Scenario.proposeAndAwait(sim, count: 2).acknowledged, Scenario.context(sim))

        sim.heal()
        XCTAssertTrue(Scenario.awaitConvergence(sim), Scenario.context(sim))
        XCTAssertFalse(stale.contains(where: sim.isAcknowledged), "a stale leader's entry was applied")
        for id in sim.nodeIDs {
            XCTAssertGreaterThan(sim.status(of: id)!.lastTerm, staleTerm, "n\(id) still ends in the stale term")
            XCTAssertEqual(sim.status(of: id)!.lastIndex, sim.status(of: sim.leader!)!.lastIndex)
        }
        XCTAssertGreaterThanOrEqual(sim.acknowledgedProposals.count, 2 + 4 + 2 + 1)
        assertNoViolation(sim)
    }

    /// Figure 8 of the Raft paper, step by step. An entry from an old term that a new leader has
    /// copied to a majority is not committed by counting replicas: another node whose log ends in a
    /// later term can still win and overwrite it. Appends carry one entry each, so the old entry
    /// and the new leader's no-op reach followers separately.
    func testFigure8OldTermEntryIsNotCommittedByCounting() {
        let (sim, s1) = Scenario.startWithLeader(seed: 171, committing: 1) {
            $0.maxMessageBytes = 40
            $0.maxInflightMessages = 1
        }
        sim.run(forMs: 100)
        let base = sim.status(of: s1)!.lastIndex
        let others = sim.nodeIDs.filter { $0 != s1 }
        let s2 = others[0]
        let rest = Array(others.dropFirst())

        // (a) S1 replicates an entry of its term to S2 only, then crashes.
        sim.partition([[s1, s2], rest])
        let stale = sim.propose(on: s1)
        XCTAssertNotNil(stale)
        XCTAssertTrue(sim.run(forMs: 500) { sim.status(of: s2)!.lastIndex == base + 1 }, Scenario.context(sim))
        let oldTerm = sim.status(of: s1)!.term
        sim.crash(s1)

        // (b) S5 wins a later term with the other two and is cut off before its no-op spreads.
        var s5: NodeID?
        let elected = sim.run(forMs: 3_000) {
            s5 = rest.first { sim.status(of: $0)!.role == .leader }
            return s5 != nil
        }
        XCTAssertTrue(elected, "the three others elected nobody" + Scenario.context(sim))
        guard let s5 else { return }
        sim.isolate(s5)
        XCTAssertEqual(sim.status(of: s5)!.lastIndex, base + 1)
        XCTAssertGreaterThan(sim.status(of: s5)!.lastTerm, oldTerm)
        let middle = rest.filter { $0 != s5 }

        // (c) S2 leads S3 and S4 and copies the old-term entry to both before its no-op.
        var copied = false
        sim.run(forMs: 3_000) {
            guard let status = sim.status(of: s2), status.role == .leader else { return false }
            copied = middle.allSatisfy { id in status.followers.first { $0.id == id }!.progress.match >= base + 1 }
            return copied
        }
        XCTAssertTrue(copied, "S2 never copied the old entry to a majority" + Scenario.context(sim))
        sim.isolate(s2)
        sim.crash(s2)
        let s2Commit = sim.highestCommitted
        XCTAssertLessThan(s2Commit, base + 1, "the old-term entry was committed by counting replicas" + Scenario.context(sim))

        // (d) S5, whose log ends in a later term, wins with S1 and one node without S2's no-op.
        guard let without = middle.first(where: { sim.status(of: $0)!.lastIndex == base + 1 }) else {
            XCTFail("both followers got S2's no-op" + Scenario.context(sim))
            return
        }
        let other = middle.first { $0 != without }!
        sim.restart(s1)
        sim.partition([[s5, without, s1], [other], [s2]])
        let winner = Scenario.awaitLeader(sim, among: [s5, without, s1], withinMs: 5_000)
        XCTAssertEqual(winner, s5, Scenario.context(sim))
        assertNoViolation(sim)

        // Everyone converges on S5's entry; the stale proposal is gone.
        sim.heal()
        sim.restart(s2)
        XCTAssertTrue(Scenario.awaitConvergence(sim), Scenario.context(sim))
        XCTAssertFalse(sim.isAcknowledged(stale!))
        assertNoViolation(sim)
    }

    func testBackupOverIncorrectFollowerLogs() {
        let sim = Scenario.make(seed: 161)
        var random = SeededRandom(seed: 161)
        XCTAssertNotNil(Scenario.awaitLeader(sim, withinMs: 1_000))
        XCTAssertTrue(Scenario.proposeAndAwait(sim, count: 1).acknowledged)
        var stranded: [UInt64] = []
        var committed: [UInt64] = []

        for round in 1...3 {
            guard let leader = Scenario.stableLeader(sim) ?? Scenario.awaitLeader(sim, withinMs: 2_000) else {
                XCTFail("round \(round): no leader" + Scenario.context(sim))
                return
            }
            let partner = sim.nodeIDs.filter { $0 != leader }.randomElement(using: &random)!
            let majority = sim.nodeIDs.filter { $0 != leader && $0 != partner }
            sim.partition([[leader, partner], majority])
            let minorityProposals = (0..<50).compactMap { _ in sim.propose(on: leader) }
            XCTAssertEqual(minorityProposals.count, 50, "round \(round)")
            stranded += minorityProposals

            let newLeader = Scenario.assertNewLeader(sim, among: majority, withinMs: 2_000,
                                                     "round \(round): the majority elected nobody")
            let result = Scenario.proposeAndAwait(sim, count: 50, on: newLeader)
            XCTAssertTrue(result.acknowledged, "round \(round): the majority could not commit" + Scenario.context(sim))
            committed += result.proposed
            // The minority leader holds 50 entries the majority overwrites later.
            XCTAssertGreaterThanOrEqual(sim.status(of: leader)!.lastIndex, sim.status(of: leader)!.commitIndex + 50)

            sim.heal()
            XCTAssertNotNil(sim.awaitStableLeader(withinMs: 2_000), "round \(round)" + Scenario.context(sim))
        }

        XCTAssertTrue(Scenario.awaitConvergence(sim), Scenario.context(sim))
        XCTAssertTrue(committed.allSatisfy(sim.isAcknowledged))
        XCTAssertFalse(stranded.contains(where: sim.isAcknowledged), "a minority leader's entry was applied")
        let lastIndexes = Set(sim.nodeIDs.map { sim.status(of: $0)!.lastIndex })
        XCTAssertEqual(lastIndexes.count, 1, "logs did not converge" + Scenario.context(sim))
        assertNoViolation(sim)
    }
}
