import RaftClient

/// The partitions `p` cycles through.
public enum PartitionPreset: Sendable, Equatable, CaseIterable {
    /// The leader alone against everyone else.
    case isolateLeader
    /// The leader and one follower against the other three: the majority elects a new leader.
    case majorityMinority
    /// Two, two and one: no group has a majority, so nobody can lead.
    case noMajority

    public var next: PartitionPreset {
        let all = Self.allCases
        return all[(all.firstIndex(of: self)! + 1) % all.count]
    }

    /// The groups for `nodes`, built around `leader` (or the first node when there is none).
    /// Nil when the cluster is too small for this preset.
    public func spec(nodes: [Int], leader: Int?) -> PartitionSpec? {
        guard nodes.count >= 2 else { return nil }
        let pivot = leader.flatMap { nodes.contains($0) ? $0 : nil } ?? nodes[0]
        let others = nodes.filter { $0 != pivot }
        switch self {
        case .isolateLeader:
            return PartitionSpec(groups: [[pivot], others])
        case .majorityMinority:
            let minority = nodes.count / 2
            guard minority >= 1 else { return nil }
            return PartitionSpec(groups: [[pivot] + others.prefix(minority - 1), Array(others.dropFirst(minority - 1))])
        case .noMajority:
            guard nodes.count >= 3 else { return nil }
            let size = max(1, (nodes.count - 1) / 2)
            let ordered = [pivot] + others
            return PartitionSpec(groups: [Array(ordered.prefix(size)), Array(ordered.dropFirst(size).prefix(size)), Array(ordered.dropFirst(2 * size))])
        }
    }
}
