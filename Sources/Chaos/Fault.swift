/// One concrete fault, with its nodes chosen: what the nemesis does when the fault starts, and
/// undoes when it ends.
public enum Fault: Sendable, Equatable, CustomStringConvertible {
    /// SIGKILL these nodes; restart them at the end.
    case kill([Int])
    /// SIGSTOP these nodes; SIGCONT them at the end.
    case pause([Int])
    /// For each node, the peers it drops all traffic to and from (symmetric), through the
    /// Control API; heal at the end.
    case partition(PartitionCuts)
    /// The same cut made by the kernel: blackhole routes in the nodes' network namespaces.
    case networkPartition(PartitionCuts)
    /// These nodes' network links down; up again at the end.
    case linkDown([Int])
    /// These nodes' outgoing Raft messages delayed and dropped, through the Control API; healed
    /// at the end.
    case degradeLinks([Int], LinkFaults)

    public var description: String {
        switch self {
        case .kill(let nodes): return "kill -9 " + Self.list(nodes)
        case .pause(let nodes): return "pause (SIGSTOP) " + Self.list(nodes)
        case .partition(let cuts): return "partition " + cuts.description
        case .networkPartition(let cuts): return "network partition " + cuts.description
        case .linkDown(let nodes): return "link down " + Self.list(nodes)
        case .degradeLinks(let nodes, let faults): return "degrade links of " + Self.list(nodes) + ": " + faults.description
        }
    }

    /// Whether the fault leaves no node able to lead: no majority alive, or none reachable from one node.
    public func affectsMajority(nodeCount: Int) -> Bool {
        let majority = nodeCount / 2 + 1
        switch self {
        case .kill(let nodes), .pause(let nodes), .linkDown(let nodes): return nodes.count >= majority
        case .degradeLinks: return false
        case .partition(let cuts), .networkPartition(let cuts):
            // A leader needs only its own links to a majority (a bridge node or a ring member has them).
            return !cuts.cuts.keys.contains { cuts.reachable(from: $0).count >= majority }
        }
    }

    private static func list(_ nodes: [Int]) -> String {
        (nodes.count == 1 ? "node " : "nodes ") + nodes.map(String.init).joined(separator: ",")
    }
}

/// Delay and loss of a node's outgoing Raft messages (the Control API's `DegradeLinks`).
public struct LinkFaults: Sendable, Equatable, CustomStringConvertible {
    public var delayMs: Int
    public var jitterMs: Int
    public var lossPercent: Int

    public init(delayMs: Int, jitterMs: Int, lossPercent: Int) {
        self.delayMs = delayMs
        self.jitterMs = jitterMs
        self.lossPercent = lossPercent
    }

    public var description: String { "\(delayMs) ms + up to \(jitterMs) ms, \(lossPercent)% dropped" }
}

/// Who cannot talk to whom: for each node, the set of peers it is cut off from. Always symmetric.
public struct PartitionCuts: Sendable, Equatable, CustomStringConvertible {
    public private(set) var cuts: [Int: Set<Int>]

    /// Cuts every pair `(a, b)` in both directions.
    public init(nodes: [Int], cutPairs: [(Int, Int)]) {
        var cuts = Dictionary(uniqueKeysWithValues: nodes.map { ($0, Set<Int>()) })
        for (a, b) in cutPairs where a != b {
            cuts[a, default: []].insert(b)
            cuts[b, default: []].insert(a)
        }
        self.cuts = cuts
    }

    /// Groups that cannot reach each other; nodes in the same group can.
    public init(groups: [[Int]]) {
        var pairs: [(Int, Int)] = []
        for (i, group) in groups.enumerated() {
            for other in groups[(i + 1)...] {
                for a in group { for b in other { pairs.append((a, b)) } }
            }
        }
        self.init(nodes: groups.flatMap { $0 }, cutPairs: pairs)
    }

    /// The peers `node` can still reach, itself included.
    public func reachable(from node: Int) -> Set<Int> {
        Set(cuts.keys).subtracting(cuts[node] ?? [])
    }

    /// `1-2 1-4 ...`: every cut link once, in order.
    public var description: String {
        let links = cuts.keys.sorted().flatMap { a in (cuts[a] ?? []).filter { $0 > a }.sorted().map { "\(a)x\($0)" } }
        return "cut " + links.joined(separator: " ")
    }
}
