/// A kind of fault the suite injects. A schedule repeats one kind, or with `mixed` draws a kind per
/// fault; `NemesisKind.rotation` lists the kinds a suite cycles through so that every one is covered.
public enum NemesisKind: String, CaseIterable, Sendable, Codable {
    /// SIGKILL one random node; restart it from its data directory when the fault ends.
    case killRandom = "kill-random"
    /// SIGKILL the current leader; restart it when the fault ends.
    case killLeader = "kill-leader"
    /// SIGKILL a majority (3 of 5): the cluster must stop acknowledging until they return.
    case killMajority = "kill-majority"
    /// SIGSTOP the leader for longer than the election timeout, then SIGCONT: a leader that wakes
    /// up deposed must not serve what it believes.
    case pauseLeader = "pause-leader"
    /// Control-API partition: one random node cut off from all others.
    case partitionOne = "partition-one"
    /// Control-API partition: the leader cut off from all others.
    case partitionLeader = "partition-leader"
    /// Control-API partition into a random minority and majority.
    case partitionHalves = "partition-halves"
    /// Control-API partition: two halves that each reach one bridge node but not each other.
    case partitionBridge = "partition-bridge"
    /// Control-API partition: each node reaches only its two ring neighbours, so every node sees a
    /// different majority.
    case partitionRing = "partition-ring"
    /// Control API: every node's outgoing Raft messages delayed (5-20 ms plus up to 10-40 ms of
    /// jitter, so they also arrive out of order) and 5-30 % of them dropped.
    case degradeLinks = "degrade-links"
    /// Real partition into a random minority and majority: blackhole routes inside the nodes'
    /// network namespaces, without the nodes' cooperation.
    case netnsHalves = "netns-halves"
    /// The leader's network link taken down: cut off from its peers, the gateway and the clients.
    case netnsLeaderLink = "netns-leader-link"
    /// Any of the Control-API and process kinds above, drawn per fault.
    case mixed

    /// Kinds a suite cycles through, schedule by schedule; namespace kinds only when usable.
    public static func rotation(networkNamespaces: Bool) -> [NemesisKind] {
        allCases.filter { $0 != .mixed && (networkNamespaces || !$0.needsNetworkNamespaces) }
    }

    /// Whether the nodes must run in network namespaces for this kind.
    public var needsNetworkNamespaces: Bool { self == .netnsHalves || self == .netnsLeaderLink }

    /// The kinds `mixed` draws from.
    static let mixable: [NemesisKind] = allCases.filter { $0 != .mixed && !$0.needsNetworkNamespaces }

    /// Whether the fault needs to know the leader when it starts.
    var targetsLeader: Bool {
        self == .killLeader || self == .pauseLeader || self == .partitionLeader || self == .netnsLeaderLink
    }
}
