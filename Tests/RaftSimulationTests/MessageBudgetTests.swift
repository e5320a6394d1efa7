import RaftEngine
import RaftSimulation
import XCTest

/// What an idle cluster and an election cost in messages.
final class MessageBudgetTests: XCTestCase {
    func testIdleLeaderSendsOnlyHeartbeats() {
        for (seed, nodes) in [(UInt64(601), 5), (602, 3)] {
            let sim = Scenario.make(seed: seed, nodes: nodes)
            XCTAssertNotNil(Scenario.awaitLeader(sim, withinMs: 1_000))
            sim.run(forMs: 500)
            let leader = sim.leader!
            let followers = nodes - 1
            let before = sim.messagesSent
            let totalBefore = sim.totalMessagesSent

            sim.run(forMs: 1_000)
            XCTAssertEqual(sim.leader, leader)
            let delta = { (kind: String) in sim.messagesSent[kind, default: 0] - before[kind, default: 0] }
            let rounds = Int(1_000 / Scenario.heartbeatMs)
            let budget = (rounds + 1) * followers
            XCTAssertLessThanOrEqual(delta("heartbeat"), budget, "seed \(seed): too many heartbeats")
            XCTAssertLessThanOrEqual(delta("heartbeat-response"), budget, "seed \(seed): too many heartbeat responses")
            XCTAssertGreaterThanOrEqual(delta("heartbeat"), (rounds - 1) * followers, "seed \(seed): the leader stopped heartbeating")
            XCTAssertEqual(sim.totalMessagesSent - totalBefore, delta("heartbeat") + delta("heartbeat-response"),
                           "seed \(seed): an idle cluster sent something besides heartbeats: \(sim.messagesSent) vs \(before)")
            assertNoViolation(sim)
        }
    }

    func testElectionFromScratchIsCheap() {
        for seed in UInt64(611)...620 {
            for nodes in [3, 5] {
                let sim = Scenario.make(seed: seed, nodes: nodes)
                let leader = sim.awaitStableLeader(withinMs: 2_000)
                XCTAssertNotNil(leader, "seed \(seed)")
                let budget = 4 * nodes * (nodes - 1)
                XCTAssertLessThanOrEqual(sim.totalMessagesSent, budget,
                                         "seed \(seed), \(nodes) nodes: the election cost \(sim.totalMessagesSent) messages: \(sim.messagesSent)"
                                             + Scenario.context(sim))
                assertNoViolation(sim)
            }
        }
    }

    func testReElectionAfterLeaderCrashIsCheap() {
        for seed in UInt64(621)...625 {
            let sim = Scenario.make(seed: seed)
            let leader = Scenario.awaitLeader(sim, withinMs: 1_000)!
            sim.run(forMs: 300)
            let heartbeatKinds = ["heartbeat", "heartbeat-response"]
            let before = sim.totalMessagesSent - heartbeatKinds.reduce(0) { $0 + sim.messagesSent[$1, default: 0] }
            sim.crash(leader)
            XCTAssertNotNil(Scenario.awaitLeader(sim, among: sim.nodeIDs.filter { $0 != leader }, withinMs: 2_000),
                            "seed \(seed)" + Scenario.context(sim))
            let after = sim.totalMessagesSent - heartbeatKinds.reduce(0) { $0 + sim.messagesSent[$1, default: 0] }
            let nodes = sim.nodeIDs.count
            XCTAssertLessThanOrEqual(after - before, 4 * nodes * (nodes - 1), "seed \(seed): \(sim.messagesSent)")
            assertNoViolation(sim)
        }
    }
}
