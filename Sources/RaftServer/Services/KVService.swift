import Foundation
import GRPCCore
import KVStore
import RaftProto

/// The client API on a node: writes go through the log, reads are linearizable (ReadIndex)
/// unless `serializable` is set.
struct KVService: Raftkv_V1_KV.SimpleServiceProtocol {
    let node: NodeHost

    private func request(_ client: Raftkv_V1_ClientRequest, _ command: KVCommand) -> KVRequest {
        KVRequest(clientID: client.clientID, sequence: client.sequence, command: command)
    }

    private func result(_ outcome: KVStore.Applied) throws -> KVResult {
        switch outcome {
        case .applied(let result), .duplicate(let result): return result
        case .stale: throw RPCError(code: .failedPrecondition, message: "a newer write of this client already applied; this retry's result is no longer known")
        case .none: throw RPCError(code: .internalError, message: "write entry did not decode")
        }
    }

    func get(request: Raftkv_V1_GetRequest, context: ServerContext) async throws -> Raftkv_V1_GetResponse {
        let (value, index) = try await mapNodeErrors(node.options.peers) {
            request.serializable ? try await node.serializableGet([UInt8](request.key)) : try await node.linearizableGet([UInt8](request.key))
        }
        var response = Raftkv_V1_GetResponse()
        response.found = value != nil
        response.value = Data(value ?? [])
        response.index = index
        return response
    }

    func put(request: Raftkv_V1_PutRequest, context: ServerContext) async throws -> Raftkv_V1_PutResponse {
        let command = KVCommand.put(key: [UInt8](request.key), value: [UInt8](request.value))
        let written = try await mapNodeErrors(node.options.peers) { try await node.write(self.request(request.client, command)) }
        _ = try result(written.outcome)
        var response = Raftkv_V1_PutResponse()
        response.index = written.index
        return response
    }

    func delete(request: Raftkv_V1_DeleteRequest, context: ServerContext) async throws -> Raftkv_V1_DeleteResponse {
        let command = KVCommand.delete(key: [UInt8](request.key))
        let written = try await mapNodeErrors(node.options.peers) { try await node.write(self.request(request.client, command)) }
        var response = Raftkv_V1_DeleteResponse()
        response.index = written.index
        if case .delete(let existed) = try result(written.outcome) { response.existed = existed }
        return response
    }

    func compareAndSwap(request: Raftkv_V1_CompareAndSwapRequest, context: ServerContext) async throws -> Raftkv_V1_CompareAndSwapResponse {
        let expected: [UInt8]?
        switch request.expected {
        case .expectedValue(let value): expected = [UInt8](value)
        case .expectedAbsent, nil: expected = nil
        }
        let command = KVCommand.compareAndSwap(key: [UInt8](request.key), expected: expected, newValue: [UInt8](request.newValue))
        let written = try await mapNodeErrors(node.options.peers) { try await node.write(self.request(request.client, command)) }
        var response = Raftkv_V1_CompareAndSwapResponse()
        response.index = written.index
        if case .compareAndSwap(let succeeded, let current) = try result(written.outcome) {
            response.succeeded = succeeded
            response.found = current != nil
            response.currentValue = Data(current ?? [])
        }
        return response
    }
}
