/// A read-only picture of one engine, for status APIs, dashboards and tests.
public struct RaftStatus: Sendable {
    public var id: NodeID
    public var role: Role
    public var term: Term
    public var vote: NodeID
    public var leader: NodeID
    public var lastIndex: LogIndex
    public var lastTerm: Term
    public var commitIndex: LogIndex
    public var appliedIndex: LogIndex
    public var persistedIndex: LogIndex
    public var snapshotIndex: LogIndex
    /// Ticks since the election timer was last reset, and the timeout it counts to.
    public var electionElapsed: Int
    public var electionTimeout: Int
    /// On a leader: each follower's replication progress, in voter order.
    public var followers: [(id: NodeID, progress: Progress)]
    public var leadTransferee: NodeID?
}
