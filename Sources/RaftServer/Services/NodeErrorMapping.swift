import GRPCCore
import RaftEngine

extension NodeError {
    /// The gRPC status for this error; a not-leader error carries the leader's id and address in
    /// the metadata (`raftkv-leader-id`, `raftkv-leader-address`) so clients can follow it.
    func rpcError(addresses: [NodeID: String]) -> RPCError {
        switch self {
        case .notLeader(let leader):
            var metadata = Metadata()
            if let leader {
                metadata.addString("\(leader)", forKey: "raftkv-leader-id")
                if let address = addresses[leader] { metadata.addString(address, forKey: "raftkv-leader-address") }
            }
            return RPCError(code: .unavailable, message: description, metadata: metadata)
        case .lostLeadership: return RPCError(code: .unavailable, message: description)
        case .invalidArgument: return RPCError(code: .invalidArgument, message: description)
        case .storageFailed: return RPCError(code: .unavailable, message: description)
        case .stopped: return RPCError(code: .unavailable, message: description)
        case .outcomeUnknown: return RPCError(code: .aborted, message: description)
        case .readTimedOut: return RPCError(code: .unavailable, message: description)
        }
    }
}

/// Runs a node call, translating node errors to gRPC statuses.
func mapNodeErrors<T: Sendable>(_ addresses: [NodeID: String], _ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as NodeError {
        throw error.rpcError(addresses: addresses)
    }
}
