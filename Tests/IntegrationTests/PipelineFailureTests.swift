import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import RaftClient
import RaftProto
import Synchronization
import XCTest

/// A pipeline whose node dies with requests in flight: every request gets an answer (an error),
/// none waits forever.
final class PipelineFailureTests: ProcessClusterTestCase {
    private var grpc: GRPCClient<HTTP2ClientTransport.Posix>?
    private var tasks: [Task<Void, Never>] = []

    override func tearDown() async throws {
        grpc?.beginGracefulShutdown()
        for task in tasks { task.cancel() }
        try await super.tearDown()
    }

    func testRequestsInFlightFailWhenTheNodeIsKilled() async throws {
        let leader = try await startCluster(nodes: 3)
        let parts = cluster.address(of: leader).split(separator: ":")
        let grpc = GRPCClient(transport: try HTTP2ClientTransport.Posix(
            target: .ipv4(address: String(parts[0]), port: Int(parts[1])!), transportSecurity: .plaintext))
        self.grpc = grpc
        tasks.append(Task { try? await grpc.runConnections() })
        let pipeline = KVPipeline(client: Raftkv_V1_KV.Client(wrapping: grpc))
        tasks.append(Task { await pipeline.run() })
        var write = Raftkv_V1_PutRequest()
        write.key = Data("k".utf8)
        write.value = Data("v".utf8)
        let request = write
        _ = try await pipeline.put(request)

        // Without its followers the leader cannot commit: these writes stay in flight.
        for id in cluster.nodeIDs where id != leader { cluster.kill(id) }
        let inFlight = Task {
            await withTaskGroup(of: Bool.self) { group in
                for _ in 0..<10 {
                    group.addTask { (try? await pipeline.put(request)) == nil }
                }
                return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
        }
        try await Task.sleep(for: .milliseconds(300))
        cluster.kill(leader)
        let answered = await finishes(within: .seconds(10)) { _ = await inFlight.value }
        XCTAssertTrue(answered, "requests in flight on a dead stream must fail, not wait forever")
        if answered {
            let failures = await inFlight.value
            XCTAssertEqual(failures, 10, "none of the writes could commit")
        }
    }

    /// Whether `body` returns within `limit`; it keeps running if it does not.
    private func finishes(within limit: Duration, _ body: @escaping @Sendable () async -> Void) async -> Bool {
        let decided = Mutex(false)
        return await withCheckedContinuation { continuation in
            let decide: @Sendable (Bool) -> Void = { outcome in
                if decided.withLock({ done in defer { done = true }; return !done }) { continuation.resume(returning: outcome) }
            }
            tasks.append(Task { await body(); decide(true) })
            tasks.append(Task { try? await Task.sleep(for: limit); decide(false) })
        }
    }
}
