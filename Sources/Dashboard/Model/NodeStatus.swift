/// One node's view of itself, as its Control.WatchStatus stream reports it. The dashboard's own
/// copy of `raftkv.v1.NodeStatus`, so this module needs neither gRPC nor the generated types.
public struct NodeStatus: Sendable, Equatable {
    public var id: Int
    public var address: String
    public var role: Role
    public var term: UInt64
    /// The node voted for in `term`, 0 for none.
    public var vote: Int
    /// The leader this node follows, 0 when it knows none.
    public var leader: Int
    public var lastIndex: UInt64
    public var lastTerm: UInt64
    public var commitIndex: UInt64
    public var appliedIndex: UInt64
    public var snapshotIndex: UInt64
    /// On a leader: each follower's replication progress.
    public var peers: [PeerProgress]
    public var electionElapsedTicks: Int
    public var electionTimeoutTicks: Int
    /// The newest entries of the node's log, applied or not, oldest first.
    public var recentEntries: [LogEntry]
    /// Peers this node is cut off from by fault injection.
    public var partitionedFrom: [Int]
    /// Votes received while a candidate.
    public var votesReceived: [Int]
    /// A storage failure that stopped the node, or empty.
    public var storageError: String

    public init(
        id: Int, address: String = "", role: Role = .follower, term: UInt64 = 0, vote: Int = 0, leader: Int = 0,
        lastIndex: UInt64 = 0, lastTerm: UInt64 = 0, commitIndex: UInt64 = 0, appliedIndex: UInt64 = 0,
        snapshotIndex: UInt64 = 0, peers: [PeerProgress] = [], electionElapsedTicks: Int = 0,
        electionTimeoutTicks: Int = 0, recentEntries: [LogEntry] = [], partitionedFrom: [Int] = [],
        votesReceived: [Int] = [], storageError: String = ""
    ) {
        self.id = id
        self.address = address
        self.role = role
        self.term = term
        self.vote = vote
        self.leader = leader
        self.lastIndex = lastIndex
        self.lastTerm = lastTerm
        self.commitIndex = commitIndex
        self.appliedIndex = appliedIndex
        self.snapshotIndex = snapshotIndex
        self.peers = peers
        self.electionElapsedTicks = electionElapsedTicks
        self.electionTimeoutTicks = electionTimeoutTicks
        self.recentEntries = recentEntries
        self.partitionedFrom = partitionedFrom
        self.votesReceived = votesReceived
        self.storageError = storageError
    }

    /// The term of the entry at `index`, when the report says.
    public func term(at index: UInt64) -> UInt64? {
        if index == lastIndex, lastIndex > 0 { return lastTerm }
        return recentEntries.last { $0.index == index }?.term
    }
}

/// A Raft role, shown as a word, a letter and a colour.
public enum Role: String, Sendable, Equatable {
    case follower
    case preCandidate = "pre-candidate"
    case candidate
    case leader

    /// Parses the role string of NodeStatus; nil for one this version does not know.
    public init?(reported: String) { self.init(rawValue: reported) }

    public var letter: Character {
        switch self {
        case .follower: "F"
        case .preCandidate: "P"
        case .candidate: "C"
        case .leader: "L"
        }
    }
}

/// A leader's view of one follower.
public struct PeerProgress: Sendable, Equatable {
    public var id: Int
    public var matchIndex: UInt64
    public var nextIndex: UInt64
    /// "probe", "replicate" or "snapshot".
    public var state: String

    public init(id: Int, matchIndex: UInt64, nextIndex: UInt64, state: String) {
        self.id = id
        self.matchIndex = matchIndex
        self.nextIndex = nextIndex
        self.state = state
    }
}

/// One log entry as the log strip shows it.
public struct LogEntry: Sendable, Equatable {
    public var index: UInt64
    public var term: UInt64
    /// For example "put k=v" or "no-op".
    public var description: String

    public init(index: UInt64, term: UInt64, description: String) {
        self.index = index
        self.term = term
        self.description = description
    }
}
