import GRPCCore
import GRPCNIOTransportHTTP2Posix
import RaftProto

public typealias SupervisorClient = Raftkv_V1_Supervisor.Client<HTTP2ClientTransport.Posix>

/// The four process actions `raftd cluster` offers through its Supervisor service.
public enum SupervisorAction: String, Sendable {
    case kill, start, pause, resume

    public func call(_ client: SupervisorClient, _ id: Raftkv_V1_ServerID, _ options: CallOptions) async throws -> Raftkv_V1_ServerInfo {
        switch self {
        case .kill: return try await client.killServer(id, options: options)
        case .start: return try await client.startServer(id, options: options)
        case .pause: return try await client.pauseServer(id, options: options)
        case .resume: return try await client.resumeServer(id, options: options)
        }
    }

    /// Explains a failed call; unreachable or unimplemented means no `raftd cluster` is serving.
    public func explanation(_ failure: RemoteFailure, gateway: ClusterEndpoint) -> String {
        let need = "kill/start/pause/resume need `raftd cluster`, which serves the Supervisor service on the gateway port"
        switch failure {
        case .unreachable(let reason):
            return "cannot reach the Supervisor at \(gateway): \(reason) (\(need); start it with `raftd cluster`)"
        case .rejected(.unimplemented, _):
            return "\(gateway) does not serve the Supervisor service (a plain `raftd gateway`?); \(need)"
        default:
            return "\(rawValue) failed: \(failure.explanation(for: gateway))"
        }
    }
}
