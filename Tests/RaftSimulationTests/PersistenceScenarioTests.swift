import RaftEngine
import RaftSimulation
import XCTest

/// Crashes and restarts: durable state survives, terms never go backwards, the cluster keeps
/// making progress; Figure 8 and churn, reliable and unreliable.
final class PersistenceScenarioTests: XCTestCase {
    /// Each running node's term, after a quiet period so that it is durable.
    private func terms(_ sim: Simulation) -> [NodeID: Term] {
        Dictionary(uniqueKeysWithValues: sim.nodeIDs.compactMap { id in sim.status(of: id).map { (id, $0.term) } })
    }

    private func assertTermsDidNotGoBack(
        _ sim: Simulation, from before: [NodeID: Term], file: StaticString = #filePath, line: UInt = #line
    ) {
        for (id, term) in before {
            guard let now = sim.status(of: id)?.term else { continue }
            XCTAssertGreaterThanOrEqual(now, term, "n\(id)'s term went backwards across a restart", file: file, line: line)
        }
    }

    /// The cluster converges, at least `count` proposals were acknowledged in all, and no safety
    /// property was violated.
    private func assertRecovered(
        _ sim: Simulation, acknowledgedAtLeast count: Int, file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertTrue(Scenario.awaitConvergence(sim), Scenario.context(sim), file: file, line: line)
        XCTAssertGreaterThanOrEqual(sim.acknowledgedProposals.count, count, file: file, line: line)
        assertNoViolation(sim, file: file, line: line)
    }

    func testPersistOneNode() {
        let (sim, leader) = Scenario.startWithLeader(seed: 201, committing: 10)
        sim.run(forMs: 100)

        let follower = sim.nodeIDs.first { $0 != leader }!
        var before = terms(sim)
        let appliedBefore = sim.appliedIndex(of: follower)
        sim.crash(follower)
        XCTAssertFalse(sim.isUp(follower))
        XCTAssertTrue(Scenario.proposeAndAwait(sim, count: 5).acknowledged, "progress with one follower down")
        sim.restart(follower)
        assertTermsDidNotGoBack(sim, from: before)
        XCTAssertTrue(Scenario.proposeAndAwait(sim, count: 5).acknowledged)
        XCTAssertTrue(sim.run(forMs: 2_000) { sim.allAcknowledgedAppliedEverywhere }, Scenario.context(sim))
        XCTAssertGreaterThan(sim.appliedIndex(of: follower), appliedBefore)

        // Now the leader.
        sim.run(forMs: 100)
        before = terms(sim)
        sim.crash(leader)
        Scenario.assertNewLeader(sim, among: sim.nodeIDs.filter { $0 != leader }, withinMs: 1_500)
        XCTAssertTrue(Scenario.proposeAndAwait(sim, count: 5).acknowledged, Scenario.context(sim))
        sim.restart(leader)
        assertTermsDidNotGoBack(sim, from: before)
        assertRecovered(sim, acknowledgedAtLeast: 25)
    }

    func testPersistSeveralNodes() {
        let sim = Scenario.make(seed: 211)
        var random = SeededRandom(seed: 211)
        XCTAssertNotNil(Scenario.awaitLeader(sim, withinMs: 1_000))
        for round in 1...5 {
            XCTAssertEqual(Scenario.commitWithRetries(sim, count: 5).count, 5, "round \(round)" + Scenario.context(sim))
            sim.run(forMs: 50)
            let before = terms(sim)
            // The leader and one other node: a minority.
            let leader = sim.leader!
            let other = sim.nodeIDs.filter { $0 != leader }.randomElement(using: &random)!
            sim.crash(leader)
            sim.crash(other)
            Scenario.assertNewLeader(sim, among: sim.nodeIDs.filter { $0 != leader && $0 != other }, withinMs: 2_000,
                                     "round \(round): the survivors elected nobody")
            XCTAssertEqual(Scenario.commitWithRetries(sim, count: 3).count, 3, "round \(round)" + Scenario.context(sim))
            sim.restart(leader)
            sim.restart(other, afterMs: 100)
            sim.run(forMs: 150)
            assertTermsDidNotGoBack(sim, from: before)
        }
        assertRecovered(sim, acknowledgedAtLeast: 40)
    }

    func testPersistAllNodes() {
        let sim = Scenario.make(seed: 221)
        XCTAssertNotNil(Scenario.awaitLeader(sim, withinMs: 1_000))
        for round in 1...3 {
            XCTAssertEqual(Scenario.commitWithRetries(sim, count: 10).count, 10, "round \(round)" + Scenario.context(sim))
            sim.run(forMs: 100)
            let before = terms(sim)
            let acknowledged = sim.acknowledgedProposals.count
            let highest = sim.acknowledgedProposals.map(\.index).max()!
            for id in sim.nodeIDs { sim.crash(id) }
            XCTAssertNil(sim.leader)
            sim.run(forMs: 200)
            for id in sim.nodeIDs { sim.restart(id) }
            assertTermsDidNotGoBack(sim, from: before)
            XCTAssertNotNil(sim.awaitStableLeader(withinMs: 2_000), "round \(round): no leader after a full restart" + Scenario.context(sim))
            XCTAssertEqual(Scenario.commitWithRetries(sim, count: 1).count, 1, Scenario.context(sim))
            XCTAssertTrue(sim.run(forMs: 2_000) { sim.allAcknowledgedAppliedEverywhere },
                          "round \(round): acknowledged proposals lost in a full restart" + Scenario.context(sim))
            XCTAssertGreaterThan(sim.acknowledgedProposals.count, acknowledged)
            for id in sim.nodeIDs { XCTAssertGreaterThanOrEqual(sim.appliedIndex(of: id), highest) }
        }
        assertNoViolation(sim)
    }

    /// A partitioned leader and one follower crash; the leader restarts and rejoins.
    func testPartitionedLeaderAndFollowerCrash() {
        let (sim, leader) = Scenario.startWithLeader(seed: 231, nodes: 3, committing: 3)
        let followers = sim.nodeIDs.filter { $0 != leader }

        sim.isolate(followers[1])
        XCTAssertTrue(Scenario.proposeAndAwait(sim, count: 3).acknowledged, Scenario.context(sim))
        sim.crash(leader)
        sim.crash(followers[0])
        sim.heal()
        sim.restart(followers[0])
        Scenario.assertNewLeader(sim, among: followers, withinMs: 2_000)
        XCTAssertEqual(Scenario.commitWithRetries(sim, count: 2).count, 2, Scenario.context(sim))
        sim.restart(leader)
        XCTAssertTrue(Scenario.awaitConvergence(sim), Scenario.context(sim))
        assertNoViolation(sim)
    }

    func testFigure8WithCrashes() {
        for seed in UInt64(241)...245 {
            let sim = Scenario.make(seed: seed)
            var random = SeededRandom(seed: seed)
            XCTAssertNotNil(Scenario.awaitLeader(sim, withinMs: 1_000))
            XCTAssertTrue(Scenario.proposeAndAwait(sim, count: 1).acknowledged)
            let startTerm = Scenario.maxTerm(sim)
            var crashes = 0
            for _ in 0..<30 {
                sim.run(forMs: 1_000) { sim.leader != nil }
                var leader: NodeID?
                for id in sim.nodeIDs where sim.propose(on: id) != nil { leader = id }
                let pause: UInt64 = Int.random(in: 0..<10, using: &random) == 0
                    ? UInt64.random(in: 0...500, using: &random) : UInt64.random(in: 0...13, using: &random)
                sim.run(forMs: pause)
                let up = sim.nodeIDs.filter(sim.isUp)
                if let leader, sim.isUp(leader), Int.random(in: 0..<4, using: &random) != 0 {
                    sim.crash(leader)
                    crashes += 1
                } else if up.count > 3, let victim = up.randomElement(using: &random) {
                    sim.crash(victim)
                    crashes += 1
                }
                let down = sim.nodeIDs.filter { !sim.isUp($0) }
                if sim.nodeIDs.count - down.count < 3 || Int.random(in: 0..<3, using: &random) == 0,
                   let back = down.randomElement(using: &random) {
                    sim.restart(back)
                }
                XCTAssertGreaterThanOrEqual(sim.nodeIDs.filter(sim.isUp).count, 3, "a majority must stay up")
                if sim.violation != nil { break }
            }
            XCTAssertGreaterThanOrEqual(crashes, 15, "seed \(seed): the scenario crashed too few nodes")
            XCTAssertGreaterThan(Scenario.maxTerm(sim), startTerm + 10, "seed \(seed): too few elections")
            for id in sim.nodeIDs { sim.restart(id) }
            XCTAssertNotNil(sim.awaitStableLeader(withinMs: 3_000), "seed \(seed)" + Scenario.context(sim))
            XCTAssertTrue(Scenario.awaitConvergence(sim), "seed \(seed): no convergence" + Scenario.context(sim))
            XCTAssertGreaterThan(sim.acknowledgedProposals.count, 5)
            assertNoViolation(sim)
        }
    }

    func testFigure8WithUnreliableNetwork() {
        var elections: Term = 0
        var progress = 0
        for seed in UInt64(251)...255 {
            let sim = Scenario.make(seed: seed)
            var random = SeededRandom(seed: seed)
            XCTAssertNotNil(Scenario.awaitLeader(sim, withinMs: 1_000))
            let startTerm = Scenario.maxTerm(sim)
            sim.setNetwork(dropRate: 0.1, duplicateRate: 0.05, longTailRate: 0.1)
            var disconnected: [NodeID] = []
            for _ in 0..<100 {
                var leader: NodeID?
                for id in sim.nodeIDs where sim.propose(on: id) != nil { leader = id }
                let pause: UInt64 = Int.random(in: 0..<10, using: &random) == 0
                    ? UInt64.random(in: 0...500, using: &random) : UInt64.random(in: 0...13, using: &random)
                sim.run(forMs: pause)
                if let leader, !disconnected.contains(leader), Bool.random(using: &random) {
                    disconnected.append(leader)
                }
                if sim.nodeIDs.count - disconnected.count < 3 {
                    disconnected.remove(at: Int.random(in: 0..<disconnected.count, using: &random))
                }
                let connected = sim.nodeIDs.filter { !disconnected.contains($0) }
                sim.partition([connected] + disconnected.map { [$0] })
                if sim.violation != nil { break }
            }
            elections += Scenario.maxTerm(sim) - startTerm
            progress += sim.acknowledgedProposals.count
            sim.heal(clearingLossyNetwork: true)
            XCTAssertNotNil(sim.awaitStableLeader(withinMs: 3_000), "seed \(seed)" + Scenario.context(sim))
            XCTAssertTrue(Scenario.awaitConvergence(sim), "seed \(seed): no convergence" + Scenario.context(sim))
            XCTAssertGreaterThan(sim.acknowledgedProposals.count, 1)
            assertNoViolation(sim)
        }
        XCTAssertGreaterThanOrEqual(elections, 12, "the faults caused too few elections to be a test")
        XCTAssertGreaterThanOrEqual(progress, 25, "too little progress under faults")
    }

    /// Returns how many proposals were acknowledged while the churn went on.
    @discardableResult
    private func churn(seed: UInt64, unreliable: Bool) -> Int {
        let sim = Scenario.make(seed: seed)
        var random = SeededRandom(seed: seed)
        XCTAssertNotNil(Scenario.awaitLeader(sim, withinMs: 1_000))
        if unreliable { sim.setNetwork(dropRate: 0.1, duplicateRate: 0.05, longTailRate: 0.05) }
        var crashes = 0
        for _ in 0..<80 {
            for _ in 0..<Int.random(in: 0...3, using: &random) {
                let target = sim.nodeIDs.randomElement(using: &random)!
                sim.propose(on: Bool.random(using: &random) ? target : nil)
            }
            let roll = Int.random(in: 0..<100, using: &random)
            if roll < 15, let victim = sim.nodeIDs.filter(sim.isUp).randomElement(using: &random) {
                sim.crash(victim)
                crashes += 1
            } else if roll < 45, let down = sim.nodeIDs.filter({ !sim.isUp($0) }).randomElement(using: &random) {
                sim.restart(down)
            } else if unreliable, roll < 55 {
                let shuffled = sim.nodeIDs.shuffled(using: &random)
                sim.partition([Array(shuffled.prefix(2)), Array(shuffled.dropFirst(2))])
            } else if unreliable, roll < 65 {
                sim.heal()
            }
            sim.run(forMs: UInt64.random(in: 10...80, using: &random))
            if sim.violation != nil { break }
        }
        XCTAssertGreaterThan(crashes, 5)
        let progress = sim.acknowledgedProposals.count
        sim.heal(clearingLossyNetwork: true)
        for id in sim.nodeIDs { sim.restart(id) }
        XCTAssertNotNil(sim.awaitStableLeader(withinMs: 3_000), "seed \(seed)" + Scenario.context(sim))
        XCTAssertTrue(Scenario.awaitConvergence(sim), "seed \(seed): no convergence after churn" + Scenario.context(sim))
        assertNoViolation(sim)
        return progress
    }

    func testReliableChurn() {
        let progress = (UInt64(261)...264).map { churn(seed: $0, unreliable: false) }
        XCTAssertGreaterThanOrEqual(progress.reduce(0, +), 80, "too little progress during the churn: \(progress)")
    }

    func testUnreliableChurn() {
        let progress = (UInt64(271)...274).map { churn(seed: $0, unreliable: true) }
        XCTAssertGreaterThanOrEqual(progress.reduce(0, +), 25, "too little progress during the churn: \(progress)")
    }
}
