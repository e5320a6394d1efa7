import GRPCCore
import RaftClient
import RaftProto
import Synchronization

/// Serves one `Pipeline` stream, for a node and for the gateway alike.
///
/// Each message from the client is handed to `submit`, which must see to exactly one answer per
/// request through `PipelineReplies.post`, in any order. Answers go back in batches: everything
/// answered while the previous message was being written leaves as one message (split to stay
/// within `PipelineMessage.limitBytes`). The stream ends
/// once the client has closed its side and every request it sent is answered.
enum PipelineStream {
    static func serve(
        requests: RPCAsyncSequence<Raftkv_V1_PipelineRequest, any Error>,
        responses: RPCWriter<Raftkv_V1_PipelineResponse>,
        submit: @Sendable ([Raftkv_V1_PipelinedRequest], PipelineReplies) async -> Void
    ) async throws {
        let replies = PipelineReplies()
        // A reset stream or a server shutting down cancels the RPC without cancelling this task:
        // stop writing rather than wait for answers nobody will read.
        try await withRPCCancellationHandler {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    do {
                        while let answered = await replies.next() {
                            var message = Raftkv_V1_PipelineResponse()
                            message.responses = answered
                            try await responses.write(message)
                        }
                    } catch {
                        replies.close()
                        throw error
                    }
                }
                do {
                    for try await message in requests where !message.requests.isEmpty {
                        replies.expect(message.requests.count)
                        await submit(message.requests, replies)
                    }
                    replies.finishWhenAnswered()
                    try await group.waitForAll()
                } catch {
                    replies.close()
                    throw error
                }
            }
        } onCancelRPC: {
            replies.close()
        }
    }
}

/// The answers of one pipeline stream not yet written, and how many requests still await one.
/// Posting is safe from any thread; a closed stream drops what is posted.
final class PipelineReplies: Sendable {
    private struct State {
        var answered: [Raftkv_V1_PipelinedResponse] = []
        var outstanding = 0
        var inputEnded = false
        var closed = false
        /// The stream's writer, parked until there is something to write or the stream is over.
        var writer: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    /// `count` more requests were handed over and will each be answered.
    func expect(_ count: Int) {
        state.withLock { $0.outstanding += count }
    }

    private static func takeMessage(_ answered: inout [Raftkv_V1_PipelinedResponse]) -> [Raftkv_V1_PipelinedResponse] {
        PipelineMessage.take(&answered, bytes: PipelineMessage.payloadBytes)
    }

    /// Queues one answer and wakes the writer.
    func post(_ response: Raftkv_V1_PipelinedResponse) {
        let writer = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard !state.closed else { return nil }
            state.outstanding -= 1
            state.answered.append(response)
            defer { state.writer = nil }
            return state.writer
        }
        writer?.resume()
    }

    /// The client sends nothing more: the stream ends when the last answer is written.
    func finishWhenAnswered() {
        let writer = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.inputEnded = true
            guard state.outstanding == 0, state.answered.isEmpty else { return nil }
            defer { state.writer = nil }
            return state.writer
        }
        writer?.resume()
    }

    /// The stream failed: stop writing and drop every later answer.
    func close() {
        let writer = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.closed = true
            defer { state.writer = nil }
            return state.writer
        }
        writer?.resume()
    }

    /// Every answer posted since the last call, waiting for one if there is none; nil once the
    /// stream is over. A writer woken by an answer lets the tasks already scheduled run first
    /// (`Task.yield`), so that answers posted together leave as one message.
    func next() async -> [Raftkv_V1_PipelinedResponse]? {
        var waited = false
        while true {
            if waited { await Task.yield() }
            let ready: [Raftkv_V1_PipelinedResponse]?? = state.withLock { state in
                if state.closed { return .some(nil) }
                if !state.answered.isEmpty { return .some(Self.takeMessage(&state.answered)) }
                if state.inputEnded, state.outstanding == 0 { return .some(nil) }
                return .none
            }
            if let ready { return ready }
            await withCheckedContinuation { continuation in
                let parked = state.withLock { state in
                    guard !state.closed, state.answered.isEmpty, !(state.inputEnded && state.outstanding == 0) else { return false }
                    state.writer = continuation
                    return true
                }
                if !parked { continuation.resume() }
            }
            waited = true
        }
    }
}

extension Raftkv_V1_PipelinedResponse {
    /// The answer to request `id`: the status a unary call would have ended with, carrying the
    /// leader hint of a not-leader error.
    static func failure(_ id: UInt64, _ error: RPCError) -> Self {
        var failure = Raftkv_V1_PipelineError()
        failure.code = Int32(error.code.rawValue)
        failure.message = error.message
        if let leader = error.metadata[stringValues: "raftkv-leader-id"].first(where: { _ in true }).flatMap({ UInt64($0) }) {
            failure.leaderID = leader
        }
        if let address = error.metadata[stringValues: "raftkv-leader-address"].first(where: { _ in true }) {
            failure.leaderAddress = address
        }
        var response = Self()
        response.id = id
        response.error = failure
        return response
    }

    /// The answer to a request that names no operation.
    static func noOperation(_ id: UInt64) -> Self {
        failure(id, RPCError(code: .invalidArgument, message: "pipelined request \(id) names no operation (get, put, delete or compare_and_swap)"))
    }

    /// The answer to request `id`: `body`'s response, or the status of the error it threw.
    static func answering(_ id: UInt64, _ body: () throws -> OneOf_Response) -> Self {
        do {
            var response = Self()
            response.id = id
            response.response = try body()
            return response
        } catch let error as RPCError {
            return failure(id, error)
        } catch {
            return failure(id, RPCError(code: .internalError, message: "\(error)"))
        }
    }
}
