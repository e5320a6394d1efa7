import RaftEngine
import RaftSimulation
import XCTest

/// Log compaction and InstallSnapshot: a follower that missed compacted entries catches up through
/// a snapshot, over a reliable or lossy network, and despite crashing during the install.
final class SnapshotScenarioTests: XCTestCase {
    /// Options under which every node compacts its log every 10 entries.
    private static func compacting(_ options: inout SimulationOptions) { options.snapshotEvery = 10 }

    private func compactingSimulation(seed: UInt64) -> Simulation {
        Scenario.make(seed: seed, Self.compacting)
    }

    /// While `follower` is away, commits `count` proposals so that the leader compacts past
    /// everything the follower holds, and returns the leader.
    private func leaveBehind(
        _ sim: Simulation, follower: NodeID, count: Int, file: StaticString = #filePath, line: UInt = #line
    ) -> NodeID? {
        let committed = Scenario.commitWithRetries(sim, count: count)
        XCTAssertEqual(committed.count, count, "could not commit while the follower was away" + Scenario.context(sim),
                       file: file, line: line)
        guard let leader = sim.leader, let status = sim.status(of: leader) else { return nil }
        XCTAssertGreaterThan(status.snapshotIndex, sim.appliedIndex(of: follower) + 1,
                             "the leader has not compacted past the follower", file: file, line: line)
        return leader
    }

    /// A compacting cluster whose leader committed `committing` proposals; then the first follower is
    /// taken away with `takeAway` and left behind (see `leaveBehind`) by 60 more. Returns the follower.
    private func followerLeftBehind(
        seed: UInt64, committing count: Int, takeAway: (Simulation, NodeID) -> Void,
        file: StaticString = #filePath, line: UInt = #line
    ) -> (sim: Simulation, follower: NodeID) {
        let (sim, leader) = Scenario.startWithLeader(seed: seed, committing: count, file: file, line: line, Self.compacting)
        let follower = sim.nodeIDs.first { $0 != leader }!
        sim.run(forMs: 100)
        takeAway(sim, follower)
        XCTAssertNotNil(leaveBehind(sim, follower: follower, count: 60, file: file, line: line), file: file, line: line)
        return (sim, follower)
    }

    /// Runs until every acknowledged proposal is applied everywhere, and checks that more snapshots
    /// were sent than `snapshotsBefore`.
    private func assertCatchesUpBySnapshot(
        _ sim: Simulation, sentSince snapshotsBefore: Int, withinMs: UInt64, _ message: String,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertTrue(sim.run(forMs: withinMs) { sim.allAcknowledgedAppliedEverywhere }, message + Scenario.context(sim),
                      file: file, line: line)
        XCTAssertGreaterThan(Scenario.messages(sim, "snapshot"), snapshotsBefore, "no snapshot was sent", file: file, line: line)
    }

    func testSnapshotInstallAfterDisconnect() {
        let (sim, follower) = followerLeftBehind(seed: 301, committing: 5) { $0.isolate($1) }
        let snapshotsBefore = Scenario.messages(sim, "snapshot")

        sim.heal()
        assertCatchesUpBySnapshot(sim, sentSince: snapshotsBefore, withinMs: 3_000, "the follower did not catch up")
        XCTAssertGreaterThan(sim.status(of: follower)!.snapshotIndex, 0)
        XCTAssertTrue(Scenario.awaitConvergence(sim), Scenario.context(sim))
        assertNoViolation(sim)
    }

    func testSnapshotInstallAfterCrash() {
        let (sim, follower) = followerLeftBehind(seed: 311, committing: 5) { $0.crash($1) }
        let snapshotsBefore = Scenario.messages(sim, "snapshot")

        sim.restart(follower)
        assertCatchesUpBySnapshot(sim, sentSince: snapshotsBefore, withinMs: 3_000, "the restarted follower did not catch up")

        // Once more after it installed: crash and restart it from its own durable snapshot.
        sim.run(forMs: 100)
        let installed = sim.appliedIndex(of: follower)
        sim.crash(follower)
        sim.restart(follower)
        XCTAssertGreaterThan(sim.status(of: follower)!.snapshotIndex, 0, "the installed snapshot was not durable")
        XCTAssertLessThanOrEqual(sim.status(of: follower)!.snapshotIndex, installed)
        XCTAssertTrue(Scenario.awaitConvergence(sim), Scenario.context(sim))
        assertNoViolation(sim)
    }

    func testSnapshotInstallOverUnreliableNetwork() {
        for seed in [UInt64(321), 322] {
            let sim = compactingSimulation(seed: seed)
            let leader = Scenario.awaitLeader(sim, withinMs: 1_000)!
            sim.setNetwork(dropRate: 0.15, duplicateRate: 0.05, longTailRate: 0.05)
            XCTAssertEqual(Scenario.commitWithRetries(sim, count: 5).count, 5)
            let follower = sim.nodeIDs.first { $0 != leader && $0 != sim.leader }!
            sim.isolate(follower)
            XCTAssertNotNil(leaveBehind(sim, follower: follower, count: 60))
            let snapshotsBefore = Scenario.messages(sim, "snapshot")

            sim.heal()
            assertCatchesUpBySnapshot(sim, sentSince: snapshotsBefore, withinMs: 10_000,
                                      "seed \(seed): the follower did not catch up over a lossy network")
            XCTAssertEqual(Scenario.commitWithRetries(sim, count: 10).count, 10, Scenario.context(sim))
            sim.heal(clearingLossyNetwork: true)
            XCTAssertTrue(Scenario.awaitConvergence(sim), "seed \(seed)" + Scenario.context(sim))
            assertNoViolation(sim)
        }
    }

    /// The follower crashes right after the snapshot reached it, before it was durable: it restarts
    /// from its old log, and the leader must send the snapshot again.
    func testCrashDuringSnapshotInstallBeforeSync() {
        let (sim, follower) = followerLeftBehind(seed: 331, committing: 3) { $0.isolate($1) }
        let baseline = sim.status(of: follower)!.snapshotIndex
        let snapshotsBefore = Scenario.messages(sim, "snapshot")

        sim.heal()
        let delivered = sim.run(forMs: 2_000) { sim.status(of: follower)!.snapshotIndex > baseline }
        XCTAssertTrue(delivered, "no snapshot reached the follower" + Scenario.context(sim))
        XCTAssertTrue(sim.hasUnsyncedWrites(follower), "the snapshot should still be on its way to disk")
        sim.crash(follower)
        sim.restart(follower, afterMs: 50)
        sim.run(forMs: 60)
        XCTAssertTrue(sim.isUp(follower))
        XCTAssertEqual(sim.status(of: follower)!.snapshotIndex, baseline, "an unsynced snapshot survived a crash")

        XCTAssertTrue(sim.run(forMs: 5_000) { sim.allAcknowledgedAppliedEverywhere },
                      "the follower did not recover from a crash during the install" + Scenario.context(sim))
        XCTAssertGreaterThanOrEqual(Scenario.messages(sim, "snapshot"), snapshotsBefore + 2, "the snapshot was not sent again")
        XCTAssertTrue(Scenario.awaitConvergence(sim), Scenario.context(sim))
        assertNoViolation(sim)
    }

    /// The follower crashes right after the snapshot became durable: it restarts from it.
    func testCrashDuringSnapshotInstallAfterSync() {
        let (sim, follower) = followerLeftBehind(seed: 341, committing: 3) { $0.isolate($1) }
        let baseline = sim.status(of: follower)!.snapshotIndex

        sim.heal()
        let persisted = sim.run(forMs: 2_000) {
            sim.status(of: follower)!.snapshotIndex > baseline && !sim.hasUnsyncedWrites(follower)
        }
        XCTAssertTrue(persisted, "the snapshot never became durable" + Scenario.context(sim))
        let installed = sim.status(of: follower)!.snapshotIndex
        sim.crash(follower)
        sim.restart(follower)
        XCTAssertEqual(sim.status(of: follower)!.snapshotIndex, installed, "the durable snapshot was lost")
        XCTAssertEqual(sim.appliedIndex(of: follower), installed, "the state machine did not restart from the snapshot")

        XCTAssertTrue(sim.run(forMs: 3_000) { sim.allAcknowledgedAppliedEverywhere }, Scenario.context(sim))
        XCTAssertTrue(Scenario.awaitConvergence(sim), Scenario.context(sim))
        assertNoViolation(sim)
    }

    /// Every node compacts often while crashes and restarts keep happening.
    func testSnapshotsWithCrashChurn() {
        let sim = Scenario.make(seed: 351) { $0.snapshotEvery = 7 }
        var random = SeededRandom(seed: 351)
        XCTAssertNotNil(Scenario.awaitLeader(sim, withinMs: 1_000))
        for _ in 0..<25 {
            for _ in 0..<Int.random(in: 1...6, using: &random) { sim.propose() }
            sim.run(forMs: UInt64.random(in: 20...150, using: &random))
            let roll = Int.random(in: 0..<10, using: &random)
            let down = sim.nodeIDs.filter { !sim.isUp($0) }
            if roll < 3, down.count < 2, let victim = sim.nodeIDs.filter(sim.isUp).randomElement(using: &random) {
                sim.crash(victim)
            } else if roll < 6, let back = down.randomElement(using: &random) {
                sim.restart(back)
            }
            if sim.violation != nil { break }
        }
        for id in sim.nodeIDs { sim.restart(id) }
        XCTAssertTrue(Scenario.awaitConvergence(sim), Scenario.context(sim))
        XCTAssertGreaterThan(Scenario.messages(sim, "snapshot"), 0, "no follower ever needed a snapshot")
        XCTAssertGreaterThan(sim.acknowledgedProposals.count, 20)
        assertNoViolation(sim)
    }
}
