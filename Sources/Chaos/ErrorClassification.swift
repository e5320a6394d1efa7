import GRPCCore
import RaftClient

/// Whether a failed request may still take effect. Only failures that prove the request was never
/// applied count as definite (no connection, so nothing was sent; or a node's own refusal);
/// everything else (timeouts, dropped connections, "outcome unknown", any error relayed by the
/// gateway, which may have retried) is indeterminate.
public enum ErrorClassification: Equatable, Sendable {
    /// The request was certainly not applied; `leaderHint` names the leader when the node knew it.
    case definite(leaderHint: Int?)
    /// The request may or may not have been applied.
    case indeterminate

    /// Classifies an error from a node (`viaGateway == false`) or from the gateway.
    public static func classify(_ error: any Error, viaGateway: Bool) -> ErrorClassification {
        let failure = RemoteFailure.from(error, timeout: .zero)
        if case .rejected(.invalidArgument, _) = failure { return .definite(leaderHint: nil) }
        // A gRPC "no connection" status from this client: the request never left it.
        if case .unreachable = failure, error is RPCError { return .definite(leaderHint: nil) }
        guard !viaGateway else { return .indeterminate }
        switch failure {
        case .notLeader(let leaderID, _, _):
            return .definite(leaderHint: leaderID.flatMap { Int($0) })
        case .unreachable:
            return .indeterminate
        case .rejected(let code, let message):
            // A proposal replaced by a new leader's log ("it was not applied").
            return code == .unavailable && message.contains("was not applied") ? .definite(leaderHint: nil) : .indeterminate
        case .timedOut:
            return .indeterminate
        }
    }
}
