extension RemoteFailure {
    /// The reason alone, for a table cell or a dashboard panel.
    public var shortReason: String {
        switch self {
        case .unreachable(let reason): return reason
        case .timedOut(let timeout): return "no answer within \(DurationText.format(timeout))"
        case .notLeader(_, _, let message): return message
        case .rejected(let code, let message): return "\(code): \(message)"
        }
    }
}
