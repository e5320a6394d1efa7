import Foundation
import GRPCCore
import KVStore
import RaftProto

/// The client API on a node: writes go through the log, reads are linearizable (ReadIndex)
/// unless `serializable` is set. The unary calls and the pipeline share one path into the node.
struct KVService: Raftkv_V1_KV.SimpleServiceProtocol {
    let node: NodeHost

    func get(request: Raftkv_V1_GetRequest, context: ServerContext) async throws -> Raftkv_V1_GetResponse {
        let read = try await mapNodeErrors(node.options.peers) {
            request.serializable ? try await node.serializableGet([UInt8](request.key)) : try await node.linearizableGet([UInt8](request.key))
        }
        return Self.getResponse(read)
    }

    func put(request: Raftkv_V1_PutRequest, context: ServerContext) async throws -> Raftkv_V1_PutResponse {
        try Self.putResponse(try await mapNodeErrors(node.options.peers) { try await node.write(Self.command(request)) })
    }

    func delete(request: Raftkv_V1_DeleteRequest, context: ServerContext) async throws -> Raftkv_V1_DeleteResponse {
        try Self.deleteResponse(try await mapNodeErrors(node.options.peers) { try await node.write(Self.command(request)) })
    }

    func compareAndSwap(request: Raftkv_V1_CompareAndSwapRequest, context: ServerContext) async throws -> Raftkv_V1_CompareAndSwapResponse {
        try Self.compareAndSwapResponse(try await mapNodeErrors(node.options.peers) { try await node.write(Self.command(request)) })
    }

    /// Hands each message's requests to the node in one actor call, so that they join the same
    /// proposal batch and ReadIndex round; each answer is posted from the node as it completes.
    func pipeline(request: RPCAsyncSequence<Raftkv_V1_PipelineRequest, any Error>,
                  response: RPCWriter<Raftkv_V1_PipelineResponse>, context: ServerContext) async throws {
        let addresses = node.options.peers
        try await PipelineStream.serve(requests: request, responses: response) { requests, replies in
            await node.batch { node in
                for item in requests { Self.start(item, on: node, addresses: addresses, replies: replies) }
            }
        }
    }

    private static func start(_ item: Raftkv_V1_PipelinedRequest, on node: isolated NodeHost,
                              addresses: [UInt64: String], replies: PipelineReplies) {
        let id = item.id
        func answer<T>(_ result: Result<T, Error>, _ build: (T) throws -> Raftkv_V1_PipelinedResponse.OneOf_Response) {
            replies.post(.answering(id) {
                do {
                    return try build(try result.get())
                } catch let error as NodeError {
                    throw error.rpcError(addresses: addresses)
                }
            })
        }
        switch item.request {
        case .get(let get) where get.serializable:
            answer(Result { try node.serializableGet([UInt8](get.key)) }) { .get(getResponse($0)) }
        case .get(let get):
            node.enqueueLinearizableRead([UInt8](get.key)) { answer($0) { .get(getResponse($0)) } }
        case .put(let put):
            node.enqueueWrite(command(put)) { answer($0) { .put(try putResponse($0)) } }
        case .delete(let delete):
            node.enqueueWrite(command(delete)) { answer($0) { .delete(try deleteResponse($0)) } }
        case .compareAndSwap(let swap):
            node.enqueueWrite(command(swap)) { answer($0) { .compareAndSwap(try compareAndSwapResponse($0)) } }
        case nil:
            replies.post(.noOperation(id))
        }
    }

    // MARK: Requests to commands, outcomes to responses

    private static func request(_ client: Raftkv_V1_ClientRequest, _ command: KVCommand) -> KVRequest {
        KVRequest(clientID: client.clientID, sequence: client.sequence, command: command)
    }

    static func command(_ request: Raftkv_V1_PutRequest) -> KVRequest {
        Self.request(request.client, .put(key: [UInt8](request.key), value: [UInt8](request.value)))
    }

    static func command(_ request: Raftkv_V1_DeleteRequest) -> KVRequest {
        Self.request(request.client, .delete(key: [UInt8](request.key)))
    }

    static func command(_ request: Raftkv_V1_CompareAndSwapRequest) -> KVRequest {
        let expected: [UInt8]?
        switch request.expected {
        case .expectedValue(let value): expected = [UInt8](value)
        case .expectedAbsent, nil: expected = nil
        }
        return Self.request(request.client, .compareAndSwap(key: [UInt8](request.key), expected: expected, newValue: [UInt8](request.newValue)))
    }

    private static func result(_ outcome: KVStore.Applied) throws -> KVResult {
        switch outcome {
        case .applied(let result), .duplicate(let result): return result
        case .stale: throw RPCError(code: .failedPrecondition, message: "a newer write of this client already applied; this retry's result is no longer known")
        case .none: throw RPCError(code: .internalError, message: "write entry did not decode")
        }
    }

    static func getResponse(_ read: ReadOutcome) -> Raftkv_V1_GetResponse {
        var response = Raftkv_V1_GetResponse()
        response.found = read.value != nil
        response.value = Data(read.value ?? [])
        response.index = read.index
        return response
    }

    static func putResponse(_ written: WriteOutcome) throws -> Raftkv_V1_PutResponse {
        _ = try result(written.outcome)
        var response = Raftkv_V1_PutResponse()
        response.index = written.index
        return response
    }

    static func deleteResponse(_ written: WriteOutcome) throws -> Raftkv_V1_DeleteResponse {
        var response = Raftkv_V1_DeleteResponse()
        response.index = written.index
        if case .delete(let existed) = try result(written.outcome) { response.existed = existed }
        return response
    }

    static func compareAndSwapResponse(_ written: WriteOutcome) throws -> Raftkv_V1_CompareAndSwapResponse {
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
