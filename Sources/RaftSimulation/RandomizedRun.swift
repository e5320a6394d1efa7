import RaftEngine

/// One seeded run with every fault kind: a random network profile (loss, duplication, long-tail
/// reordering), tick skew, snapshots, and a nemesis that partitions (one node, leader, minority,
/// asymmetric, bridge, majorities ring) and crashes (one node, the leader, a majority, everyone).
/// In storage-fault mode nodes write through the real write-ahead log and crashes tear its
/// unsynced tail. Then every fault heals and liveness is checked: a leader appears and every
/// acknowledged proposal reaches every node.
public struct RandomizedRun {
    /// What a run found.
    public struct Result: Sendable {
        public var seed: UInt64
        public var violation: String?
        public var simulatedMs: UInt64
        public var acknowledged: Int
        public var confirmedReads: Int
        public var messages: Int
        public var faults: Int
        public var traceDigest: UInt64
        public var traceLines: [String]
    }

    public var seed: UInt64
    public var durationMs: UInt64
    /// Bound for the liveness phase after healing.
    public var livenessMs: UInt64 = 10_000
    public var fullTrace = false
    /// Storage-fault mode for this run; nil lets the seed decide (one run in four).
    public var realStorage: Bool?

    public init(seed: UInt64, durationMs: UInt64) {
        self.seed = seed
        self.durationMs = durationMs
    }

    /// The options a seed maps to: its fault profile is itself drawn from the seed.
    public func options() -> SimulationOptions {
        var random = SeededRandom(seed: seed ^ 0xFA17)
        var options = SimulationOptions(seed: seed)
        options.dropRate = Double.random(in: 0...0.15, using: &random)
        options.duplicateRate = Double.random(in: 0...0.08, using: &random)
        options.longTailRate = Double.random(in: 0...0.12, using: &random)
        options.longTailMicros = [200_000, 1_500_000].randomElement(using: &random)!
        options.tickSkew = Double.random(in: 0...0.2, using: &random)
        options.snapshotEvery = [0, 16, 64, 256].randomElement(using: &random)!
        options.maxInflightMessages = [1, 4, 64].randomElement(using: &random)!
        options.maxMessageBytes = [64, 4096, 1 << 20].randomElement(using: &random)!
        let storageDraw = Int.random(in: 0..<4, using: &random) == 0
        options.realStorage = realStorage ?? storageDraw
        options.fullTrace = fullTrace
        return options
    }

    public func run() -> Result {
        let simulation = Simulation(options: options())
        var random = SeededRandom(seed: seed ^ 0xC11E)
        var nextNemesisMs = UInt64.random(in: 200...1_000, using: &random)
        var faults = 0
        var nemesis = Nemesis()
        var elapsed: UInt64 = 0
        let slice: UInt64 = 5

        while elapsed < durationMs, simulation.violation == nil {
            simulation.run(forMs: slice)
            elapsed += slice
            for _ in 0..<Int.random(in: 0...2, using: &random) {
                let target = simulation.nodeIDs.randomElement(using: &random)!
                simulation.propose(on: Bool.random(using: &random) ? target : nil)
            }
            if Int.random(in: 0..<4, using: &random) == 0 {
                simulation.read(on: simulation.nodeIDs.randomElement(using: &random)!)
            }
            if elapsed >= nextNemesisMs {
                if nemesis.burstRemaining > 0 {
                    nemesis.crashLeaderQuickly(simulation, using: &random)
                    nextNemesisMs = elapsed + UInt64.random(in: 5...80, using: &random)
                } else {
                    nemesis.strike(simulation, using: &random)
                    nextNemesisMs = elapsed + UInt64.random(in: 100...1_500, using: &random)
                }
                faults += 1
            }
        }

        if simulation.violation == nil {
            checkLiveness(simulation)
        }
        return Result(
            seed: seed, violation: simulation.violation, simulatedMs: simulation.now / 1000,
            acknowledged: simulation.acknowledgedProposals.count, confirmedReads: simulation.confirmedReads,
            messages: simulation.totalMessagesSent, faults: faults, traceDigest: simulation.traceDigest,
            traceLines: simulation.traceLines)
    }

    /// After healing everything: a leader within the bound, every acknowledged proposal applied on
    /// every node, and a fresh proposal committed.
    private func checkLiveness(_ simulation: Simulation) {
        simulation.heal(clearingLossyNetwork: true)
        for id in simulation.nodeIDs { simulation.restart(id) }
        guard simulation.awaitStableLeader(withinMs: livenessMs) != nil else {
            simulation.checkerReport("Liveness: no stable leader within \(livenessMs) ms after all faults healed; \(simulation.describeNodes())")
            return
        }
        // A client retries its write until one attempt is acknowledged (an attempt made on a leader
        // that is deposed before committing it is lost, as Raft allows).
        var probes: [UInt64] = []
        var lastAttempt: UInt64 = 0
        let settled = simulation.run(forMs: livenessMs) {
            if !probes.contains(where: simulation.isAcknowledged), simulation.now >= lastAttempt + 500_000 {
                if let probe = simulation.propose() {
                    probes.append(probe)
                    lastAttempt = simulation.now
                }
            }
            return probes.contains(where: simulation.isAcknowledged) && simulation.allAcknowledgedAppliedEverywhere
        }
        if !settled && simulation.violation == nil {
            simulation.checkerReport("Liveness: acknowledged proposals not applied on every node within \(livenessMs) ms after healing; \(simulation.describeNodes())")
        }
    }
}

extension Simulation {
    /// One line per node: role, term, and how far its log is written, durable, committed, applied.
    func describeNodes() -> String {
        nodes.map { node in
            guard let s = node.engine?.status else { return "n\(node.id) down" }
            return "n\(node.id) \(s.role.rawValue) t\(s.term) last=\(s.lastIndex) persisted=\(s.persistedIndex) commit=\(s.commitIndex) applied=\(node.appliedIndex) snapshot=\(s.snapshotIndex)"
        }.joined(separator: "; ")
    }

    /// Records a failure found outside the per-step checks (liveness).
    func checkerReport(_ text: String) {
        checker.report(text)
        trace.record(now, .violation(text))
    }
}
