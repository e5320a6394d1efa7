import RaftEngine
import RaftSimulation
import XCTest

/// Shared helpers for the scenario tests: building simulations, waiting for leaders and
/// convergence, and reporting failures with the node states and the trace tail.
enum Scenario {
    /// Election timeout bounds and heartbeat interval of the default options, in milliseconds.
    static let electionTimeoutMinMs = ms(SimulationOptions().electionTimeoutMin)
    static let electionTimeoutMaxMs = ms(SimulationOptions().electionTimeoutMax)
    static let heartbeatMs = ms(SimulationOptions().heartbeatInterval)

    private static func ms(_ ticks: Int) -> UInt64 { UInt64(ticks * SimulationOptions().tickMs) }

    /// A simulation with `nodes` voters and `seed`; `configure` adjusts the remaining options.
    static func make(
        seed: UInt64, nodes: Int = 5, _ configure: (inout SimulationOptions) -> Void = { _ in }
    ) -> Simulation {
        var options = SimulationOptions(seed: seed, nodeCount: nodes)
        configure(&options)
        return Simulation(options: options)
    }

    static func quorum(_ sim: Simulation) -> Int { sim.nodeIDs.count / 2 + 1 }

    /// One line per node: role, term, leader, log, commit and applied index.
    static func describeNodes(_ sim: Simulation) -> String {
        sim.nodeIDs.map { id in
            guard let s = sim.status(of: id) else { return "n\(id) down" }
            return "n\(id) \(s.role.rawValue) t\(s.term) leader=n\(s.leader) last=\(s.lastIndex)/t\(s.lastTerm) "
                + "commit=\(s.commitIndex) applied=\(sim.appliedIndex(of: id)) snapshot=\(s.snapshotIndex)"
        }.joined(separator: "\n")
    }

    /// Node states and the most recent trace lines, for failure messages.
    static func context(_ sim: Simulation, traceLines: Int = 80) -> String {
        "\nviolation: \(sim.violation ?? "none")\nnodes:\n\(describeNodes(sim))\ntrace tail:\n"
            + sim.traceLines.suffix(traceLines).joined(separator: "\n")
    }

    /// The running leader (if any) that a quorum of the nodes in `group` follows in its term.
    static func stableLeader(_ sim: Simulation, among group: [NodeID]? = nil) -> NodeID? {
        let members = group ?? sim.nodeIDs
        for candidate in members {
            guard let status = sim.status(of: candidate), status.role == .leader else { continue }
            let followers = members.filter { id in
                guard let s = sim.status(of: id) else { return false }
                return s.term == status.term && s.leader == candidate
            }
            if followers.count >= quorum(sim) { return candidate }
        }
        return nil
    }

    /// Runs until a leader inside `group` is followed by a quorum of `group`, or the time is up.
    @discardableResult
    static func awaitLeader(_ sim: Simulation, among group: [NodeID]? = nil, withinMs: UInt64 = 3_000) -> NodeID? {
        var found: NodeID?
        sim.run(forMs: withinMs) {
            found = stableLeader(sim, among: group)
            return found != nil
        }
        return found
    }

    /// A simulation as `make` builds it, run until its first leader is stable (within 1 s, else the
    /// test stops at the caller), which then commits `committing` proposals; a failed commit is
    /// reported at the caller. Returns the simulation and that leader.
    static func startWithLeader(
        seed: UInt64, nodes: Int = 5, committing count: Int,
        file: StaticString = #filePath, line: UInt = #line,
        _ configure: (inout SimulationOptions) -> Void = { _ in }
    ) -> (sim: Simulation, leader: NodeID) {
        let sim = make(seed: seed, nodes: nodes, configure)
        guard let leader = awaitLeader(sim, withinMs: 1_000) else {
            fatalError("\(file):\(line): seed \(seed): no leader within 1 s" + context(sim))
        }
        XCTAssertTrue(proposeAndAwait(sim, count: count).acknowledged,
                      "the first leader could not commit \(count) proposals" + context(sim), file: file, line: line)
        return (sim, leader)
    }

    /// Runs until a leader inside `group` is followed by a quorum of `group`, like `awaitLeader`,
    /// and fails at the caller (with `message` and the context) when there is none in time.
    @discardableResult
    static func assertNewLeader(
        _ sim: Simulation, among group: [NodeID], withinMs: UInt64, _ message: String = "",
        file: StaticString = #filePath, line: UInt = #line
    ) -> NodeID? {
        let leader = awaitLeader(sim, among: group, withinMs: withinMs)
        XCTAssertNotNil(leader, message + context(sim), file: file, line: line)
        return leader
    }

    /// Proposes `count` commands on `target` (default: the leader) without running in between, then
    /// runs until all of them are acknowledged. Returns the ids of the accepted proposals.
    @discardableResult
    static func proposeAndAwait(
        _ sim: Simulation, count: Int, on target: NodeID? = nil, withinMs: UInt64 = 3_000
    ) -> (proposed: [UInt64], acknowledged: Bool) {
        let proposed = (0..<count).compactMap { _ in sim.propose(on: target) }
        let done = sim.run(forMs: withinMs) { proposed.allSatisfy(sim.isAcknowledged) }
        return (proposed, done && proposed.count == count)
    }

    /// Like a client that retries: keeps proposing on whoever leads until `count` proposals are
    /// acknowledged or the time is up. Returns the acknowledged proposal ids.
    static func commitWithRetries(_ sim: Simulation, count: Int, withinMs: UInt64 = 10_000) -> [UInt64] {
        var attempts: [UInt64] = []
        var acknowledged: [UInt64] { attempts.filter(sim.isAcknowledged) }
        let deadline = sim.now + withinMs * 1000
        while acknowledged.count < count, sim.now < deadline, sim.violation == nil {
            let batch = (0..<(count - acknowledged.count)).compactMap { _ in sim.propose() }
            if batch.isEmpty {
                sim.run(forMs: 20)
                continue
            }
            attempts += batch
            sim.run(forMs: min(1_000, (deadline - sim.now) / 1000)) { batch.allSatisfy(sim.isAcknowledged) }
        }
        return Array(acknowledged.prefix(count))
    }

    /// After the faults are gone: a client write is acknowledged, every acknowledged proposal is
    /// applied on every node, and all nodes applied the same prefix.
    @discardableResult
    static func awaitConvergence(_ sim: Simulation, withinMs: UInt64 = 10_000) -> Bool {
        var probes: [UInt64] = []
        var lastAttempt: UInt64?
        return sim.run(forMs: withinMs) {
            let probed = probes.contains(where: sim.isAcknowledged)
            if !probed, lastAttempt == nil || sim.now >= lastAttempt! + 300_000, let probe = sim.propose() {
                probes.append(probe)
                lastAttempt = sim.now
            }
            guard probed, sim.allAcknowledgedAppliedEverywhere else { return false }
            return Set(sim.nodeIDs.map(sim.appliedIndex(of:))).count == 1
        }
    }

    /// Largest term among running nodes.
    static func maxTerm(_ sim: Simulation) -> Term {
        sim.nodeIDs.compactMap { sim.status(of: $0)?.term }.max() ?? 0
    }

    static func messages(_ sim: Simulation, _ kinds: String...) -> Int {
        kinds.reduce(0) { $0 + sim.messagesSent[$1, default: 0] }
    }
}

/// Fails when the simulator's checker found a safety violation, printing the trace tail.
func assertNoViolation(_ sim: Simulation, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertNil(sim.violation, "safety violation" + Scenario.context(sim), file: file, line: line)
}
