import ArgumentParser
import ClusterConfig
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import RaftClient
import RaftProto

typealias KVClient = Raftkv_V1_KV.Client<HTTP2ClientTransport.Posix>

extension Context {
    /// Runs a key-value call on the gateway, or on the `--endpoints` nodes in order: a node that
    /// answers "not leader" with the leader's address is followed once, and unreachable nodes are
    /// skipped. All attempts share one deadline of `--timeout`.
    func runKV<Result: Sendable>(_ body: @escaping @Sendable (KVClient, CallOptions) async throws -> Result) async throws -> Result {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var queue = try kvEndpoints()
        let direct = explicitEndpoints != nil
        var followedHint = false
        var failures: [(ClusterEndpoint, RemoteFailure)] = []
        var index = 0
        while index < queue.count {
            let endpoint = queue[index]
            index += 1
            let remaining = deadline - clock.now
            guard remaining > .zero else {
                failures.append((endpoint, .timedOut(timeout)))
                break
            }
            do throws(RemoteFailure) {
                return try await Remote.call(endpoint, timeout: remaining) { client, options in
                    try await body(KVClient(wrapping: client), options)
                }
            } catch {
                var failure = error
                if case .timedOut = failure { failure = .timedOut(timeout) }
                failures.append((endpoint, failure))
                switch failure {
                case .notLeader(_, let hinted?, _) where direct && !followedHint:
                    if let address = NodeAddress(parsing: hinted) {
                        followedHint = true
                        queue.insert(ClusterEndpoint(address: address, kind: .node), at: index)
                    }
                case .notLeader, .unreachable:
                    continue
                case .timedOut, .rejected:
                    index = queue.count
                }
            }
        }
        throw CommandFailure(Self.summary(of: failures))
    }

    /// One failure's explanation, or every endpoint's when several were tried.
    static func summary(of failures: [(ClusterEndpoint, RemoteFailure)]) -> String {
        if failures.count == 1 { return failures[0].1.explanation(for: failures[0].0) }
        return "no endpoint could serve the request: "
            + failures.map { $0.1.explanation(for: $0.0) }.joined(separator: "; ")
    }
}

/// Checks that a key is non-empty.
func requireKey(_ key: String) throws {
    if key.isEmpty { throw ValidationError("KEY must not be empty") }
}

struct PutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "put", abstract: "Write a value.",
        discussion: "Prints OK once the write is committed (-w json/table also show the log index).")

    @OptionGroup var globals: GlobalOptions
    @Argument(help: "The key.") var key: String
    @Argument(help: "The value.") var value: String

    func validate() throws { try requireKey(key) }

    func run() async throws {
        let context = Context(globals: globals)
        var request = Raftkv_V1_PutRequest()
        request.client = Raftkv_V1_ClientRequest.oneShot()
        request.key = Data(key.utf8)
        request.value = Data(value.utf8)
        let sent = request
        let response = try await context.runKV { client, options in try await client.put(sent, options: options) }
        let result = KVResult(simple: Array("OK\n".utf8), fields: [("key", .string(key)), ("index", .number(response.index))])
        if let bytes = result.render(as: context.format) { context.emit(bytes) }
    }
}

struct GetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get", abstract: "Read a value.",
        discussion: """
            Prints the value. As with etcdctl, a missing key prints nothing and exits 0 (-w json \
            shows "found": false). Reads are linearizable (they go through the leader); with \
            --serializable any node answers from its local state, which may be stale.
            """)

    @OptionGroup var globals: GlobalOptions
    @Argument(help: "The key.") var key: String
    @Flag(help: "Read the answering node's local state: faster, possibly stale.") var serializable = false

    func validate() throws { try requireKey(key) }

    func run() async throws {
        let context = Context(globals: globals)
        var request = Raftkv_V1_GetRequest()
        request.key = Data(key.utf8)
        request.serializable = serializable
        let sent = request
        let response = try await context.runKV { client, options in try await client.get(sent, options: options) }
        let value = [UInt8](response.value)
        let result = KVResult(
            simple: response.found ? value + [0x0A] : nil,
            fields: [("key", .string(key)), ("found", .bool(response.found)),
                     response.found ? bytesField("value", value) : ("value", .null), ("index", .number(response.index))])
        if let bytes = result.render(as: context.format) { context.emit(bytes) }
    }
}

struct DeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "del", abstract: "Delete a key.",
        discussion: "Prints the number of keys deleted, 1 or 0, like etcdctl.")

    @OptionGroup var globals: GlobalOptions
    @Argument(help: "The key.") var key: String

    func validate() throws { try requireKey(key) }

    func run() async throws {
        let context = Context(globals: globals)
        var request = Raftkv_V1_DeleteRequest()
        request.client = Raftkv_V1_ClientRequest.oneShot()
        request.key = Data(key.utf8)
        let sent = request
        let response = try await context.runKV { client, options in try await client.delete(sent, options: options) }
        let deleted: UInt64 = response.existed ? 1 : 0
        let result = KVResult(simple: Array("\(deleted)\n".utf8),
                              fields: [("key", .string(key)), ("deleted", .number(deleted)), ("index", .number(response.index))])
        if let bytes = result.render(as: context.format) { context.emit(bytes) }
    }
}

struct CompareAndSwapCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cas", abstract: "Set a key only if it holds an expected value.",
        discussion: """
            raftctl cas KEY EXPECTED NEW sets KEY to NEW if it currently equals EXPECTED; \
            raftctl cas KEY NEW --expect-absent sets it only if KEY does not exist. Prints OK when \
            the swap happened, else FAILURE followed by the current value (if any); both exit 0, \
            like a failed etcdctl txn.
            """)

    @OptionGroup var globals: GlobalOptions
    @Argument(help: "The key.") var key: String
    @Argument(help: ArgumentHelp("EXPECTED then NEW, or only NEW with --expect-absent.", valueName: "expected-and-new"))
    var values: [String] = []
    @Flag(help: "Swap only if the key does not exist (give only NEW).") var expectAbsent = false

    func validate() throws {
        try requireKey(key)
        if expectAbsent, values.count != 1 {
            throw ValidationError("with --expect-absent give KEY and NEW only (got \(values.count) value\(values.count == 1 ? "" : "s") after KEY)")
        }
        if !expectAbsent, values.count != 2 {
            throw ValidationError("give KEY EXPECTED NEW, or KEY NEW --expect-absent (got \(values.count) value\(values.count == 1 ? "" : "s") after KEY)")
        }
    }

    func run() async throws {
        let context = Context(globals: globals)
        var request = Raftkv_V1_CompareAndSwapRequest()
        request.client = Raftkv_V1_ClientRequest.oneShot()
        request.key = Data(key.utf8)
        if expectAbsent {
            request.expectedAbsent = true
        } else {
            request.expectedValue = Data(values[0].utf8)
        }
        request.newValue = Data(values.last!.utf8)
        let sent = request
        let response = try await context.runKV { client, options in try await client.compareAndSwap(sent, options: options) }
        let current = [UInt8](response.currentValue)
        var simple = Array((response.succeeded ? "OK\n" : "FAILURE\n").utf8)
        if !response.succeeded, response.found { simple += current + [0x0A] }
        let result = KVResult(simple: simple, fields: [
            ("key", .string(key)), ("succeeded", .bool(response.succeeded)),
            ("found", .bool(response.found)),
            response.succeeded || !response.found ? ("current_value", .null) : bytesField("current_value", current),
            ("index", .number(response.index)),
        ])
        if let bytes = result.render(as: context.format) { context.emit(bytes) }
    }
}
