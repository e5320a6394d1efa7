import RaftEngine
import RaftSimulation
import XCTest

/// Leader election: first election, re-election, no leader without a majority, many elections,
/// PreVote and CheckQuorum.
final class ElectionScenarioTests: XCTestCase {
    func testInitialElection() {
        for (seed, nodes) in [(UInt64(1), 3), (2, 5), (3, 5), (4, 7)] {
            let sim = Scenario.make(seed: seed, nodes: nodes)
            let leader = sim.awaitStableLeader(withinMs: 1_000)
            XCTAssertNotNil(leader, "seed \(seed), \(nodes) nodes: no leader within 1 s" + Scenario.context(sim))
            guard let leader else { continue }
            let term = sim.status(of: leader)!.term
            XCTAssertGreaterThan(term, 0)
            XCTAssertEqual(sim.leaders, [leader], "exactly one leader")

            sim.run(forMs: 2_000)
            XCTAssertEqual(sim.leader, leader, "seed \(seed): leadership changed without faults" + Scenario.context(sim))
            XCTAssertEqual(sim.leaders, [leader])
            for id in sim.nodeIDs {
                let status = sim.status(of: id)!
                XCTAssertEqual(status.term, term, "seed \(seed): n\(id)'s term changed without faults")
                XCTAssertEqual(status.leader, leader, "seed \(seed): n\(id) does not follow n\(leader)")
            }
            assertNoViolation(sim)
        }
    }

    func testReElectionAfterLeaderIsolation() {
        let sim = Scenario.make(seed: 11)
        let first = Scenario.awaitLeader(sim, withinMs: 1_000)!
        let firstTerm = sim.status(of: first)!.term

        sim.isolate(first)
        let others = sim.nodeIDs.filter { $0 != first }
        guard let second = Scenario.assertNewLeader(sim, among: others, withinMs: 1_000,
                                                    "no new leader among the connected majority") else { return }
        XCTAssertNotEqual(second, first)
        let secondTerm = sim.status(of: second)!.term
        XCTAssertGreaterThan(secondTerm, firstTerm)

        // The old leader comes back: PreVote and the leader lease keep it from disturbing anyone.
        sim.heal()
        sim.run(forMs: 2_000)
        XCTAssertEqual(sim.leader, second, "the returning old leader disturbed the new one" + Scenario.context(sim))
        XCTAssertEqual(sim.leaders, [second])
        for id in sim.nodeIDs {
            XCTAssertEqual(sim.status(of: id)!.term, secondTerm, "n\(id)'s term changed after the old leader returned")
            XCTAssertEqual(sim.status(of: id)!.leader, second)
        }

        // Isolating the new leader again elects a third one, and it can commit.
        sim.isolate(second)
        Scenario.assertNewLeader(sim, among: sim.nodeIDs.filter { $0 != second }, withinMs: 1_000)
        XCTAssertTrue(Scenario.proposeAndAwait(sim, count: 3).acknowledged, Scenario.context(sim))
        assertNoViolation(sim)
    }

    func testNoLeaderWithoutMajority() {
        let sim = Scenario.make(seed: 21)
        let first = Scenario.awaitLeader(sim, withinMs: 1_000)!
        let term = sim.status(of: first)!.term
        let ids = sim.nodeIDs
        let rest = ids.filter { $0 != first }

        // Groups of 1, 1, 1 and 2: nobody can gather 3 of 5.
        sim.partition([[first], [rest[0]], [rest[1]], [rest[2], rest[3]]])
        sim.run(forMs: 2_000)
        XCTAssertEqual(sim.leaders, [], "a leader without a majority" + Scenario.context(sim))
        XCTAssertNil(Scenario.stableLeader(sim))
        for id in ids {
            XCTAssertNil(sim.propose(on: id), "n\(id) accepted a proposal without being leader")
        }
        XCTAssertEqual(Scenario.maxTerm(sim), term, "PreVote should keep the terms from growing")

        // Two of five still form no majority.
        sim.partition([[rest[0], rest[1]], [first], [rest[2]], [rest[3]]])
        sim.run(forMs: 1_500)
        XCTAssertEqual(sim.leaders, [], Scenario.context(sim))

        // Three of five do.
        sim.partition([[rest[0], rest[1], rest[2]], [first], [rest[3]]])
        Scenario.assertNewLeader(sim, among: [rest[0], rest[1], rest[2]], withinMs: 2_000, "no leader in the majority partition")

        sim.heal()
        let leader = sim.awaitStableLeader(withinMs: 2_000)
        XCTAssertNotNil(leader, "no leader after healing" + Scenario.context(sim))
        XCTAssertTrue(Scenario.proposeAndAwait(sim, count: 3).acknowledged, Scenario.context(sim))
        assertNoViolation(sim)
    }

    func testTwoOfThreeIsolatedThenReconnected() {
        let sim = Scenario.make(seed: 23, nodes: 3)
        let leader = Scenario.awaitLeader(sim, withinMs: 1_000)!
        let follower = sim.nodeIDs.first { $0 != leader }!
        sim.partition([[leader], [follower], sim.nodeIDs.filter { $0 != leader && $0 != follower }])
        sim.run(forMs: 2_000)
        XCTAssertEqual(sim.leaders, [], "no node can lead alone in a 3-node cluster" + Scenario.context(sim))

        sim.partition([[follower, sim.nodeIDs.first { $0 != leader && $0 != follower }!], [leader]])
        Scenario.assertNewLeader(sim, among: sim.nodeIDs.filter { $0 != leader }, withinMs: 2_000)
        sim.heal()
        XCTAssertNotNil(sim.awaitStableLeader(withinMs: 2_000), Scenario.context(sim))
        assertNoViolation(sim)
    }

    func testManyElections() {
        let sim = Scenario.make(seed: 31, nodes: 7)
        var random = SeededRandom(seed: 31)
        XCTAssertNotNil(Scenario.awaitLeader(sim, withinMs: 1_000))
        for round in 1...10 {
            let shuffled = sim.nodeIDs.shuffled(using: &random)
            let isolated = Array(shuffled.prefix(3))
            let connected = Array(shuffled.dropFirst(3))
            sim.partition(isolated.map { [$0] } + [connected])
            let leader = Scenario.awaitLeader(sim, among: connected, withinMs: 3_000)
            XCTAssertNotNil(leader, "round \(round): no leader among \(connected)" + Scenario.context(sim))
            if let leader {
                XCTAssertTrue(connected.contains(leader))
                // It must be able to commit with the four connected nodes.
                XCTAssertTrue(Scenario.proposeAndAwait(sim, count: 1, on: leader).acknowledged,
                              "round \(round): the leader could not commit" + Scenario.context(sim))
            }
            sim.heal()
            sim.run(forMs: 200)
        }
        XCTAssertNotNil(sim.awaitStableLeader(withinMs: 2_000))
        XCTAssertTrue(Scenario.awaitConvergence(sim), Scenario.context(sim))
        assertNoViolation(sim)
    }

    func testPreVotePreventsTermInflation() {
        let sim = Scenario.make(seed: 41)
        let leader = Scenario.awaitLeader(sim, withinMs: 1_000)!
        let term = sim.status(of: leader)!.term
        let follower = sim.nodeIDs.first { $0 != leader }!
        let prevotesBefore = Scenario.messages(sim, "prevote")
        let votesBefore = Scenario.messages(sim, "vote")

        sim.isolate(follower)
        sim.run(forMs: 5_000)
        XCTAssertEqual(sim.status(of: follower)!.term, term, "an isolated follower raised its term" + Scenario.context(sim))
        XCTAssertGreaterThan(Scenario.messages(sim, "prevote"), prevotesBefore, "the isolated follower should have tried pre-votes")
        XCTAssertEqual(Scenario.messages(sim, "vote"), votesBefore, "no real election can start without a pre-vote quorum")

        sim.heal()
        sim.run(forMs: 1_000)
        XCTAssertEqual(sim.leader, leader, "the returning follower disturbed the leader" + Scenario.context(sim))
        for id in sim.nodeIDs {
            XCTAssertEqual(sim.status(of: id)!.term, term)
            XCTAssertEqual(sim.status(of: id)!.leader, leader)
        }
        XCTAssertTrue(Scenario.proposeAndAwait(sim, count: 2).acknowledged)
        XCTAssertTrue(sim.run(forMs: 1_000) { sim.allAcknowledgedAppliedEverywhere })
        assertNoViolation(sim)
    }

    /// The contrast that shows the previous test measures something: without PreVote the
    /// isolated follower's term runs away and its return forces a new election.
    func testWithoutPreVoteIsolatedFollowerInflatesTerm() {
        let sim = Scenario.make(seed: 41) { $0.preVote = false }
        let leader = Scenario.awaitLeader(sim, withinMs: 1_000)!
        let term = sim.status(of: leader)!.term
        let follower = sim.nodeIDs.first { $0 != leader }!
        sim.isolate(follower)
        sim.run(forMs: 5_000)
        XCTAssertGreaterThan(sim.status(of: follower)!.term, term + 5)
        sim.heal()
        XCTAssertNotNil(sim.awaitStableLeader(withinMs: 3_000))
        XCTAssertGreaterThan(Scenario.maxTerm(sim), term)
        assertNoViolation(sim)
    }

    /// A follower that cannot hear the leader (but reaches everyone) keeps timing out; the other
    /// nodes still hear the leader, so they ignore its campaigns and nothing changes.
    func testLeaderLeaseIgnoresFollowerThatCannotHearTheLeader() {
        let (sim, leader) = Scenario.startWithLeader(seed: 45, committing: 1)
        sim.run(forMs: 200)
        let term = sim.status(of: leader)!.term
        let follower = sim.nodeIDs.first { $0 != leader }!
        let prevotesBefore = Scenario.messages(sim, "prevote")

        sim.cutLink(from: leader, to: follower)
        sim.run(forMs: 3_000)
        XCTAssertGreaterThan(Scenario.messages(sim, "prevote"), prevotesBefore, "the cut-off follower should have campaigned")
        XCTAssertEqual(sim.leader, leader, "a follower that cannot hear the leader deposed it" + Scenario.context(sim))
        for id in sim.nodeIDs where id != follower {
            XCTAssertEqual(sim.status(of: id)!.term, term, "n\(id)'s term changed")
            XCTAssertEqual(sim.status(of: id)!.leader, leader)
        }
        XCTAssertTrue(Scenario.proposeAndAwait(sim, count: 3).acknowledged, Scenario.context(sim))

        sim.heal()
        XCTAssertTrue(sim.run(forMs: 1_000) { sim.status(of: follower)!.leader == leader }, Scenario.context(sim))
        XCTAssertTrue(sim.run(forMs: 1_000) { sim.allAcknowledgedAppliedEverywhere })
        XCTAssertEqual(sim.status(of: leader)!.term, term)
        assertNoViolation(sim)
    }

    func testCheckQuorumIsolatedLeaderStepsDown() {
        for seed in [UInt64(51), 52, 53] {
            let sim = Scenario.make(seed: seed)
            let leader = Scenario.awaitLeader(sim, withinMs: 1_000)!
            sim.run(forMs: 500)
            let isolatedAt = sim.now
            sim.isolate(leader)
            let bound = 2 * Scenario.electionTimeoutMaxMs
            let steppedDown = sim.run(forMs: bound) { sim.status(of: leader)!.role != .leader }
            XCTAssertTrue(steppedDown, "seed \(seed): the isolated leader kept leading for \(bound) ms" + Scenario.context(sim))
            let elapsedMs = (sim.now - isolatedAt) / 1000
            XCTAssertGreaterThanOrEqual(elapsedMs, Scenario.electionTimeoutMinMs / 2,
                                        "seed \(seed): stepped down before any quorum check could fail")
            let others = sim.nodeIDs.filter { $0 != leader }
            Scenario.assertNewLeader(sim, among: others, withinMs: 1_000)
            sim.run(forMs: 1_000)
            XCTAssertNotEqual(sim.status(of: leader)!.role, .leader, "seed \(seed): the isolated node became leader again")
            assertNoViolation(sim)
        }
    }

    /// Without CheckQuorum nothing tells an isolated leader it lost its majority.
    func testWithoutCheckQuorumIsolatedLeaderKeepsLeading() {
        let sim = Scenario.make(seed: 51) { $0.checkQuorum = false }
        let leader = Scenario.awaitLeader(sim, withinMs: 1_000)!
        sim.isolate(leader)
        sim.run(forMs: 2_000)
        XCTAssertEqual(sim.status(of: leader)!.role, .leader)
        XCTAssertNotNil(Scenario.stableLeader(sim, among: sim.nodeIDs.filter { $0 != leader }))
        XCTAssertEqual(sim.leaders.count, 2)
        sim.heal()
        XCTAssertTrue(sim.run(forMs: 1_000) { sim.leaders.count == 1 }, Scenario.context(sim))
        XCTAssertNotEqual(sim.leader, leader)
        assertNoViolation(sim)
    }
}
