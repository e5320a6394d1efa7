import RaftEngine
import RaftSimulation
import XCTest

/// A seed replays the same run exactly; randomized runs find no violation.
final class DeterminismTests: XCTestCase {
    func testSameSeedReplaysIdentically() {
        var run = RandomizedRun(seed: 42, durationMs: 2_000)
        run.fullTrace = true
        let first = run.run()
        let second = run.run()
        XCTAssertNil(first.violation, "seed 42: \(first.violation ?? "")\n" + first.traceLines.suffix(60).joined(separator: "\n"))
        XCTAssertNil(second.violation)
        XCTAssertGreaterThan(first.traceLines.count, 400, "fullTrace should keep every event")
        XCTAssertEqual(first.traceLines, second.traceLines)
        XCTAssertEqual(first.traceDigest, second.traceDigest)
        XCTAssertEqual(first.acknowledged, second.acknowledged)
        XCTAssertEqual(first.messages, second.messages)
        XCTAssertEqual(first.simulatedMs, second.simulatedMs)
    }

    func testDifferentSeedsDiverge() {
        let results = (UInt64(42)...45).map { RandomizedRun(seed: $0, durationMs: 1_000).run() }
        let digests = results.map(\.traceDigest)
        XCTAssertEqual(Set(digests).count, digests.count, "different seeds gave the same trace digest")
        for result in results {
            XCTAssertNil(result.violation, "seed \(result.seed): \(result.violation ?? "")")
        }
    }

    func testScriptedScenarioReplaysIdentically() {
        func script() -> Simulation {
            let sim = Scenario.make(seed: 7) { $0.dropRate = 0.05; $0.tickSkew = 0.1; $0.fullTrace = true }
            Scenario.awaitLeader(sim, withinMs: 1_000)
            for _ in 0..<20 { sim.propose() }
            sim.run(forMs: 100)
            if let leader = sim.leader { sim.crash(leader) }
            sim.run(forMs: 500)
            sim.heal()
            for id in sim.nodeIDs { sim.restart(id) }
            sim.run(forMs: 500)
            return sim
        }
        let a = script(), b = script()
        XCTAssertEqual(a.traceDigest, b.traceDigest)
        XCTAssertEqual(a.traceLines, b.traceLines)
        XCTAssertEqual(a.acknowledgedProposals.map(\.proposal), b.acknowledgedProposals.map(\.proposal))
        XCTAssertEqual(a.messagesSent, b.messagesSent)
        assertNoViolation(a)
        assertNoViolation(b)
    }

    func testRandomizedSweep() {
        for seed in UInt64(1)...20 {
            let result = RandomizedRun(seed: seed, durationMs: 3_000).run()
            XCTAssertNil(result.violation, "seed \(seed): \(result.violation ?? "")\n"
                         + result.traceLines.suffix(60).joined(separator: "\n"))
            XCTAssertGreaterThan(result.acknowledged, 0, "seed \(seed): nothing was acknowledged")
        }
    }
}
