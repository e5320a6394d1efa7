import Chaos
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import Logging
import RaftEngine
import RaftProto
@testable import RaftServer
import XCTest

/// A three-node cluster and a gateway, all in this process on free loopback ports.
final class GatewayTestCluster: @unchecked Sendable {
    let ids: [UInt64] = [1, 2, 3]
    var addresses: [UInt64: String] = [:]
    var gatewayPort = 0
    var nodeTasks: [UInt64: Task<Void, Error>] = [:]
    var gatewayTask: Task<Void, Error>?
    var clientTasks: [Task<Void, Error>] = []
    var clients: [GRPCClient<HTTP2ClientTransport.Posix>] = []
    let root: String
    let logger: Logger

    init() throws {
        root = NSTemporaryDirectory() + "raftkv-gateway-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        var logger = Logger(label: "gateway-tests")
        logger.logLevel = ProcessInfo.processInfo.environment["RAFTKV_TEST_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .critical
        self.logger = logger
        let base = try FreePorts.consecutive(ids.count + 1)
        for (index, id) in ids.enumerated() { addresses[id] = "127.0.0.1:\(base + index)" }
        gatewayPort = base + ids.count
    }

    func options(for id: UInt64) -> NodeOptions {
        let raft = RaftConfig(
            id: id, voters: ids, electionTimeoutMin: 15, electionTimeoutMax: 30, heartbeatInterval: 5,
            preVote: true, checkQuorum: true, randomSeed: UInt64.random(in: 1...UInt64.max))
        return NodeOptions(
            id: id, peers: addresses, stateDirectory: root + "/node-\(id)", tickMs: 10, raft: raft,
            snapshotEntries: 10_000, segmentBytes: 1 << 20, maxKeyBytes: 64, maxValueBytes: 1024, faultInjection: false)
    }

    func startNode(_ id: UInt64) {
        var logger = logger
        logger[metadataKey: "node"] = "\(id)"
        let options = options(for: id)
        nodeTasks[id] = Task { [logger] in try await NodeServer.run(options: options, logger: logger) }
    }

    /// Cancels a node's task and waits until it has stopped serving.
    func stopNode(_ id: UInt64) async {
        guard let task = nodeTasks.removeValue(forKey: id) else { return }
        task.cancel()
        _ = await task.result
    }

    func startGateway(options: GatewayOptions = GatewayOptions()) async throws {
        let listening = AsyncStream<Void>.makeStream()
        let (port, addresses, logger) = (gatewayPort, addresses, logger)
        gatewayTask = Task {
            defer { listening.continuation.finish() }
            try await GatewayServer.run(
                listenHost: "127.0.0.1", port: port, nodes: addresses, options: options, logger: logger,
                onListening: { _, _ in listening.continuation.yield() })
        }
        for await _ in listening.stream { return }
        _ = try await gatewayTask?.value
        throw NodeStartError(message: "gateway stopped before listening")
    }

    /// Starts the nodes and the gateway and waits until the leader replicates to every follower:
    /// cancelling a node while its peers' connections are still being accepted can trap in NIO
    /// (see the note on `NodeServer` in the report), so tests begin from a settled cluster.
    func start() async throws {
        for id in ids { startNode(id) }
        try await startGateway()
        _ = try await waitForLeader(replicatingToAll: true)
    }

    /// A client with its connections running; closed in `tearDown`.
    func client(port: Int) throws -> GRPCClient<HTTP2ClientTransport.Posix> {
        let transport = try HTTP2ClientTransport.Posix(target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: .plaintext)
        let client = GRPCClient(transport: transport)
        clients.append(client)
        clientTasks.append(Task { try await client.runConnections() })
        return client
    }

    func gatewayKV() throws -> Raftkv_V1_KV.Client<HTTP2ClientTransport.Posix> {
        Raftkv_V1_KV.Client(wrapping: try client(port: gatewayPort))
    }

    /// The node that reports itself leader, asking every running node.
    func waitForLeader(timeout: Duration = .seconds(10), replicatingToAll: Bool = false) async throws -> UInt64 {
        var controls: [UInt64: Raftkv_V1_Control.Client<HTTP2ClientTransport.Posix>] = [:]
        for id in nodeTasks.keys {
            controls[id] = Raftkv_V1_Control.Client(wrapping: try client(port: PeerLink.split(addresses[id]!).1))
        }
        let end = ContinuousClock.now + timeout
        while ContinuousClock.now < end {
            for (id, control) in controls {
                var options = CallOptions.defaults
                options.timeout = .milliseconds(500)
                if let status = try? await control.status(Raftkv_V1_StatusRequest(), options: options),
                   status.role == "leader", status.leader == id,
                   !replicatingToAll || (status.peers.count == ids.count - 1 && status.peers.allSatisfy { $0.matchIndex > 0 }) {
                    return id
                }
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw NodeStartError(message: "no leader within \(timeout)")
    }

    func shutdown() async {
        for client in clients { client.beginGracefulShutdown() }
        for task in clientTasks { task.cancel(); _ = await task.result }
        gatewayTask?.cancel()
        _ = await gatewayTask?.result
        let tasks = Array(nodeTasks.values)
        nodeTasks.removeAll()
        for task in tasks { task.cancel() }
        for task in tasks { _ = await task.result }
        try? FileManager.default.removeItem(atPath: root)
    }
}

func timeout(_ duration: Duration) -> CallOptions {
    var options = CallOptions.defaults
    options.timeout = duration
    return options
}

func bytes(_ text: String) -> Data { Data(text.utf8) }

/// Tests that each start a `GatewayTestCluster`, shut down after every test, even a failed one.
class GatewayClusterTestCase: XCTestCase {
    private var cluster: GatewayTestCluster?

    override func tearDown() async throws {
        await cluster?.shutdown()
        cluster = nil
    }

    /// Starts the three nodes and the gateway and waits for a settled leader.
    func startCluster() async throws -> GatewayTestCluster {
        let cluster = try GatewayTestCluster()
        self.cluster = cluster
        try await cluster.start()
        return cluster
    }
}
