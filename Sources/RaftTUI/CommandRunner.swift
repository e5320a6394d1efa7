import Dashboard
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import RaftClient
import RaftProto

/// Carries out dashboard commands: key-value requests through the gateway, process actions
/// through the Supervisor of `raftd cluster`, and partitions, heals and transfers on the nodes.
struct CommandRunner: Sendable {
    let nodes: [Int: ClusterEndpoint]
    let gateway: ClusterEndpoint
    let timeout: Duration

    typealias KVClient = Raftkv_V1_KV.Client<HTTP2ClientTransport.Posix>
    typealias ControlClient = Raftkv_V1_Control.Client<HTTP2ClientTransport.Posix>

    /// Runs `command`; `leader` is the leader the dashboard shows, for `transfer`.
    func run(_ command: DashboardCommand, leader: Int?) async -> CommandOutcome {
        do {
            let detail = try await perform(command, leader: leader)
            return CommandOutcome(command: command, succeeded: true, detail: detail)
        } catch {
            return CommandOutcome(command: command, succeeded: false, detail: "\(error)")
        }
    }

    private func perform(_ command: DashboardCommand, leader: Int?) async throws -> String {
        switch command {
        case .put(let key, let value):
            var request = Raftkv_V1_PutRequest()
            request.client = Raftkv_V1_ClientRequest.oneShot()
            request.key = Data(key.utf8)
            request.value = Data(value.utf8)
            let response = try await kv { [request] in try await $0.put(request, options: $1) }
            return "OK, committed at index \(response.index)"
        case .get(let key):
            var request = Raftkv_V1_GetRequest()
            request.key = Data(key.utf8)
            let response = try await kv { [request] in try await $0.get(request, options: $1) }
            return response.found ? "\(key) = \(String(decoding: response.value, as: UTF8.self))" : "\(key) is not set"
        case .delete(let key):
            var request = Raftkv_V1_DeleteRequest()
            request.client = Raftkv_V1_ClientRequest.oneShot()
            request.key = Data(key.utf8)
            let response = try await kv { [request] in try await $0.delete(request, options: $1) }
            return response.existed ? "deleted at index \(response.index)" : "\(key) was not set"
        case .compareAndSwap(let key, let expected, let new):
            var request = Raftkv_V1_CompareAndSwapRequest()
            request.client = Raftkv_V1_ClientRequest.oneShot()
            request.key = Data(key.utf8)
            request.expectedValue = Data(expected.utf8)
            request.newValue = Data(new.utf8)
            let response = try await kv { [request] in try await $0.compareAndSwap(request, options: $1) }
            if response.succeeded { return "swapped at index \(response.index)" }
            return response.found ? "not swapped: \(key) is \(String(decoding: response.currentValue, as: UTF8.self))" : "not swapped: \(key) is not set"
        case .kill(let node): return try await supervise(.kill, node)
        case .start(let node): return try await supervise(.start, node)
        case .pause(let node): return try await supervise(.pause, node)
        case .resume(let node): return try await supervise(.resume, node)
        case .partition(let spec):
            let peersByNode = Dictionary(uniqueKeysWithValues: spec.cuts.map { ($0.node, $0.peers.map(UInt64.init)) })
            try await onNodes(spec.cuts.map(\.node), action: "partition") { id, client, options in
                _ = try await client.heal(Raftkv_V1_HealRequest(), options: options)
                var request = Raftkv_V1_PartitionRequest()
                request.peers = peersByNode[id] ?? []
                _ = try await client.partition(request, options: options)
            }
            return "applied"
        case .heal:
            try await onNodes(nodes.keys.sorted(), action: "heal") { _, client, options in
                _ = try await client.heal(Raftkv_V1_HealRequest(), options: options)
            }
            return "every partition removed"
        case .transfer(let target):
            guard let leader, let endpoint = nodes[leader] else {
                throw CommandProblem("no leader to transfer from; wait for an election, then retry")
            }
            if leader == target { return "node \(target) already leads" }
            var request = Raftkv_V1_TransferLeaderRequest()
            request.target = UInt64(target)
            do throws(RemoteFailure) {
                _ = try await Remote.call(endpoint, timeout: timeout) { client, options in
                    try await ControlClient(wrapping: client).transferLeader(request, options: options)
                }
            } catch {
                throw CommandProblem("node \(leader) refused: \(error.explanation(for: endpoint))")
            }
            return "node \(leader) is handing over to node \(target)"
        }
    }

    private func kv<Response: Sendable>(_ body: @escaping @Sendable (KVClient, CallOptions) async throws -> Response) async throws -> Response {
        do throws(RemoteFailure) {
            return try await Remote.call(gateway, timeout: timeout) { client, options in try await body(KVClient(wrapping: client), options) }
        } catch {
            throw CommandProblem(error.explanation(for: gateway))
        }
    }

    private func supervise(_ action: SupervisorAction, _ node: Int) async throws -> String {
        var id = Raftkv_V1_ServerID()
        id.id = UInt64(node)
        do throws(RemoteFailure) {
            let info = try await Remote.call(gateway, timeout: timeout) { client, options in
                try await action.call(SupervisorClient(wrapping: client), id, options)
            }
            return "node \(info.id) is \(info.state)"
        } catch {
            throw CommandProblem(action.explanation(error, gateway: gateway))
        }
    }

    /// Runs `body` on each of `ids` concurrently; fails naming every node that failed.
    private func onNodes(_ ids: [Int], action: String,
                         _ body: @escaping @Sendable (Int, ControlClient, CallOptions) async throws -> Void) async throws {
        let failures = await withTaskGroup(of: String?.self) { group in
            for id in ids {
                guard let endpoint = nodes[id] else { continue }
                group.addTask {
                    do throws(RemoteFailure) {
                        try await Remote.call(endpoint, timeout: timeout) { client, options in
                            try await body(id, ControlClient(wrapping: client), options)
                        }
                        return nil
                    } catch {
                        return "node \(id): \(error.explanation(for: endpoint))"
                    }
                }
            }
            var failures: [String] = []
            for await failure in group { if let failure { failures.append(failure) } }
            return failures.sorted()
        }
        if !failures.isEmpty {
            throw CommandProblem("\(action) reached \(ids.count - failures.count) of \(ids.count) nodes; " + failures.joined(separator: "; "))
        }
    }
}

/// A command that failed, with the reason and what to do.
struct CommandProblem: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
