import RaftEngine

/// Everything one node needs to run.
public struct NodeOptions: Sendable {
    public var id: NodeID
    /// Every node of the cluster: id and "host:port".
    public var peers: [NodeID: String]
    public var stateDirectory: String
    public var tickMs: Int
    public var raft: RaftConfig
    /// Take a snapshot after this many applied entries since the last one...
    public var snapshotEntries: Int
    /// ...or once the entries applied since the last one hold this many bytes.
    public var snapshotBytes: Int
    public var segmentBytes: Int
    public var maxKeyBytes: Int
    public var maxValueBytes: Int
    /// Whether Partition, Heal and Kill are allowed.
    public var faultInjection: Bool

    public init(id: NodeID, peers: [NodeID: String], stateDirectory: String, tickMs: Int, raft: RaftConfig,
                snapshotEntries: Int, snapshotBytes: Int = 64 << 20, segmentBytes: Int, maxKeyBytes: Int,
                maxValueBytes: Int, faultInjection: Bool) {
        self.id = id
        self.peers = peers
        self.stateDirectory = stateDirectory
        self.tickMs = tickMs
        self.raft = raft
        self.snapshotEntries = snapshotEntries
        self.snapshotBytes = snapshotBytes
        self.segmentBytes = segmentBytes
        self.maxKeyBytes = maxKeyBytes
        self.maxValueBytes = maxValueBytes
        self.faultInjection = faultInjection
    }

    public var address: String { peers[id] ?? "?" }
}
