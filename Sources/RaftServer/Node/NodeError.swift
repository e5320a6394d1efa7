import RaftEngine

/// Why a node could not serve a request. The gRPC services map these to status codes.
public enum NodeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// This node is not the leader; `leader` is the leader's id when known.
    case notLeader(leader: NodeID?)
    /// The write was proposed but a new leader replaced it before it committed; it did not happen.
    case lostLeadership
    /// A key or value is empty or too large.
    case invalidArgument(String)
    /// This node's storage failed; it serves nothing until restarted.
    case storageFailed(String)
    /// The node is shutting down.
    case stopped
    /// Leadership changed after the write was proposed and before it was known to commit: it may
    /// or may not have been applied (retry only with a client session, which makes it idempotent).
    case outcomeUnknown
    /// A read waited too long for its ReadIndex confirmation (the request or answer was lost).
    case readTimedOut

    public var description: String {
        switch self {
        case .notLeader(let leader):
            return leader.map { "not the leader; node \($0) is" } ?? "not the leader, and no leader is known"
        case .lostLeadership: return "leadership changed before the write committed; it was not applied"
        case .invalidArgument(let reason): return reason
        case .storageFailed(let reason): return "storage failed: \(reason)"
        case .stopped: return "node is stopping"
        case .outcomeUnknown: return "leadership changed before the write was known to commit; it may or may not have been applied"
        case .readTimedOut: return "the read was not confirmed in time (leader change or lost message); retry"
        }
    }
}
