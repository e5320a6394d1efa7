import RaftEngine
import RaftSimulation
import XCTest

/// Leadership transfer: fast hand-over to an up-to-date or lagging follower, proposals refused
/// while it is in progress, and abandonment when the target cannot be reached.
final class TransferScenarioTests: XCTestCase {
    func testTransferToUpToDateFollower() {
        let (sim, leader) = Scenario.startWithLeader(seed: 501, committing: 5)
        sim.run(forMs: 100)
        let term = sim.status(of: leader)!.term
        let target = sim.nodeIDs.last { $0 != leader }!

        let started = sim.now
        XCTAssertTrue(sim.transferLeadership(to: target))
        XCTAssertEqual(sim.status(of: leader)!.leadTransferee, target)
        XCTAssertNil(sim.propose(on: leader), "proposals must be refused while a transfer is in progress")

        let done = sim.run(forMs: 1_000) { Scenario.stableLeader(sim) == target }
        XCTAssertTrue(done, "the target never took over" + Scenario.context(sim))
        let elapsedMs = (sim.now - started) / 1000
        XCTAssertLessThan(elapsedMs, Scenario.electionTimeoutMinMs / 3,
                          "the transfer took \(elapsedMs) ms, as long as an election timeout")
        XCTAssertEqual(sim.status(of: target)!.term, term + 1)
        XCTAssertEqual(sim.status(of: leader)!.role, .follower)
        XCTAssertEqual(sim.leaders, [target])

        XCTAssertTrue(Scenario.proposeAndAwait(sim, count: 5).acknowledged, "no progress after the transfer" + Scenario.context(sim))
        XCTAssertNil(sim.propose(on: leader), "the old leader must refuse proposals")
        XCTAssertTrue(sim.run(forMs: 1_000) { sim.allAcknowledgedAppliedEverywhere })
        assertNoViolation(sim)
    }

    func testTransferToLaggingFollower() {
        let sim = Scenario.make(seed: 511)
        let leader = Scenario.awaitLeader(sim, withinMs: 1_000)!
        let target = sim.nodeIDs.first { $0 != leader }!
        sim.isolate(target)
        XCTAssertTrue(Scenario.proposeAndAwait(sim, count: 30).acknowledged)
        XCTAssertLessThan(sim.status(of: target)!.lastIndex, sim.status(of: leader)!.lastIndex)

        sim.heal()
        let started = sim.now
        XCTAssertTrue(sim.transferLeadership(to: target))
        XCTAssertNil(sim.propose(on: leader))
        let done = sim.run(forMs: 1_000) { Scenario.stableLeader(sim) == target }
        XCTAssertTrue(done, "the lagging target never took over" + Scenario.context(sim))
        XCTAssertLessThan((sim.now - started) / 1000, Scenario.electionTimeoutMinMs,
                          "catching the target up and handing over took an election timeout")
        let highest = sim.acknowledgedProposals.map(\.index).max()!
        XCTAssertGreaterThanOrEqual(sim.status(of: target)!.commitIndex, highest)
        XCTAssertTrue(Scenario.proposeAndAwait(sim, count: 3).acknowledged, Scenario.context(sim))
        XCTAssertTrue(Scenario.awaitConvergence(sim), Scenario.context(sim))
        assertNoViolation(sim)
    }

    func testTransferToUnreachableFollowerIsAbandoned() {
        let (sim, leader) = Scenario.startWithLeader(seed: 521, committing: 2)
        let target = sim.nodeIDs.first { $0 != leader }!
        sim.isolate(target)
        XCTAssertTrue(Scenario.proposeAndAwait(sim, count: 2).acknowledged)

        XCTAssertTrue(sim.transferLeadership(to: target))
        XCTAssertNil(sim.propose(on: leader))
        sim.run(forMs: 50)
        XCTAssertNil(sim.propose(on: leader), "still refused while the transfer is pending")
        let abandoned = sim.run(forMs: 2 * Scenario.electionTimeoutMaxMs) { sim.status(of: leader)!.leadTransferee == nil }
        XCTAssertTrue(abandoned, "the transfer was never abandoned" + Scenario.context(sim))
        XCTAssertEqual(sim.leader, leader)
        XCTAssertEqual(sim.status(of: leader)!.role, .leader)
        let result = Scenario.proposeAndAwait(sim, count: 3, on: leader)
        XCTAssertEqual(result.proposed.count, 3, "proposals are accepted again once the transfer is abandoned")
        XCTAssertTrue(result.acknowledged, Scenario.context(sim))
        sim.heal()
        XCTAssertTrue(Scenario.awaitConvergence(sim), Scenario.context(sim))
        XCTAssertEqual(sim.leader, leader)
        assertNoViolation(sim)
    }

    func testTransferAroundTheCluster() {
        let sim = Scenario.make(seed: 531)
        var leader = Scenario.awaitLeader(sim, withinMs: 1_000)!
        var term = sim.status(of: leader)!.term
        for round in 1...8 {
            let target = sim.nodeIDs[(Int(leader) + round) % sim.nodeIDs.count]
            guard target != leader else { continue }
            XCTAssertTrue(sim.transferLeadership(to: target), "round \(round)")
            let done = sim.run(forMs: Scenario.electionTimeoutMinMs) { Scenario.stableLeader(sim) == target }
            XCTAssertTrue(done, "round \(round): n\(leader) -> n\(target) failed" + Scenario.context(sim))
            XCTAssertGreaterThan(sim.status(of: target)!.term, term)
            leader = target
            term = sim.status(of: target)!.term
            XCTAssertTrue(Scenario.proposeAndAwait(sim, count: 2, on: leader).acknowledged, "round \(round)" + Scenario.context(sim))
        }
        XCTAssertTrue(Scenario.awaitConvergence(sim), Scenario.context(sim))
        assertNoViolation(sim)
    }
}
