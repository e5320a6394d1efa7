import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import RaftClient
import RaftProto

/// A test client that talks to the nodes directly: one long-lived connection per node, requests
/// sent to the known leader, "not leader" hints followed, retried within a deadline.
final class ClusterClient: @unchecked Sendable {
    typealias Transport = HTTP2ClientTransport.Posix
    private let clients: [Int: GRPCClient<Transport>]
    private let lock = NSLock()
    private var leaderGuess: Int

    init(addresses: [Int: String]) throws {
        var clients: [Int: GRPCClient<Transport>] = [:]
        for (id, address) in addresses {
            let parts = address.split(separator: ":")
            let transport = try Transport(target: .ipv4(address: String(parts[0]), port: Int(parts[1])!), transportSecurity: .plaintext)
            let client = GRPCClient(transport: transport)
            Task { try await client.runConnections() }
            clients[id] = client
        }
        self.clients = clients
        leaderGuess = addresses.keys.min() ?? 1
    }

    /// A client for every node of `cluster`.
    convenience init(cluster: ProcessCluster) throws {
        try self.init(addresses: Dictionary(uniqueKeysWithValues: cluster.nodeIDs.map { ($0, cluster.address(of: $0)) }))
    }

    func close() {
        for client in clients.values { client.beginGracefulShutdown() }
    }

    func kv(_ id: Int) -> Raftkv_V1_KV.Client<Transport> { Raftkv_V1_KV.Client(wrapping: clients[id]!) }
    func control(_ id: Int) -> Raftkv_V1_Control.Client<Transport> { Raftkv_V1_Control.Client(wrapping: clients[id]!) }

    private var ids: [Int] { clients.keys.sorted() }

    /// Runs `call` against the leader, following hints and trying other nodes, until it succeeds
    /// or `timeout` passes. Non-retryable errors (invalid argument) are thrown at once.
    func withLeader<T: Sendable>(timeout: Duration = .seconds(10), _ call: (Raftkv_V1_KV.Client<Transport>, CallOptions) async throws -> T) async throws -> T {
        let deadline = ContinuousClock.now + timeout
        var options = CallOptions.defaults
        options.timeout = .seconds(2)
        options.maxRequestMessageBytes = AnswerSizeLimit.bytes
        var lastError: Error = RPCError(code: .unavailable, message: "no attempt made")
        while ContinuousClock.now < deadline {
            let target = lock.withLock { leaderGuess }
            do {
                return try await call(kv(target), options)
            } catch let error as RPCError {
                lastError = error
                if error.code == .invalidArgument || error.code == .failedPrecondition { throw error }
                let hint = error.metadata[stringValues: "raftkv-leader-id"].first(where: { _ in true }).flatMap { Int($0) }
                lock.withLock {
                    if let hint, hint != target, clients[hint] != nil {
                        leaderGuess = hint
                    } else {
                        let position = ids.firstIndex(of: target) ?? 0
                        leaderGuess = ids[(position + 1) % ids.count]
                    }
                }
                try await Task.sleep(for: .milliseconds(hint == nil ? 50 : 5))
            }
        }
        throw lastError
    }

    func put(_ key: String, _ value: String, client: UInt64 = 0, sequence: UInt64 = 0) async throws -> UInt64 {
        var request = Raftkv_V1_PutRequest()
        request.key = Data(key.utf8)
        request.value = Data(value.utf8)
        request.client.clientID = client
        request.client.sequence = sequence
        return try await withLeader { kv, options in try await kv.put(request, options: options).index }
    }

    func get(_ key: String) async throws -> String? {
        var request = Raftkv_V1_GetRequest()
        request.key = Data(key.utf8)
        let response = try await withLeader { kv, options in try await kv.get(request, options: options) }
        return response.found ? String(decoding: response.value, as: UTF8.self) : nil
    }

    func delete(_ key: String) async throws -> Bool {
        var request = Raftkv_V1_DeleteRequest()
        request.key = Data(key.utf8)
        return try await withLeader { kv, options in try await kv.delete(request, options: options).existed }
    }

    func compareAndSwap(_ key: String, expected: String?, new: String) async throws -> Bool {
        var request = Raftkv_V1_CompareAndSwapRequest()
        request.key = Data(key.utf8)
        if let expected { request.expectedValue = Data(expected.utf8) } else { request.expectedAbsent = true }
        request.newValue = Data(new.utf8)
        return try await withLeader { kv, options in try await kv.compareAndSwap(request, options: options).succeeded }
    }

    /// The status of every node that answers.
    func statuses() async -> [Int: Raftkv_V1_NodeStatus] {
        var result: [Int: Raftkv_V1_NodeStatus] = [:]
        var options = CallOptions.defaults
        options.timeout = .milliseconds(500)
        for id in ids {
            if let status = try? await control(id).status(Raftkv_V1_StatusRequest(), options: options) { result[id] = status }
        }
        return result
    }

    /// Waits until a node reports itself leader and a majority agrees; returns its id.
    func awaitLeader(timeout: Duration = .seconds(10)) async throws -> Int {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let statuses = await statuses()
            if let leader = statuses.values.first(where: { $0.role == "leader" }) {
                let followers = statuses.values.filter { $0.term == leader.term && $0.leader == leader.id }
                if followers.count > clients.count / 2 {
                    lock.withLock { leaderGuess = Int(leader.id) }
                    return Int(leader.id)
                }
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw RPCError(code: .deadlineExceeded, message: "no stable leader within \(timeout)")
    }
}
