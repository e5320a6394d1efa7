import RaftEngine

/// Picks and applies random faults. Besides single faults it runs bursts of leader crashes a few
/// milliseconds apart, the schedule under which committing an older term's entry by counting
/// replicas goes wrong (Raft paper, Figure 8).
struct Nemesis {
    /// Leader crashes still to come in the current burst.
    private(set) var burstRemaining = 0

    /// Crashes the current leader (if any) and restarts it shortly after.
    mutating func crashLeaderQuickly(_ simulation: Simulation, using random: inout SeededRandom) {
        burstRemaining -= 1
        guard let leader = simulation.leader else { return }
        simulation.crash(leader)
        simulation.restart(leader, afterMs: UInt64.random(in: 5...150, using: &random))
    }

    mutating func strike(_ simulation: Simulation, using random: inout SeededRandom) {
        let ids = simulation.nodeIDs
        let someone = ids.randomElement(using: &random)!
        let leader = simulation.leader ?? someone
        let shuffled = ids.shuffled(using: &random)
        let minority = Array(shuffled.prefix((ids.count - 1) / 2))
        switch Int.random(in: 0..<14, using: &random) {
        case 0, 1:
            simulation.heal()
        case 2:
            simulation.isolate(someone)
        case 3:
            simulation.isolate(leader)
        case 4:
            simulation.partition([minority, ids.filter { !minority.contains($0) }])
        case 5:
            let other = ids.filter { $0 != leader }.randomElement(using: &random)!
            simulation.cutLink(from: leader, to: other)
            simulation.cutLink(from: other == someone ? leader : someone, to: other)
        case 6:
            let half = (ids.count - 1) / 2
            simulation.bridge(Array(shuffled.prefix(half)), shuffled[half], Array(shuffled.dropFirst(half + 1)))
        case 7:
            simulation.majoritiesRing()
        case 8:
            simulation.crash(someone)
            simulation.restart(someone, afterMs: UInt64.random(in: 50...2_000, using: &random))
        case 9:
            simulation.crash(leader)
            simulation.restart(leader, afterMs: UInt64.random(in: 50...2_000, using: &random))
        case 10:
            for id in shuffled.prefix(ids.count / 2 + 1) {
                simulation.crash(id)
                simulation.restart(id, afterMs: UInt64.random(in: 50...1_500, using: &random))
            }
        case 12:
            burstRemaining = Int.random(in: 5...20, using: &random)
        case 13:
            _ = simulation.transferLeadership(to: someone)
        default:
            for id in ids {
                simulation.crash(id)
                simulation.restart(id, afterMs: UInt64.random(in: 10...500, using: &random))
            }
        }
    }
}
