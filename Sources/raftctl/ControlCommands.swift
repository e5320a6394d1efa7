import ArgumentParser
import ClusterConfig
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import RaftClient
import RaftProto

typealias ControlClient = Raftkv_V1_Control.Client<HTTP2ClientTransport.Posix>

extension StatusRow {
    /// A row from a node's answer, or from the reason there was none.
    init(endpoint: ClusterEndpoint, result: Result<Raftkv_V1_NodeStatus, RemoteFailure>) {
        switch result {
        case .success(let status):
            var errors: [String] = []
            if !status.storageError.isEmpty { errors.append("storage: \(status.storageError)") }
            if !status.partitionedFrom.isEmpty {
                errors.append("partitioned from " + status.partitionedFrom.sorted().map(String.init).joined(separator: ","))
            }
            self.init(endpoint: endpoint.description, id: status.id, role: status.role, term: status.term,
                      lastIndex: status.lastIndex, commit: status.commitIndex, applied: status.appliedIndex,
                      leader: status.leader, errors: errors)
        case .failure(let failure):
            self.init(endpoint: endpoint.description, id: nil, errors: [failure.shortReason])
        }
    }
}

/// The outcome of a fault-injection call on one node, for `partition` and `heal`.
struct ActionRow {
    var node: Int?
    var endpoint: String
    var result: String
    var error: String?

    static func render(_ rows: [ActionRow], as format: OutputFormat) -> String {
        switch format {
        case .simple:
            return rows.filter { $0.error == nil }.map { row in
                "\(row.node.map { "node \($0)" } ?? row.endpoint): \(row.result)"
            }.joined(separator: "\n")
        case .table:
            return TextTable.render(header: ["NODE", "ENDPOINT", "RESULT", "ERROR"], rows: rows.map {
                [$0.node.map(String.init) ?? "", $0.endpoint, $0.error == nil ? $0.result : "failed", $0.error ?? ""]
            })
        case .json:
            return JSONValue.array(rows.map { row in
                .object([("node", row.node.map { .number(UInt64($0)) } ?? .null), ("endpoint", .string(row.endpoint)),
                         ("result", .string(row.error == nil ? row.result : "failed")),
                         ("error", row.error.map(JSONValue.string) ?? .null)])
            }).rendered()
        }
    }

    /// Prints the rows and fails when any node failed.
    static func finish(_ rows: [ActionRow], what: String, context: Context) throws {
        context.emit(render(rows, as: context.format))
        let failed = rows.filter { $0.error != nil }
        guard failed.isEmpty else {
            let details = failed.map { "\($0.node.map { "node \($0)" } ?? $0.endpoint): \($0.error!)" }.joined(separator: "; ")
            throw CommandFailure("\(what) failed on \(failed.count) of \(rows.count) node\(rows.count == 1 ? "" : "s"): \(details)")
        }
    }
}

extension Context {
    /// Runs `body` on each node concurrently, returning an error text per node that failed.
    func onEachNode(_ nodes: [(id: Int?, endpoint: ClusterEndpoint)],
                    _ body: @escaping @Sendable (Int?, ControlClient, CallOptions) async throws -> Void) async -> [String?] {
        let timeout = self.timeout
        return await withTaskGroup(of: (Int, String?).self) { group in
            for (index, node) in nodes.enumerated() {
                group.addTask {
                    do throws(RemoteFailure) {
                        try await Remote.call(node.endpoint, timeout: timeout) { client, options in
                            try await body(node.id, ControlClient(wrapping: client), options)
                        }
                        return (index, nil)
                    } catch {
                        return (index, error.explanation(for: node.endpoint))
                    }
                }
            }
            var errors = [String?](repeating: nil, count: nodes.count)
            for await (index, error) in group { errors[index] = error }
            return errors
        }
    }
}

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show every node's Raft state.",
        discussion: """
            Asks each node (from config.ini, or --endpoints) for its status. Nodes that do not answer \
            are listed with the reason in ERRORS, and raftctl then exits 1, like `etcdctl endpoint status`. \
            ERRORS also shows storage failures and fault-injected partitions.
            """)

    @OptionGroup var globals: GlobalOptions

    func run() async throws {
        let context = Context(globals: globals)
        let endpoints = try context.nodeEndpoints()
        let rows = await context.statuses(of: endpoints).map { StatusRow(endpoint: $0.0, result: $0.1) }
        context.emit(StatusRow.render(rows, as: context.format))
        let failed = rows.filter { !$0.reachable }
        if !failed.isEmpty {
            throw CommandFailure("\(failed.count) of \(rows.count) endpoints did not answer: "
                + failed.map { "\($0.endpoint) (\($0.errors.joined(separator: "; ")))" }.joined(separator: ", "))
        }
    }
}

struct TransferCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transfer", abstract: "Move leadership to another node.",
        discussion: "Asks the current leader to hand over to node N and waits (up to --timeout) until N leads.")

    @OptionGroup var globals: GlobalOptions
    @Argument(help: "The node to become leader.") var node: Int

    func validate() throws {
        if node < 1 { throw ValidationError("node ids start at 1 (got \(node))") }
    }

    func run() async throws {
        let context = Context(globals: globals)
        let clock = ContinuousClock()
        let deadline = clock.now + context.timeout
        let nodes = try await context.nodesByID()
        guard nodes[node] != nil else {
            throw CommandFailure("node \(node) is not a known node (known: \(nodes.keys.sorted().map(String.init).joined(separator: ",")))")
        }
        let answers = await context.statuses(of: nodes.keys.sorted().compactMap { nodes[$0] })
        let leaders = answers.compactMap { endpoint, result -> (ClusterEndpoint, Raftkv_V1_NodeStatus)? in
            guard case .success(let status) = result, status.role == "leader" else { return nil }
            return (endpoint, status)
        }
        guard let (leaderEndpoint, leader) = leaders.max(by: { $0.1.term < $1.1.term }) else {
            throw CommandFailure("no node is leader right now, so there is nothing to transfer (check `raftctl status`, then retry)")
        }
        if leader.id == UInt64(node) {
            context.emit("node \(node) is already the leader (term \(leader.term))")
            return
        }
        do throws(RemoteFailure) {
            var request = Raftkv_V1_TransferLeaderRequest()
            request.target = UInt64(node)
            try await Remote.call(leaderEndpoint, timeout: context.timeout) { client, options in
                _ = try await ControlClient(wrapping: client).transferLeader(request, options: options)
            }
        } catch {
            throw CommandFailure("node \(leader.id) (leader) refused the transfer: \(error.explanation(for: leaderEndpoint))")
        }
        let target = nodes[node]!
        while clock.now < deadline {
            if case .success(let status) = await context.statuses(of: [target])[0].1, status.role == "leader" {
                context.emit("leadership transferred from node \(leader.id) to node \(node) (term \(status.term))")
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw CommandFailure("node \(leader.id) accepted the transfer, but node \(node) did not become leader within \(DurationText.format(context.timeout)) (is it reachable and caught up? check `raftctl status`)")
    }
}

struct PartitionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "partition", abstract: "Split the cluster into groups that cannot talk to each other.",
        discussion: """
            SPEC lists every node once, in groups separated by '/': `raftctl partition 1,2,3/4,5` lets \
            1, 2 and 3 talk among themselves and 4 and 5 among themselves, but not across. Any earlier \
            partition is healed first. Needs fault_injection = true in config.ini.
            """)

    @OptionGroup var globals: GlobalOptions
    @Argument(help: ArgumentHelp("Groups of node ids, such as 1,2,3/4,5.", valueName: "spec")) var spec: String

    func run() async throws {
        let context = Context(globals: globals)
        let nodes = try await context.nodesByID()
        let partition: PartitionSpec
        do {
            partition = try PartitionSpec.parse(spec, nodes: nodes.keys.sorted())
        } catch {
            throw ValidationError(error.description)
        }
        let cuts = partition.cuts
        let targets = cuts.map { (id: Optional($0.node), endpoint: nodes[$0.node]!) }
        let peersByNode = Dictionary(uniqueKeysWithValues: cuts.map { ($0.node, $0.peers.map(UInt64.init)) })
        let errors = await context.onEachNode(targets) { id, client, options in
            _ = try await client.heal(Raftkv_V1_HealRequest(), options: options)
            var request = Raftkv_V1_PartitionRequest()
            request.peers = peersByNode[id!] ?? []
            _ = try await client.partition(request, options: options)
        }
        let rows = zip(cuts, errors).map { cut, error in
            ActionRow(node: cut.node, endpoint: nodes[cut.node]!.description,
                      result: "cut off from " + cut.peers.map(String.init).joined(separator: ","), error: error)
        }
        try ActionRow.finish(rows, what: "partition", context: context)
    }
}

struct HealCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "heal", abstract: "Remove every partition.",
        discussion: "Calls Heal on every node. Needs fault_injection = true in config.ini.")

    @OptionGroup var globals: GlobalOptions

    func run() async throws {
        let context = Context(globals: globals)
        let targets: [(id: Int?, endpoint: ClusterEndpoint)]
        if context.explicitEndpoints == nil {
            let config = try context.config()
            targets = zip(config.nodeIDs, try context.nodeEndpoints()).map { (id: Optional($0.0), endpoint: $0.1) }
        } else {
            targets = try context.nodeEndpoints().map { (id: nil, endpoint: $0) }
        }
        let errors = await context.onEachNode(targets) { _, client, options in
            _ = try await client.heal(Raftkv_V1_HealRequest(), options: options)
        }
        let rows = zip(targets, errors).map { target, error in
            ActionRow(node: target.id, endpoint: target.endpoint.description, result: "healed", error: error)
        }
        try ActionRow.finish(rows, what: "heal", context: context)
    }
}
