import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import Logging
import RaftProto
import Synchronization

/// The client-facing KV service of the gateway: forwards every call to the cluster's leader.
///
/// It caches the leader, follows the `raftkv-leader-id` hints of not-leader errors, and otherwise
/// tries the nodes in turn, retrying with exponential backoff and full jitter until the call's
/// deadline (the client's `grpc-timeout`, else `GatewayOptions.defaultDeadline`). INVALID_ARGUMENT,
/// FAILED_PRECONDITION and other definite answers of a node are returned unchanged. Writes are
/// forwarded with the client's `ClientRequest` untouched, so a retried write is applied once by the
/// state machine's client sessions. Serializable Gets may be answered by any node.
public final class Gateway: Raftkv_V1_KV.SimpleServiceProtocol, Sendable {
    /// One node the gateway forwards to.
    struct Node: Sendable {
        let id: UInt64
        let address: String
        let kv: Raftkv_V1_KV.Client<HTTP2ClientTransport.Posix>
    }

    private struct State {
        var leader: UInt64?
        /// Whether the last attempt to each node reached it.
        var reachable: [UInt64: Bool] = [:]
        var nextNode = 0
    }

    let options: GatewayOptions
    private let nodes: [Node]
    private let byID: [UInt64: Node]
    private let logger: Logger
    private let state = Mutex(State())

    init(nodes: [Node], options: GatewayOptions, logger: Logger) {
        precondition(!nodes.isEmpty, "a gateway needs at least one node")
        self.nodes = nodes.sorted { $0.id < $1.id }
        self.byID = Dictionary(uniqueKeysWithValues: nodes.map { ($0.id, $0) })
        self.options = options
        self.logger = logger
    }

    /// The leader the gateway currently believes in, if any.
    var cachedLeader: UInt64? { state.withLock { $0.leader } }

    // MARK: - KV

    public func get(request: Raftkv_V1_GetRequest, context: ServerContext) async throws -> Raftkv_V1_GetResponse {
        try await forward(anyNode: request.serializable, deadline: deadline(nil)) { kv, options in
            try await kv.get(request, options: options)
        }
    }

    public func put(request: Raftkv_V1_PutRequest, context: ServerContext) async throws -> Raftkv_V1_PutResponse {
        try await forward(anyNode: false, deadline: deadline(nil)) { kv, options in try await kv.put(request, options: options) }
    }

    public func delete(request: Raftkv_V1_DeleteRequest, context: ServerContext) async throws -> Raftkv_V1_DeleteResponse {
        try await forward(anyNode: false, deadline: deadline(nil)) { kv, options in try await kv.delete(request, options: options) }
    }

    public func compareAndSwap(request: Raftkv_V1_CompareAndSwapRequest, context: ServerContext) async throws -> Raftkv_V1_CompareAndSwapResponse {
        try await forward(anyNode: false, deadline: deadline(nil)) { kv, options in
            try await kv.compareAndSwap(request, options: options)
        }
    }

    // The metadata-level entry points, which see the client's `grpc-timeout`.

    public func get(request: ServerRequest<Raftkv_V1_GetRequest>, context: ServerContext) async throws -> ServerResponse<Raftkv_V1_GetResponse> {
        let message = request.message
        return ServerResponse(message: try await forward(anyNode: message.serializable, deadline: deadline(request.metadata)) { kv, options in
            try await kv.get(message, options: options)
        })
    }

    public func put(request: ServerRequest<Raftkv_V1_PutRequest>, context: ServerContext) async throws -> ServerResponse<Raftkv_V1_PutResponse> {
        let message = request.message
        return ServerResponse(message: try await forward(anyNode: false, deadline: deadline(request.metadata)) { kv, options in
            try await kv.put(message, options: options)
        })
    }

    public func delete(request: ServerRequest<Raftkv_V1_DeleteRequest>, context: ServerContext) async throws -> ServerResponse<Raftkv_V1_DeleteResponse> {
        let message = request.message
        return ServerResponse(message: try await forward(anyNode: false, deadline: deadline(request.metadata)) { kv, options in
            try await kv.delete(message, options: options)
        })
    }

    public func compareAndSwap(request: ServerRequest<Raftkv_V1_CompareAndSwapRequest>, context: ServerContext) async throws -> ServerResponse<Raftkv_V1_CompareAndSwapResponse> {
        let message = request.message
        return ServerResponse(message: try await forward(anyNode: false, deadline: deadline(request.metadata)) { kv, options in
            try await kv.compareAndSwap(message, options: options)
        })
    }

    /// Forwards each pipelined request as the matching unary call would be (its own retries and
    /// deadline) and answers them as they complete.
    public func pipeline(request: RPCAsyncSequence<Raftkv_V1_PipelineRequest, any Error>,
                         response: RPCWriter<Raftkv_V1_PipelineResponse>, context: ServerContext) async throws {
        try await PipelineStream.serve(requests: request, responses: response) { requests, replies in
            for item in requests {
                Task { replies.post(await self.forwardPipelined(item)) }
            }
        }
    }

    private func forwardPipelined(_ item: Raftkv_V1_PipelinedRequest) async -> Raftkv_V1_PipelinedResponse {
        var response = Raftkv_V1_PipelinedResponse()
        response.id = item.id
        do {
            switch item.request {
            case .get(let get):
                response.get = try await forward(anyNode: get.serializable, deadline: deadline(nil)) { kv, options in try await kv.get(get, options: options) }
            case .put(let put):
                response.put = try await forward(anyNode: false, deadline: deadline(nil)) { kv, options in try await kv.put(put, options: options) }
            case .delete(let delete):
                response.delete = try await forward(anyNode: false, deadline: deadline(nil)) { kv, options in try await kv.delete(delete, options: options) }
            case .compareAndSwap(let swap):
                response.compareAndSwap = try await forward(anyNode: false, deadline: deadline(nil)) { kv, options in
                    try await kv.compareAndSwap(swap, options: options)
                }
            case nil:
                return .noOperation(item.id)
            }
            return response
        } catch let error as RPCError {
            return .failure(item.id, error)
        } catch {
            return .failure(item.id, RPCError(code: .unavailable, message: "\(error)"))
        }
    }

    // MARK: - Forwarding

    /// When the gateway must have answered: a little before the client's deadline so that the
    /// client gets the gateway's explanation rather than its own DEADLINE_EXCEEDED.
    private func deadline(_ metadata: Metadata?) -> ContinuousClock.Instant {
        var budget = options.defaultDeadline
        if let metadata, let value = metadata[stringValues: "grpc-timeout"].first(where: { _ in true }),
           let timeout = Self.parseTimeout(value) {
            budget = timeout
        }
        let margin = min(options.deadlineMargin, budget / 10)
        return .now + budget - margin
    }

    /// Parses a `grpc-timeout` header value: up to 8 digits and a unit (H, M, S, m, u, n).
    static func parseTimeout(_ value: String) -> Duration? {
        guard (2...9).contains(value.count), let unit = value.last, let amount = Int64(value.dropLast()), amount >= 0 else {
            return nil
        }
        switch unit {
        case "H": return .seconds(amount * 3600)
        case "M": return .seconds(amount * 60)
        case "S": return .seconds(amount)
        case "m": return .milliseconds(amount)
        case "u": return .microseconds(amount)
        case "n": return .nanoseconds(amount)
        default: return nil
        }
    }

    /// How one attempt against one node ended.
    private enum Outcome<T> {
        case answered(T)
        /// A definite answer to return to the client as is.
        case failed(RPCError)
        /// Try again: this node is not (or no longer) the leader, or could not be reached.
        case retry(RPCError, reached: Bool, hint: UInt64?)
    }

    private func forward<T: Sendable>(
        anyNode: Bool, deadline: ContinuousClock.Instant,
        _ call: @Sendable (Raftkv_V1_KV.Client<HTTP2ClientTransport.Posix>, CallOptions) async throws -> T
    ) async throws -> T {
        var retries = 0
        var hintFollowed = false
        var lastError: RPCError?
        var target = firstTarget(anyNode: anyNode)
        while true {
            try Task.checkCancellation()
            let remaining = ContinuousClock.now.duration(to: deadline)
            if remaining <= .zero { break }
            let node = byID[target]!
            var callOptions = CallOptions.defaults
            callOptions.waitForReady = false
            callOptions.timeout = min(remaining, options.attemptTimeout)
            // The node's answer may hold a value as large as any request the gateway accepts.
            callOptions.maxRequestMessageBytes = options.maxRequestBytes

            switch await attempt(node, callOptions, call) {
            case .answered(let value):
                record(node.id, reached: true, leader: anyNode ? nil : node.id)
                return value
            case .failed(let error):
                record(node.id, reached: true, leader: nil)
                throw error
            case .retry(let error, let reached, let hint):
                lastError = error
                record(node.id, reached: reached, leader: nil, notLeader: node.id, hint: hint)
                logger.debug("retrying", metadata: [
                    "node": "\(node.id)", "code": "\(error.code)", "error": "\(error.message)",
                    "hint": "\(hint.map(String.init) ?? "none")",
                ])
                if let hint, hint != node.id, byID[hint] != nil, !hintFollowed {
                    // A fresh hint: go straight to the named leader once, then back off as usual.
                    hintFollowed = true
                    target = hint
                    continue
                }
                hintFollowed = false
                target = nextTarget(after: node.id, anyNode: anyNode)
            }
            let ceiling = min(options.maxBackoff, options.initialBackoff * Int(1 << min(retries, 20)))
            retries += 1
            let pause = Duration.nanoseconds(Int64.random(in: 0...max(0, Self.nanoseconds(ceiling))))
            let left = ContinuousClock.now.duration(to: deadline)
            if left <= .zero { break }
            try await Task.sleep(for: min(pause, left))
        }
        throw noLeaderError(lastError: lastError)
    }

    private func attempt<T: Sendable>(
        _ node: Node, _ callOptions: CallOptions,
        _ call: @Sendable (Raftkv_V1_KV.Client<HTTP2ClientTransport.Posix>, CallOptions) async throws -> T
    ) async -> Outcome<T> {
        do {
            return .answered(try await call(node.kv, callOptions))
        } catch let error as RPCError {
            switch error.code {
            case .unavailable:
                let hint = error.metadata[stringValues: "raftkv-leader-id"].first(where: { _ in true }).flatMap { UInt64($0) }
                return .retry(error, reached: Self.answeredByNode(error) || hint != nil, hint: hint)
            case .deadlineExceeded, .cancelled:
                return .retry(error, reached: false, hint: nil)
            default:
                return .failed(Self.relayable(error))
            }
        } catch {
            return .retry(RPCError(code: .unavailable, message: "\(error)"), reached: false, hint: nil)
        }
    }

    /// Whether an UNAVAILABLE error came from the node itself (it is up and answering, just not
    /// the leader or not in a quorum) rather than from the connection to it. A node's answer has
    /// gone through HTTP/2, so its trailers carry the response headers; the errors a node raises
    /// are also recognisable by their text.
    static func answeredByNode(_ error: RPCError) -> Bool {
        if error.metadata.contains(where: { $0.key == "content-type" || $0.key == ":status" }) { return true }
        let known = ["not the leader", "leadership changed", "node is stopping", "storage failed"]
        return known.contains { error.message.hasPrefix($0) }
    }

    /// A node's error as the gateway returns it: same code, message and application metadata, but
    /// without the HTTP/2 and gRPC headers the node's response carried (they are not valid trailers).
    static func relayable(_ error: RPCError) -> RPCError {
        var metadata = Metadata()
        for (key, value) in error.metadata {
            let lower = key.lowercased()
            if lower.hasPrefix(":") || lower.hasPrefix("grpc-") || ["content-type", "te", "user-agent", "date", "server"].contains(lower) {
                continue
            }
            switch value {
            case .string(let text): metadata.addString(text, forKey: key)
            case .binary(let bytes): metadata.addBinary(bytes, forKey: key)
            }
        }
        return RPCError(code: error.code, message: error.message, metadata: metadata)
    }

    private func record(_ id: UInt64, reached: Bool, leader: UInt64?, notLeader: UInt64? = nil, hint: UInt64? = nil) {
        state.withLock { state in
            state.reachable[id] = reached
            if let leader { state.leader = leader }
            if let notLeader, state.leader == notLeader { state.leader = nil }
            if let hint, byID[hint] != nil, hint != notLeader { state.leader = hint }
        }
    }

    private func firstTarget(anyNode: Bool) -> UInt64 {
        state.withLock { state in
            if !anyNode, let leader = state.leader { return leader }
            if anyNode {
                // Spread serializable reads over the nodes that answered last time.
                for _ in 0..<nodes.count {
                    let node = nodes[state.nextNode % nodes.count]
                    state.nextNode = (state.nextNode + 1) % nodes.count
                    if state.reachable[node.id] != false { return node.id }
                }
            }
            let node = nodes[state.nextNode % nodes.count]
            state.nextNode = (state.nextNode + 1) % nodes.count
            return node.id
        }
    }

    private func nextTarget(after id: UInt64, anyNode: Bool) -> UInt64 {
        if !anyNode, let leader = cachedLeader, leader != id { return leader }
        let index = nodes.firstIndex { $0.id == id } ?? 0
        return nodes[(index + 1) % nodes.count].id
    }

    private func noLeaderError(lastError: RPCError?) -> RPCError {
        let (reachable, total) = state.withLock { state in
            (nodes.filter { state.reachable[$0.id] == true }.count, nodes.count)
        }
        let majority = total / 2 + 1
        var message = "no leader: \(reachable) of \(total) nodes reachable"
        if reachable < majority {
            message += ", a majority of \(majority) is needed"
        } else if let lastError {
            message += ", none answered as leader before the deadline (last error: \(lastError.code): \(lastError.message))"
        }
        return RPCError(code: .unavailable, message: message)
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}

/// Timing of the gateway's retries.
public struct GatewayOptions: Sendable {
    /// The deadline of a call whose client sent none.
    public var defaultDeadline: Duration = .seconds(5)
    /// The gateway answers this much before the client's deadline (at most a tenth of it).
    public var deadlineMargin: Duration = .milliseconds(100)
    /// The longest one attempt against one node may take.
    public var attemptTimeout: Duration = .seconds(2)
    /// The first retry waits up to this long; each retry doubles it, up to `maxBackoff`.
    public var initialBackoff: Duration = .milliseconds(20)
    public var maxBackoff: Duration = .milliseconds(500)
    /// On shutdown, calls in flight get this long to finish before they are cancelled.
    public var shutdownGracePeriod: Duration = .seconds(1)
    /// The largest request accepted (see `RequestSizeLimit`); set it from the cluster's limits.
    public var maxRequestBytes = RequestSizeLimit.bytes(maxKeyBytes: 4096, maxValueBytes: 1 << 20)

    public init() {}

    /// Default timing, accepting requests as large as a cluster with these limits allows.
    public init(maxKeyBytes: Int, maxValueBytes: Int) {
        maxRequestBytes = RequestSizeLimit.bytes(maxKeyBytes: maxKeyBytes, maxValueBytes: maxValueBytes)
    }
}
