import GRPCCore
import RaftProto
import Synchronization

/// A client's end of the KV `Pipeline` stream: many requests in flight on one stream.
///
/// Requests made while the previous message is being written leave together as one message, and
/// so do requests made together (see `nextBatch()`); answers are matched to their requests by id.
/// So a busy client pays the per-message cost of gRPC once for many requests. A failed request throws the `RPCError` the unary call would have
/// thrown, leader hints included. `run()` keeps the stream open, reopening it after it breaks;
/// requests in flight on a broken stream fail with UNAVAILABLE (a write among them may or may not
/// have been applied, as with a unary call whose connection broke).
public final class KVPipeline<Transport: ClientTransport>: Sendable {
    private struct State {
        var nextID: UInt64 = 1
        var unsent: [Raftkv_V1_PipelinedRequest] = []
        var waiting: [UInt64: CheckedContinuation<Raftkv_V1_PipelinedResponse.OneOf_Response, Error>] = [:]
        /// The stream's writer, parked until there is something to send.
        var sender: CheckedContinuation<Void, Never>?
        /// Set while no stream is open to take requests: why they fail at once.
        var down: RPCError?
        var closed = false
    }

    private let client: Raftkv_V1_KV.Client<Transport>
    private let state = Mutex(State())
    private let reopenDelay: Duration

    /// A pipeline over `client`'s connection. Requests made before `run()` opens the stream wait
    /// for it.
    public init(client: Raftkv_V1_KV.Client<Transport>, reopenDelay: Duration = .milliseconds(50)) {
        self.client = client
        self.reopenDelay = reopenDelay
    }

    /// Keeps the stream open until `close()` or cancellation.
    public func run() async {
        await withTaskCancellationHandler {
            while !isClosed {
                state.withLock { if !$0.closed { $0.down = nil } }
                let ending: RPCError
                var options = CallOptions.defaults
                options.maxRequestMessageBytes = AnswerSizeLimit.bytes
                do {
                    try await client.pipeline(options: options, requestProducer: { writer in
                        while let batch = await self.nextBatch() {
                            var message = Raftkv_V1_PipelineRequest()
                            message.requests = batch
                            try await writer.write(message)
                        }
                    }, onResponse: { response in
                        // Ending here, also on an error, wakes the writer: the call returns only
                        // once the request side has returned too.
                        do {
                            for try await message in response.messages { self.deliver(message.responses) }
                        } catch {
                            self.end(error as? RPCError ?? RPCError(code: .unavailable, message: "pipeline stream failed: \(error)"))
                            throw error
                        }
                        self.end(RPCError(code: .unavailable, message: "the server closed the pipeline stream"))
                    })
                    ending = RPCError(code: .unavailable, message: "the server closed the pipeline stream")
                } catch let error as RPCError {
                    ending = error
                } catch {
                    ending = RPCError(code: .unavailable, message: "pipeline stream failed: \(error)")
                }
                end(ending)
                guard !isClosed else { return }
                try? await Task.sleep(for: reopenDelay)
            }
        } onCancel: {
            close()
        }
    }

    /// Ends the stream; requests in flight and later ones fail with UNAVAILABLE.
    public func close() {
        state.withLock { $0.closed = true }
        end(RPCError(code: .unavailable, message: "the pipeline is closed"))
    }

    private var isClosed: Bool { state.withLock { $0.closed } }

    // MARK: Requests

    public func get(_ request: Raftkv_V1_GetRequest) async throws -> Raftkv_V1_GetResponse {
        guard case .get(let response) = try await send(.get(request)) else { throw Self.mismatch("get") }
        return response
    }

    public func put(_ request: Raftkv_V1_PutRequest) async throws -> Raftkv_V1_PutResponse {
        guard case .put(let response) = try await send(.put(request)) else { throw Self.mismatch("put") }
        return response
    }

    public func delete(_ request: Raftkv_V1_DeleteRequest) async throws -> Raftkv_V1_DeleteResponse {
        guard case .delete(let response) = try await send(.delete(request)) else { throw Self.mismatch("delete") }
        return response
    }

    public func compareAndSwap(_ request: Raftkv_V1_CompareAndSwapRequest) async throws -> Raftkv_V1_CompareAndSwapResponse {
        guard case .compareAndSwap(let response) = try await send(.compareAndSwap(request)) else { throw Self.mismatch("compare_and_swap") }
        return response
    }

    private static func mismatch(_ operation: String) -> RPCError {
        RPCError(code: .internalError, message: "the server answered a pipelined \(operation) with another operation's response")
    }

    /// Queues one request, wakes a parked writer, and waits for the answer.
    private func send(_ request: Raftkv_V1_PipelinedRequest.OneOf_Request) async throws -> Raftkv_V1_PipelinedResponse.OneOf_Response {
        let response = try await withCheckedThrowingContinuation { continuation in
            let outcome: (failure: RPCError?, wake: CheckedContinuation<Void, Never>?) = state.withLock { state in
                if let down = state.down { return (down, nil) }
                var pipelined = Raftkv_V1_PipelinedRequest()
                pipelined.id = state.nextID
                pipelined.request = request
                state.nextID += 1
                state.waiting[pipelined.id] = continuation
                state.unsent.append(pipelined)
                defer { state.sender = nil }
                return (nil, state.sender)
            }
            if let failure = outcome.failure { continuation.resume(throwing: failure) }
            outcome.wake?.resume()
        }
        if case .error(let failure) = response { throw Self.error(failure) }
        return response
    }

    /// The error a unary call would have thrown for this answer.
    static func error(_ failure: Raftkv_V1_PipelineError) -> RPCError {
        let code = Status.Code(rawValue: Int(failure.code)).flatMap { RPCError.Code($0) } ?? .unknown
        var metadata = Metadata()
        if failure.leaderID != 0 { metadata.addString("\(failure.leaderID)", forKey: "raftkv-leader-id") }
        if !failure.leaderAddress.isEmpty { metadata.addString(failure.leaderAddress, forKey: "raftkv-leader-address") }
        return RPCError(code: code, message: failure.message, metadata: metadata)
    }

    // MARK: The stream

    /// Everything queued since the last message, waiting for something if nothing is; nil once
    /// the stream is to end.
    ///
    /// A writer woken by a request lets the tasks already scheduled run first (`Task.yield`): when
    /// one message answers many callers, each makes its next request as it resumes, and those
    /// requests then leave as one message rather than one or two at a time.
    private func nextBatch() async -> [Raftkv_V1_PipelinedRequest]? {
        await withTaskCancellationHandler {
            var waited = false
            while true {
                if waited { await Task.yield() }
                let ready: [Raftkv_V1_PipelinedRequest]?? = state.withLock { state in
                    if state.down != nil || Task.isCancelled { return .some(nil) }
                    if !state.unsent.isEmpty { return .some(PipelineMessage.take(&state.unsent)) }
                    return .none
                }
                if let ready { return ready }
                await withCheckedContinuation { continuation in
                    let parked = state.withLock { state in
                        guard state.unsent.isEmpty, state.down == nil, !Task.isCancelled else { return false }
                        state.sender = continuation
                        return true
                    }
                    if !parked { continuation.resume() }
                }
                waited = true
            }
        } onCancel: {
            // The call is being torn down: let the writer return.
            let sender = state.withLock { state in
                defer { state.sender = nil }
                return state.sender
            }
            sender?.resume()
        }
    }

    private func deliver(_ responses: [Raftkv_V1_PipelinedResponse]) {
        let answered = state.withLock { state in
            responses.compactMap { response in
                state.waiting.removeValue(forKey: response.id).map { ($0, response.response) }
            }
        }
        for (continuation, response) in answered {
            continuation.resume(returning: response ?? .error(Self.emptyAnswer))
        }
    }

    private static var emptyAnswer: Raftkv_V1_PipelineError {
        var failure = Raftkv_V1_PipelineError()
        failure.code = Int32(RPCError.Code.internalError.rawValue)
        failure.message = "the server sent an empty pipelined answer"
        return failure
    }

    /// The stream is over: fail what is in flight and wake the writer so that it returns.
    private func end(_ error: RPCError) {
        let (waiting, sender) = state.withLock { state in
            state.down = error
            defer {
                state.waiting = [:]
                state.unsent = []
                state.sender = nil
            }
            return (state.waiting, state.sender)
        }
        sender?.resume()
        for continuation in waiting.values { continuation.resume(throwing: error) }
    }
}

/// How a pipeline cuts its queue of requests, or of answers, into messages.
public enum PipelineMessage {
    /// Bytes one message carries at most, unless a single request or answer is larger: well under
    /// the 4 MiB gRPC accepts by default.
    public static let limitBytes = 1 << 20

    /// What one item adds to a message besides its keys and values (id, field tags, lengths):
    /// an upper bound, so that a message of many small items stays within `limitBytes` too.
    static let itemOverheadBytes = 32

    /// Removes the items for the next message from the front of `queue`: at least one, and no
    /// more than `limitBytes` counting keys, values and each item's overhead.
    public static func take<Item>(_ queue: inout [Item], bytes: (Item) -> Int) -> [Item] {
        var total = 0
        var count = 0
        for item in queue {
            let size = bytes(item) + itemOverheadBytes
            if count > 0, total + size > limitBytes { break }
            total += size
            count += 1
        }
        defer { queue.removeFirst(count) }
        return Array(queue.prefix(count))
    }

    static func take(_ unsent: inout [Raftkv_V1_PipelinedRequest]) -> [Raftkv_V1_PipelinedRequest] {
        take(&unsent) { request in
            switch request.request {
            case .get(let get): return get.key.count
            case .put(let put): return put.key.count + put.value.count
            case .delete(let delete): return delete.key.count
            case .compareAndSwap(let swap): return swap.key.count + swap.expectedValue.count + swap.newValue.count
            case nil: return 0
            }
        }
    }

    /// Bytes of values in an answer (the rest is a few numbers).
    public static func payloadBytes(_ response: Raftkv_V1_PipelinedResponse) -> Int {
        switch response.response {
        case .get(let get): return get.value.count
        case .compareAndSwap(let swap): return swap.currentValue.count
        case .error(let error): return error.message.utf8.count
        case .put, .delete, nil: return 0
        }
    }
}
