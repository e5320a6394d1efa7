import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import RaftClient
import RaftProto
import XCTest

/// Values near `max_value_bytes`, above gRPC's default 4 MiB message limit: accepted from
/// clients, replicated to every node, and pipelined without exceeding a message limit.
final class LargeValueTests: ProcessClusterTestCase {
    private func start(limits: [String]) async throws {
        try await startCluster(nodes: 3, limits: limits)
    }

    func testValuesAboveFourMiBAreWrittenReadAndReplicatedToEveryNode() async throws {
        try await start(limits: ["max_value_bytes = 6MiB"])
        let value = String(repeating: "v", count: 5 << 20)
        _ = try await client.put("big", value)
        // A compare-and-swap carries two such values in one request and one log entry.
        let replacement = String(repeating: "w", count: 5 << 20)
        let swapped = try await client.compareAndSwap("big", expected: value, new: replacement)
        XCTAssertTrue(swapped)
        let index = try await client.put("after", "small")
        let read = try await client.get("big")
        XCTAssertEqual(read?.count, replacement.count)
        XCTAssertTrue(read == replacement)
        let deadline = ContinuousClock.now + .seconds(15)
        var applied: [Int: UInt64] = [:]
        while ContinuousClock.now < deadline {
            applied = await client.statuses().mapValues(\.appliedIndex)
            if applied.count == 3, applied.values.allSatisfy({ $0 >= index }) { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        XCTFail("every node should apply the 5 MiB writes (through index \(index)); applied: \(applied)")
    }

    func testValueAboveTheConfiguredLimitIsRefusedWithTheLimit() async throws {
        try await start(limits: ["max_value_bytes = 6MiB"])
        do {
            _ = try await client.put("too-big", String(repeating: "v", count: 7 << 20))
            XCTFail("a value above max_value_bytes was accepted")
        } catch let error as RPCError {
            XCTAssertEqual(error.code, .invalidArgument, "\(error)")
            XCTAssertTrue(error.message.contains("max_value_bytes"), error.message)
        }
    }

    func testPipelinedWritesOfLargeValuesAreSplitAcrossMessages() async throws {
        try await start(limits: [])
        let leader = try await client.awaitLeader()
        let parts = cluster.address(of: leader).split(separator: ":")
        let grpc = GRPCClient(transport: try HTTP2ClientTransport.Posix(
            target: .ipv4(address: String(parts[0]), port: Int(parts[1])!), transportSecurity: .plaintext))
        let connection = Task { try? await grpc.runConnections() }
        let pipeline = KVPipeline(client: Raftkv_V1_KV.Client(wrapping: grpc))
        let stream = Task { await pipeline.run() }
        defer {
            stream.cancel()
            grpc.beginGracefulShutdown()
            connection.cancel()
        }
        // Eight values of 900 KiB would make one 7 MiB message if sent together.
        let indexes = try await withThrowingTaskGroup(of: UInt64.self) { group in
            for i in 0..<8 {
                var request = Raftkv_V1_PutRequest()
                request.key = Data("large-\(i)".utf8)
                request.value = Data(repeating: UInt8(i), count: 900 << 10)
                let put = request
                group.addTask { try await pipeline.put(put).index }
            }
            return try await group.reduce(into: [UInt64]()) { $0.append($1) }
        }
        XCTAssertEqual(Set(indexes).count, 8)
    }
}
