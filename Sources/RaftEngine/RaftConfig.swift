/// Static settings of one engine. Times are in ticks; the driver decides how long a tick is.
public struct RaftConfig: Sendable, Hashable {
    /// This node's id (non-zero).
    public var id: NodeID
    /// Every voter in the cluster, this node included.
    public var voters: [NodeID]
    /// Lower bound of the randomised election timeout.
    public var electionTimeoutMin: Int
    /// Upper bound (inclusive) of the randomised election timeout.
    public var electionTimeoutMax: Int
    /// A leader sends heartbeats every this many ticks.
    public var heartbeatInterval: Int
    /// Run a pre-vote round before a real election, so a node that cannot win never bumps its term.
    public var preVote: Bool
    /// A leader steps down when it has not heard from a quorum within an election timeout.
    public var checkQuorum: Bool
    /// At most this many AppendEntries in flight to one follower.
    public var maxInflightMessages: Int
    /// At most this many entry bytes in flight to one follower (0 means no byte limit).
    public var maxInflightBytes: Int
    /// Entry bytes packed into one AppendEntries at the most (one entry is always allowed).
    public var maxMessageBytes: Int
    /// A follower in snapshot state that has not confirmed the snapshot after this many ticks is probed again.
    public var snapshotRetryTicks: Int
    /// Seed of the engine's own random generator (election timeouts). Pass a different seed per node.
    public var randomSeed: UInt64

    public init(
        id: NodeID,
        voters: [NodeID],
        electionTimeoutMin: Int = 15,
        electionTimeoutMax: Int = 30,
        heartbeatInterval: Int = 5,
        preVote: Bool = true,
        checkQuorum: Bool = true,
        maxInflightMessages: Int = 256,
        maxInflightBytes: Int = 16 << 20,
        maxMessageBytes: Int = 1 << 20,
        snapshotRetryTicks: Int = 200,
        randomSeed: UInt64 = 0
    ) {
        self.id = id
        self.voters = voters
        self.electionTimeoutMin = electionTimeoutMin
        self.electionTimeoutMax = electionTimeoutMax
        self.heartbeatInterval = heartbeatInterval
        self.preVote = preVote
        self.checkQuorum = checkQuorum
        self.maxInflightMessages = maxInflightMessages
        self.maxInflightBytes = maxInflightBytes
        self.maxMessageBytes = maxMessageBytes
        self.snapshotRetryTicks = snapshotRetryTicks
        self.randomSeed = randomSeed
    }

    /// Checks the settings and names the first one that is wrong.
    public func validate() throws(RaftConfigError) {
        if id == noNode { throw .invalid("id must be non-zero") }
        if !voters.contains(id) { throw .invalid("voters \(voters) must include this node's id \(id)") }
        if Set(voters).count != voters.count { throw .invalid("voters \(voters) contain a duplicate id") }
        if voters.contains(noNode) { throw .invalid("voter id 0 is reserved") }
        if heartbeatInterval < 1 { throw .invalid("heartbeatInterval must be at least 1 tick") }
        if electionTimeoutMin <= heartbeatInterval {
            throw .invalid("electionTimeoutMin (\(electionTimeoutMin)) must be greater than heartbeatInterval (\(heartbeatInterval))")
        }
        if electionTimeoutMax < electionTimeoutMin {
            throw .invalid("electionTimeoutMax (\(electionTimeoutMax)) must be at least electionTimeoutMin (\(electionTimeoutMin))")
        }
        if maxInflightMessages < 1 { throw .invalid("maxInflightMessages must be at least 1") }
        if maxInflightBytes < 0 { throw .invalid("maxInflightBytes must not be negative") }
        if maxMessageBytes < 1 { throw .invalid("maxMessageBytes must be at least 1") }
        if snapshotRetryTicks < 1 { throw .invalid("snapshotRetryTicks must be at least 1") }
    }

    /// Votes needed to win an election or commit an entry.
    public var quorum: Int { voters.count / 2 + 1 }
}

/// A configuration the engine refuses, with the reason.
public enum RaftConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    case invalid(String)

    public var description: String {
        switch self {
        case .invalid(let reason): return "invalid raft configuration: \(reason)"
        }
    }
}
