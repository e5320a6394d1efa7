/// What the status bar says about the whole cluster, derived from the node views.
public struct ClusterSummary: Sendable, Equatable {
    /// The answering leader with the highest term.
    public var leader: Int?
    /// The term the leader leads in.
    public var leaderTerm: UInt64?
    /// The highest term any answering node reports.
    public var term: UInt64
    /// Who voted for the leader, when it still reports its votes.
    public var leaderVotes: [Int]?
    /// A leader exists and it reaches a majority.
    public var quorumOK: Bool
    /// Nodes that cannot reach a majority (themselves included).
    public var withoutQuorum: Set<Int>
    /// Partition groups reconstructed from what nodes report, for example [[1,2],[3,4,5]].
    public var partition: [[Int]]
    public var stopped: [Int]
    public var paused: [Int]
    /// Nodes that do not answer, for reasons other than a known stop or pause.
    public var silent: [Int]

    public init(_ cluster: ClusterState, at now: Duration) {
        let answering = cluster.nodes.filter { $0.isAnswering(at: now) }
        let statuses = answering.compactMap(\.status)
        term = statuses.map(\.term).max() ?? 0
        let leaderStatus = statuses.filter { $0.role == .leader }.max { $0.term < $1.term }
        leader = leaderStatus?.id
        leaderTerm = leaderStatus?.term
        leaderVotes = leaderStatus.flatMap { $0.votesReceived.isEmpty ? nil : $0.votesReceived.sorted() }
        let answeringIDs = Set(answering.map(\.id))
        var without: Set<Int> = []
        for node in cluster.nodes {
            guard let status = node.status, answeringIDs.contains(node.id) else {
                without.insert(node.id)
                continue
            }
            let cut = Set(status.partitionedFrom)
            let reachable = answeringIDs.filter { peer in
                peer == node.id || (!cut.contains(peer) && !(cluster.node(peer)?.status?.partitionedFrom.contains(node.id) ?? false))
            }
            if reachable.count < cluster.majority { without.insert(node.id) }
        }
        withoutQuorum = without
        quorumOK = leader.map { !without.contains($0) } ?? false
        partition = Self.groups(answering.compactMap(\.status), all: cluster.nodeIDs)
        stopped = cluster.nodes.filter { $0.process == .stopped }.map(\.id)
        paused = cluster.nodes.filter { $0.process == .paused }.map(\.id)
        silent = cluster.nodes.filter { !answeringIDs.contains($0.id) && $0.process != .stopped && $0.process != .paused }.map(\.id)
    }

    /// Nodes that report the same set of peers they can talk to form one group; no groups when
    /// nobody reports a cut.
    private static func groups(_ statuses: [NodeStatus], all: [Int]) -> [[Int]] {
        guard statuses.contains(where: { !$0.partitionedFrom.isEmpty }) else { return [] }
        var groups: [[Int]: [Int]] = [:]
        for status in statuses {
            let cut = Set(status.partitionedFrom)
            groups[all.filter { !cut.contains($0) }, default: []].append(status.id)
        }
        return groups.values.map { $0.sorted() }.sorted { $0[0] < $1[0] }
    }

    /// "partition 1,2/3,4,5, node 3 stopped, node 2 paused, nodes 4,5 not answering", or "none".
    public var faultsText: String {
        var parts: [String] = []
        if !partition.isEmpty {
            parts.append("partition " + partition.map { $0.map(String.init).joined(separator: ",") }.joined(separator: "/"))
        }
        for (ids, what) in [(stopped, "stopped"), (paused, "paused"), (silent, "not answering")] where !ids.isEmpty {
            parts.append((ids.count == 1 ? "node " : "nodes ") + ids.map(String.init).joined(separator: ",") + " " + what)
        }
        return parts.isEmpty ? "none" : parts.joined(separator: ", ")
    }
}
