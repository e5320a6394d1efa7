import RaftEngine
import RaftSimulation
import XCTest

/// Linearizable ReadIndex reads: confirmed reads cover every acknowledged write, and a deposed
/// leader never confirms one.
final class ReadIndexScenarioTests: XCTestCase {
    private func isConfirmed(_ sim: Simulation, _ request: UInt64) -> Bool {
        if case .confirmed = sim.readOutcomes[request] { return true }
        return false
    }

    private func isRejected(_ sim: Simulation, _ request: UInt64) -> Bool {
        if case .rejected = sim.readOutcomes[request] { return true }
        return false
    }

    private func confirmedIndex(_ sim: Simulation, _ request: UInt64) -> LogIndex? {
        if case .confirmed(let index) = sim.readOutcomes[request] { return index }
        return nil
    }

    func testReadsOnLeaderAndFollowersAreConfirmed() {
        let (sim, leader) = Scenario.startWithLeader(seed: 401, committing: 5)
        let highest = sim.acknowledgedProposals.map(\.index).max()!

        let reads = sim.nodeIDs.flatMap { id in (0..<3).compactMap { _ in sim.read(on: id) } }
        XCTAssertEqual(reads.count, 3 * sim.nodeIDs.count)
        XCTAssertTrue(sim.run(forMs: 500) { reads.allSatisfy { sim.readOutcomes[$0] != nil } }, Scenario.context(sim))
        for request in reads {
            let index = confirmedIndex(sim, request)
            XCTAssertNotNil(index, "read r\(request) was not confirmed: \(String(describing: sim.readOutcomes[request]))")
            XCTAssertGreaterThanOrEqual(index ?? 0, highest, "read r\(request) misses acknowledged writes")
        }
        XCTAssertEqual(sim.confirmedReads, reads.count)
        XCTAssertEqual(sim.leader, leader)
        assertNoViolation(sim)
    }

    func testReadOnFreshLeaderCoversEarlierWrites() {
        let (sim, first) = Scenario.startWithLeader(seed: 411, committing: 10)
        let highest = sim.acknowledgedProposals.map(\.index).max()!

        sim.crash(first)
        let elected = sim.run(forMs: 2_000) { sim.leader != nil && sim.leader != first }
        XCTAssertTrue(elected, Scenario.context(sim))
        // Straight away, before the new leader has committed anything in its term.
        let fresh = sim.leader!
        let early = sim.read(on: fresh)!
        let viaFollower = sim.read(on: sim.nodeIDs.first { $0 != first && $0 != fresh }!)!
        XCTAssertTrue(sim.run(forMs: 1_000) { self.isConfirmed(sim, early) && sim.readOutcomes[viaFollower] != nil },
                      Scenario.context(sim))
        XCTAssertGreaterThanOrEqual(confirmedIndex(sim, early) ?? 0, highest)
        if let index = confirmedIndex(sim, viaFollower) {
            XCTAssertGreaterThanOrEqual(index, highest)
        }
        sim.restart(first)
        XCTAssertTrue(Scenario.awaitConvergence(sim), Scenario.context(sim))
        assertNoViolation(sim)
    }

    /// Without CheckQuorum the partitioned old leader keeps believing it leads; its reads must still
    /// never be confirmed, while the new leader's are.
    func testDeposedLeaderNeverServesStaleReads() {
        let (sim, old) = Scenario.startWithLeader(seed: 421, committing: 3) { $0.checkQuorum = false }
        let partner = sim.nodeIDs.first { $0 != old }!
        let majority = sim.nodeIDs.filter { $0 != old && $0 != partner }
        sim.partition([[old, partner], majority])

        guard let new = Scenario.assertNewLeader(sim, among: majority, withinMs: 2_000) else { return }
        XCTAssertTrue(Scenario.proposeAndAwait(sim, count: 5, on: new).acknowledged, Scenario.context(sim))
        let highest = sim.acknowledgedProposals.map(\.index).max()!
        XCTAssertEqual(sim.status(of: old)!.role, .leader, "the old leader should still believe it leads")

        var staleReads: [UInt64] = []
        for _ in 0..<5 {
            staleReads.append(sim.read(on: old)!)
            staleReads.append(sim.read(on: partner)!)
            sim.run(forMs: 100)
        }
        let freshReads = majority.map { sim.read(on: $0)! }
        sim.run(forMs: 1_000)
        for request in staleReads {
            XCTAssertFalse(isConfirmed(sim, request), "the deposed leader confirmed read r\(request)" + Scenario.context(sim))
        }
        for request in freshReads {
            XCTAssertGreaterThanOrEqual(confirmedIndex(sim, request) ?? 0, highest,
                                        "read r\(request) on the new side: \(String(describing: sim.readOutcomes[request]))")
        }

        // On rejoining, the old leader learns the new term, steps down and refuses its pending reads.
        sim.heal()
        XCTAssertTrue(sim.run(forMs: 1_000) { sim.status(of: old)!.leader == new }, Scenario.context(sim))
        sim.run(forMs: 200)
        for request in staleReads {
            XCTAssertFalse(isConfirmed(sim, request), "read r\(request) confirmed after the old leader stepped down")
        }
        XCTAssertTrue(staleReads.contains { isRejected(sim, $0) }, "the old leader's pending reads were never answered")
        let after = sim.read(on: old)!
        XCTAssertTrue(sim.run(forMs: 500) { sim.readOutcomes[after] != nil })
        XCTAssertGreaterThanOrEqual(confirmedIndex(sim, after) ?? 0, highest)
        assertNoViolation(sim)
    }

    /// With CheckQuorum the isolated leader steps down; reads it took meanwhile are refused.
    func testIsolatedLeaderRefusesPendingReads() {
        let (sim, old) = Scenario.startWithLeader(seed: 431, committing: 3)
        sim.isolate(old)
        var reads = (0..<3).compactMap { _ in sim.read(on: old) }

        let new = Scenario.assertNewLeader(sim, among: sim.nodeIDs.filter { $0 != old }, withinMs: 2_000)
        XCTAssertTrue(Scenario.proposeAndAwait(sim, count: 5, on: new).acknowledged, Scenario.context(sim))
        reads += (0..<3).compactMap { _ in sim.read(on: old) }
        sim.run(forMs: 500)
        for request in reads {
            XCTAssertTrue(isRejected(sim, request), "read r\(request) on the isolated leader: \(String(describing: sim.readOutcomes[request]))"
                          + Scenario.context(sim))
        }
        sim.heal()
        XCTAssertTrue(sim.run(forMs: 1_000) { sim.status(of: old)!.leader == new }, Scenario.context(sim))
        let read = sim.read(on: old)!
        XCTAssertTrue(sim.run(forMs: 1_000) { self.isConfirmed(sim, read) }, Scenario.context(sim))
        assertNoViolation(sim)
    }

    func testReadsDuringFaults() {
        let sim = Scenario.make(seed: 441) { $0.dropRate = 0.05; $0.longTailRate = 0.05 }
        var random = SeededRandom(seed: 441)
        XCTAssertNotNil(Scenario.awaitLeader(sim, withinMs: 1_000))
        var reads: [UInt64] = []
        for step in 0..<60 {
            sim.propose()
            if let read = sim.read(on: sim.nodeIDs.randomElement(using: &random)!) { reads.append(read) }
            if step % 15 == 7 {
                sim.isolate(sim.leader ?? sim.nodeIDs[0])
            } else if step % 15 == 12 {
                sim.heal()
            }
            sim.run(forMs: 40)
            if sim.violation != nil { break }
        }
        sim.heal(clearingLossyNetwork: true)
        XCTAssertTrue(Scenario.awaitConvergence(sim), Scenario.context(sim))
        XCTAssertEqual(reads.count, 60)
        XCTAssertGreaterThan(sim.confirmedReads, 10)
        assertNoViolation(sim)
    }
}
