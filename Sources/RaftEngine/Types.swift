/// Identifies a node in the cluster. Zero is reserved for "none".
public typealias NodeID = UInt64

/// A Raft term. Terms only ever grow on a node, across restarts too.
public typealias Term = UInt64

/// A position in the replicated log. The first entry has index 1; index 0 is the empty prefix.
public typealias LogIndex = UInt64

/// The value used for "no node" (no vote cast, no leader known).
public let noNode: NodeID = 0

/// What an entry carries: a client command, or the empty entry a new leader appends to commit its term.
public enum EntryKind: UInt8, Sendable, Hashable {
    case command = 0
    case noop = 1
}

/// One replicated log entry.
public struct Entry: Sendable, Hashable {
    public var term: Term
    public var index: LogIndex
    public var kind: EntryKind
    public var data: [UInt8]

    public init(term: Term, index: LogIndex, kind: EntryKind = .command, data: [UInt8] = []) {
        self.term = term
        self.index = index
        self.kind = kind
        self.data = data
    }

    /// Bytes this entry counts for against message and in-flight limits (payload plus a fixed header).
    public var byteSize: Int { data.count + 24 }
}

/// The state a node must keep durable before it sends anything that depends on it.
public struct HardState: Sendable, Hashable {
    public var term: Term
    public var vote: NodeID
    public var commit: LogIndex

    public init(term: Term = 0, vote: NodeID = noNode, commit: LogIndex = 0) {
        self.term = term
        self.vote = vote
        self.commit = commit
    }

    /// True when the term or vote differs from `earlier`: those must be durable before any message
    /// that depends on them leaves the node. The commit index may lag on disk.
    func mustBePersisted(since earlier: HardState) -> Bool {
        term != earlier.term || vote != earlier.vote
    }
}

/// A state-machine image that replaces the log up to and including `index`.
public struct Snapshot: Sendable, Hashable {
    /// Index of the last entry the image includes.
    public var index: LogIndex
    /// Term of that entry.
    public var term: Term
    /// The application's serialized state; opaque to the engine.
    public var data: [UInt8]

    public init(index: LogIndex, term: Term, data: [UInt8]) {
        self.index = index
        self.term = term
        self.data = data
    }
}

/// The role a node plays in its current term.
public enum Role: String, Sendable, Hashable {
    case follower
    case preCandidate = "pre-candidate"
    case candidate
    case leader
}
