import RaftEngine
import RaftSimulation
import XCTest

/// Log compaction and InstallSnapshot: a follower that missed compacted entries catches up through
/// a snapshot, over a reliable or lossy network, and despite crashing during the install.
final class SnapshotScenarioTests: XCTestCase {
    private func compactingSimulation(seed: UInt64) -> Simulation {
        Scenario.make(seed: seed) { $0.snapshotEvery = 10 }
    }

    /// Takes `follower` away with `remove`, commits `count` proposals so that the leader compacts
    /// past everything the follower holds, and returns the leader.
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

    func testSnapshotInstallAfterDisconnect() {
        let sim = compactingSimulation(seed: 301)
        let leader = Scenario.awaitLeader(sim, withinMs: 1_000)!
        XCTAssertTrue(Scenario.proposeAndAwait(sim, count: 5).acknowledged)
        let follower = sim.nodeIDs.first { $0 != leader }!
        sim.run(forMs: 100)
        sim.isolate(follower)
        XCTAssertNotNil(leaveBehind(sim, follower: follower, count: 60))
        let snapshotsBefore = Scenario.messages(sim, "snapshot")

        sim.heal()
        XCTAssertTrue(sim.run(forMs: 3_000) { sim.allAcknowledgedAppliedEverywhere },
                      "the follower did not catch up" + Scenario.context(sim))
        XCTAssertGreaterThan(Scenario.messages(sim, "snapshot"), snapshotsBefore, "no snapshot was sent")
        XCTAssertGreaterThan(sim.status(of: follower)!.snapshotIndex, 0)
        XCTAssertTrue(Scenario.awaitConvergence(sim), Scenario.context(sim))
        assertNoViolation(sim)
    }

    func testSnapshotInstallAfterCrash() {
        let sim = compactingSimulation(seed: 311)
        let leader = Scenario.awaitLeader(sim, withinMs: 1_000)!
        XCTAssertTrue(Scenario.proposeAndAwait(sim, count: 5).acknowledged)
        let follower = sim.nodeIDs.first { $0 != leader }!
        sim.run(forMs: 100)
        sim.crash(follower)
        XCTAssertNotNil(leaveBehind(sim, follower: follower, count: 60))
        let snapshotsBefore = Scenario.messages(sim, "snapshot")

        sim.restart(follower)
        XCTAssertTrue(sim.run(forMs: 3_000) { sim.allAcknowledgedAppliedEverywhere },
                      "the restarted follower did not catch up" + Scenario.context(sim))
        XCTAssertGreaterThan(Scenario.messages(sim, "snapshot"), snapshotsBefore, "no snapshot was sent")

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
            XCTAssertTrue(sim.run(forMs: 10_000) { sim.allAcknowledgedAppliedEverywhere },
                          "seed \(seed): the follower did not catch up over a lossy network" + Scenario.context(sim))
            XCTAssertGreaterThan(Scenario.messages(sim, "snapshot"), snapshotsBefore)
            XCTAssertEqual(Scenario.commitWithRetries(sim, count: 10).count, 10, Scenario.context(sim))
            sim.heal(clearingLossyNetwork: true)
            XCTAssertTrue(Scenario.awaitConvergence(sim), "seed \(seed)" + Scenario.context(sim))
            assertNoViolation(sim)
        }
    }

    /// The follower crashes right after the snapshot reached it, before it was durable: it restarts
    /// from its old log, and the leader must send the snapshot again.
    func testCrashDuringSnapshotInstallBeforeSync() {
        let sim = compactingSimulation(seed: 331)
        let leader = Scenario.awaitLeader(sim, withinMs: 1_000)!
        XCTAssertTrue(Scenario.proposeAndAwait(sim, count: 3).acknowledged)
        let follower = sim.nodeIDs.first { $0 != leader }!
        sim.run(forMs: 100)
        sim.isolate(follower)
        XCTAssertNotNil(leaveBehind(sim, follower: follower, count: 60))
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
        let sim = compactingSimulation(seed: 341)
        let leader = Scenario.awaitLeader(sim, withinMs: 1_000)!
        XCTAssertTrue(Scenario.proposeAndAwait(sim, count: 3).acknowledged)
        let follower = sim.nodeIDs.first { $0 != leader }!
        sim.run(forMs: 100)
        sim.isolate(follower)
        XCTAssertNotNil(leaveBehind(sim, follower: follower, count: 60))
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
