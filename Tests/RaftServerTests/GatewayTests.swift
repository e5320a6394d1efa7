import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import Logging
import RaftEngine
import RaftProto
import XCTest
@testable import RaftServer

#if canImport(Glibc)
import Glibc
#endif

/// A three-node cluster and a gateway, all in this process on free loopback ports.
private final class GatewayTestCluster: @unchecked Sendable {
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
        let ports = try Self.freePorts(ids.count + 1)
        for (index, id) in ids.enumerated() { addresses[id] = "127.0.0.1:\(ports[index])" }
        gatewayPort = ports[ids.count]
    }

    /// Ports the kernel hands out for port 0, all held open at once so they differ.
    static func freePorts(_ count: Int) throws -> [Int] {
        var sockets: [Int32] = []
        defer { sockets.forEach { close($0) } }
        var ports: [Int] = []
        for _ in 0..<count {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw NodeStartError(message: "socket() failed") }
            sockets.append(fd)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = 0
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0 else { throw NodeStartError(message: "bind() failed") }
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
            }
            ports.append(Int(UInt16(bigEndian: address.sin_port)))
        }
        return ports
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

private func timeout(_ duration: Duration) -> CallOptions {
    var options = CallOptions.defaults
    options.timeout = duration
    return options
}

private func bytes(_ text: String) -> Data { Data(text.utf8) }

final class GatewayTests: XCTestCase {
    private var cluster: GatewayTestCluster?

    override func tearDown() async throws {
        await cluster?.shutdown()
        cluster = nil
    }

    private func startCluster() async throws -> GatewayTestCluster {
        let cluster = try GatewayTestCluster()
        self.cluster = cluster
        try await cluster.start()
        return cluster
    }

    func testPutGetDeleteAndCompareAndSwapThroughGateway() async throws {
        let cluster = try await startCluster()
        let kv = try cluster.gatewayKV()

        var put = Raftkv_V1_PutRequest()
        put.key = bytes("a")
        put.value = bytes("1")
        let written = try await kv.put(put, options: timeout(.seconds(5)))
        XCTAssertGreaterThan(written.index, 0)

        var get = Raftkv_V1_GetRequest()
        get.key = bytes("a")
        let read = try await kv.get(get, options: timeout(.seconds(5)))
        XCTAssertTrue(read.found)
        XCTAssertEqual(read.value, bytes("1"))
        XCTAssertGreaterThanOrEqual(read.index, written.index)

        // A serializable read may be served by a follower that has not applied the write yet.
        get.serializable = true
        var serializable = try await kv.get(get, options: timeout(.seconds(5)))
        let end = ContinuousClock.now + .seconds(3)
        while !serializable.found, ContinuousClock.now < end {
            try await Task.sleep(for: .milliseconds(20))
            serializable = try await kv.get(get, options: timeout(.seconds(5)))
        }
        XCTAssertEqual(serializable.value, bytes("1"))

        var casAbsent = Raftkv_V1_CompareAndSwapRequest()
        casAbsent.key = bytes("a")
        casAbsent.expectedAbsent = true
        casAbsent.newValue = bytes("x")
        let refused = try await kv.compareAndSwap(casAbsent, options: timeout(.seconds(5)))
        XCTAssertFalse(refused.succeeded)
        XCTAssertTrue(refused.found)
        XCTAssertEqual(refused.currentValue, bytes("1"))

        var cas = Raftkv_V1_CompareAndSwapRequest()
        cas.key = bytes("a")
        cas.expectedValue = bytes("1")
        cas.newValue = bytes("2")
        let swapped = try await kv.compareAndSwap(cas, options: timeout(.seconds(5)))
        XCTAssertTrue(swapped.succeeded)
        get.serializable = false
        let afterSwap = try await kv.get(get, options: timeout(.seconds(5)))
        XCTAssertEqual(afterSwap.value, bytes("2"))

        var delete = Raftkv_V1_DeleteRequest()
        delete.key = bytes("a")
        let deleted = try await kv.delete(delete, options: timeout(.seconds(5)))
        XCTAssertTrue(deleted.existed)
        let gone = try await kv.get(get, options: timeout(.seconds(5)))
        XCTAssertFalse(gone.found)
    }

    func testInvalidArgumentIsReturnedAsIsWithoutRetrying() async throws {
        let cluster = try await startCluster()
        let kv = try cluster.gatewayKV()
        var put = Raftkv_V1_PutRequest()
        put.key = Data()
        put.value = bytes("v")
        do {
            _ = try await kv.put(put, options: timeout(.seconds(5)))
            XCTFail("an empty key must be refused")
        } catch let error as RPCError {
            XCTAssertEqual(error.code, .invalidArgument, "\(error)")
        }
        put.key = Data(repeating: 0x61, count: 65)
        do {
            _ = try await kv.put(put, options: timeout(.seconds(5)))
            XCTFail("an oversized key must be refused")
        } catch let error as RPCError {
            XCTAssertEqual(error.code, .invalidArgument, "\(error)")
            XCTAssertTrue(error.message.contains("64"), error.message)
        }
    }

    func testRetriedWriteWithClientSessionAppliesOnce() async throws {
        let cluster = try await startCluster()
        let kv = try cluster.gatewayKV()
        var cas = Raftkv_V1_CompareAndSwapRequest()
        cas.client.clientID = 77
        cas.client.sequence = 1
        cas.key = bytes("once")
        cas.expectedAbsent = true
        cas.newValue = bytes("v")
        let first = try await kv.compareAndSwap(cas, options: timeout(.seconds(5)))
        let retry = try await kv.compareAndSwap(cas, options: timeout(.seconds(5)))
        XCTAssertTrue(first.succeeded)
        // Applied a second time, the swap would fail (the key exists now): the session answered.
        XCTAssertTrue(retry.succeeded, "the retry returns the remembered result")

        cas.client.sequence = 2
        let next = try await kv.compareAndSwap(cas, options: timeout(.seconds(5)))
        XCTAssertFalse(next.succeeded, "a new write of the client is applied")
        XCTAssertEqual(next.currentValue, bytes("v"))
    }

    func testGatewayFindsTheNewLeaderAfterTheLeaderStops() async throws {
        let cluster = try await startCluster()
        let kv = try cluster.gatewayKV()
        var put = Raftkv_V1_PutRequest()
        put.key = bytes("k")
        put.value = bytes("before")
        _ = try await kv.put(put, options: timeout(.seconds(5)))

        let leader = try await cluster.waitForLeader()
        await cluster.stopNode(leader)

        put.value = bytes("after")
        let started = ContinuousClock.now
        let written = try await kv.put(put, options: timeout(.seconds(5)))
        XCTAssertGreaterThan(written.index, 0)
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(5))
        var get = Raftkv_V1_GetRequest()
        get.key = bytes("k")
        let read = try await kv.get(get, options: timeout(.seconds(5)))
        XCTAssertEqual(read.value, bytes("after"))
        let newLeader = try await cluster.waitForLeader()
        XCTAssertNotEqual(newLeader, leader)
    }

    func testNoQuorumAnswersUnavailableWithinTheDeadline() async throws {
        let cluster = try await startCluster()
        let kv = try cluster.gatewayKV()
        var put = Raftkv_V1_PutRequest()
        put.key = bytes("k")
        put.value = bytes("v")
        _ = try await kv.put(put, options: timeout(.seconds(5)))

        await cluster.stopNode(1)
        await cluster.stopNode(2)

        let started = ContinuousClock.now
        do {
            _ = try await kv.put(put, options: timeout(.seconds(2)))
            XCTFail("a write without a quorum must not succeed")
        } catch let error as RPCError {
            let elapsed = ContinuousClock.now - started
            XCTAssertEqual(error.code, .unavailable, "\(error)")
            XCTAssertEqual(error.message, "no leader: 1 of 3 nodes reachable, a majority of 2 is needed")
            XCTAssertLessThan(elapsed, .milliseconds(2_100))
        }

        // A linearizable read is refused the same way.
        var get = Raftkv_V1_GetRequest()
        get.key = bytes("k")
        do {
            _ = try await kv.get(get, options: timeout(.seconds(1)))
            XCTFail("a linearizable read without a quorum must not succeed")
        } catch let error as RPCError {
            XCTAssertEqual(error.code, .unavailable, "\(error)")
            XCTAssertTrue(error.message.hasPrefix("no leader: 1 of 3 nodes reachable"), error.message)
        }
    }

    func testSecondGatewayOnABusyPortFailsClearly() async throws {
        let cluster = try await startCluster()
        do {
            try await GatewayServer.run(listenHost: "127.0.0.1", port: cluster.gatewayPort, nodes: cluster.addresses, logger: cluster.logger)
            XCTFail("the second gateway must not start")
        } catch let error as GatewayStartError {
            XCTAssertTrue(error.message.contains("127.0.0.1:\(cluster.gatewayPort)"), error.message)
            XCTAssertTrue(error.message.contains("already in use"), error.message)
        }
    }

    func testParsesGRPCTimeouts() {
        XCTAssertEqual(Gateway.parseTimeout("250m"), .milliseconds(250))
        XCTAssertEqual(Gateway.parseTimeout("5S"), .seconds(5))
        XCTAssertEqual(Gateway.parseTimeout("2M"), .seconds(120))
        XCTAssertNil(Gateway.parseTimeout("5x"))
        XCTAssertNil(Gateway.parseTimeout("S"))
    }
}
