import Foundation
import GRPCCore
import Linearizability
import RaftProto

/// Sends one history operation as a KV call and turns the answer into the checker's response,
/// plus the value the answer shows (for the next cas's expectation).
enum KVRequests {
    /// Exactly-once identity of a write: the client's session and this write's sequence number.
    struct Session {
        var clientID: UInt64
        var sequence: UInt64

        var message: Raftkv_V1_ClientRequest {
            var request = Raftkv_V1_ClientRequest()
            request.clientID = clientID
            request.sequence = sequence
            return request
        }
    }

    static func perform(_ kind: Linearizability.Operation.Kind, key: Bytes, session: Session,
                        on kv: ClusterConnections.KV, options: CallOptions) async throws
        -> (response: Linearizability.Operation.Response, seen: Bytes??) {
        switch kind {
        case .get:
            var request = Raftkv_V1_GetRequest()
            request.key = Data(key.bytes)
            let answer = try await kv.get(request, options: options)
            let value = answer.found ? Bytes(Array(answer.value)) : nil
            return (.value(value), .some(value))
        case .put(let value):
            var request = Raftkv_V1_PutRequest()
            request.client = session.message
            request.key = Data(key.bytes)
            request.value = Data(value.bytes)
            _ = try await kv.put(request, options: options)
            return (.done, .some(value))
        case .delete:
            var request = Raftkv_V1_DeleteRequest()
            request.client = session.message
            request.key = Data(key.bytes)
            _ = try await kv.delete(request, options: options)
            return (.done, .some(nil))
        case .cas(let expected, let new):
            var request = Raftkv_V1_CompareAndSwapRequest()
            request.client = session.message
            request.key = Data(key.bytes)
            if let expected { request.expectedValue = Data(expected.bytes) } else { request.expectedAbsent = true }
            request.newValue = Data(new.bytes)
            let answer = try await kv.compareAndSwap(request, options: options)
            if answer.succeeded { return (.swapped(true), .some(new)) }
            return (.swapped(false), .some(answer.found ? Bytes(Array(answer.currentValue)) : nil))
        }
    }
}
