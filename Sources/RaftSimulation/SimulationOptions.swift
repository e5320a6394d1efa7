import RaftEngine

/// Everything that shapes one simulated run. Times are in simulated milliseconds.
public struct SimulationOptions: Sendable {
    public var nodeCount = 5
    public var seed: UInt64 = 1
    /// Milliseconds per engine tick (before skew).
    public var tickMs = 10
    public var electionTimeoutMin = 15
    public var electionTimeoutMax = 30
    public var heartbeatInterval = 5
    public var preVote = true
    public var checkQuorum = true
    public var maxInflightMessages = 64
    public var maxMessageBytes = 64 << 10
    /// A node compacts its log into a snapshot every this many applied entries (0: never).
    public var snapshotEvery = 0
    /// One-way message delay, uniform in this range (microseconds).
    public var minDelayMicros: UInt64 = 100
    public var maxDelayMicros: UInt64 = 2_000
    /// Probability that a message is dropped, and that it is delivered twice.
    public var dropRate = 0.0
    public var duplicateRate = 0.0
    /// Probability that a message takes a long detour (up to `longTailMicros`), reordering it.
    public var longTailRate = 0.0
    public var longTailMicros: UInt64 = 200_000
    /// Duration of one fsync, uniform in this range (microseconds).
    public var minSyncMicros: UInt64 = 100
    public var maxSyncMicros: UInt64 = 1_000
    /// Per-node tick-rate skew: each node's tick lasts tickMs * (1 ± up to this fraction).
    public var tickSkew = 0.0
    /// Storage-fault mode: persist through the real write-ahead log on an in-memory file system,
    /// and let every crash tear the unsynced tail at a random byte.
    public var realStorage = false
    /// Keep a readable trace of every event (otherwise only the most recent ones).
    public var fullTrace = false

    public init(seed: UInt64 = 1, nodeCount: Int = 5) {
        self.seed = seed
        self.nodeCount = nodeCount
    }

    func raftConfig(for id: NodeID, voters: [NodeID]) -> RaftConfig {
        RaftConfig(
            id: id, voters: voters,
            electionTimeoutMin: electionTimeoutMin, electionTimeoutMax: electionTimeoutMax,
            heartbeatInterval: heartbeatInterval, preVote: preVote, checkQuorum: checkQuorum,
            maxInflightMessages: maxInflightMessages, maxMessageBytes: maxMessageBytes,
            randomSeed: seed &* 0x2545_F491_4F6C_DD1D &+ id)
    }
}
