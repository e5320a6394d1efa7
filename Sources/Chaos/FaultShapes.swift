import RaftEngine

/// Chooses the nodes of a fault from a seeded generator and, for leader-targeting kinds, the
/// leader at the moment the fault starts. Pure, so every shape is unit-tested.
public enum FaultShapes {
    /// The fault of `kind` (not `mixed`) on `nodes`; `leader` is used when the kind targets it, and a
    /// random node stands in when no leader is known.
    public static func fault(_ kind: NemesisKind, nodes: [Int], leader: Int?, random: inout SeededRandom) -> Fault {
        precondition(nodes.count >= 3, "fault shapes need at least three nodes")
        let shuffled = nodes.shuffled(using: &random)
        let target = leader.flatMap { nodes.contains($0) ? $0 : nil } ?? shuffled[0]
        let others = shuffled.filter { $0 != target }
        let majority = nodes.count / 2 + 1
        switch kind {
        case .killRandom:
            return .kill([shuffled[0]])
        case .killLeader:
            return .kill([target])
        case .killMajority:
            return .kill(Array(shuffled.prefix(majority)).sorted())
        case .pauseLeader:
            return .pause([target])
        case .partitionOne:
            return .partition(PartitionCuts(groups: [[shuffled[0]], Array(shuffled.dropFirst()).sorted()]))
        case .partitionLeader:
            return .partition(PartitionCuts(groups: [[target], others.sorted()]))
        case .partitionHalves:
            let minority = Int.random(in: 1...(nodes.count - majority), using: &random)
            return .partition(PartitionCuts(groups: [Array(shuffled.prefix(minority)).sorted(),
                                                     Array(shuffled.dropFirst(minority)).sorted()]))
        case .partitionBridge:
            return .partition(bridge(shuffled))
        case .partitionRing:
            return .partition(ring(shuffled))
        case .netnsHalves:
            guard case .partition(let cuts) = fault(.partitionHalves, nodes: nodes, leader: leader, random: &random) else {
                preconditionFailure("partition-halves makes a partition")
            }
            return .networkPartition(cuts)
        case .netnsLeaderLink:
            return .linkDown([target])
        case .degradeLinks:
            let faults = LinkFaults(delayMs: Int.random(in: 5...20, using: &random), jitterMs: Int.random(in: 10...40, using: &random),
                                    lossPercent: Int.random(in: 5...30, using: &random))
            return .degradeLinks(nodes.sorted(), faults)
        case .mixed:
            let concrete = NemesisKind.mixable.randomElement(using: &random)!
            return fault(concrete, nodes: nodes, leader: leader, random: &random)
        }
    }

    /// `order[0]` is the bridge; the rest split into two halves that are cut from each other.
    static func bridge(_ order: [Int]) -> PartitionCuts {
        let rest = Array(order.dropFirst())
        let half = rest.count / 2
        let left = Array(rest.prefix(half)), right = Array(rest.dropFirst(half))
        var pairs: [(Int, Int)] = []
        for a in left { for b in right { pairs.append((a, b)) } }
        return PartitionCuts(nodes: order, cutPairs: pairs)
    }

    /// Nodes on a ring in `order`; each keeps links only to its two neighbours.
    static func ring(_ order: [Int]) -> PartitionCuts {
        let n = order.count
        var pairs: [(Int, Int)] = []
        for i in 0..<n {
            for j in (i + 1)..<n {
                let distance = min(j - i, n - (j - i))
                if distance > 1 { pairs.append((order[i], order[j])) }
            }
        }
        return PartitionCuts(nodes: order, cutPairs: pairs)
    }
}
