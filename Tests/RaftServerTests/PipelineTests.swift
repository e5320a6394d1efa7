import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2Posix
@testable import RaftClient
import RaftProto
import XCTest
@testable import RaftServer

/// The KV Pipeline stream, on a node and through the gateway: the same answers as the unary
/// calls, many requests in flight, failures per request without ending the stream.
final class PipelineTests: GatewayClusterTestCase {
    private var pipelineTasks: [Task<Void, Never>] = []

    override func tearDown() async throws {
        for task in pipelineTasks { task.cancel() }
        for task in pipelineTasks { await task.value }
        pipelineTasks = []
        try await super.tearDown()
    }

    private func pipeline(port: Int, on cluster: GatewayTestCluster) throws -> KVPipeline<HTTP2ClientTransport.Posix> {
        let pipeline = KVPipeline(client: Raftkv_V1_KV.Client(wrapping: try cluster.client(port: port)))
        pipelineTasks.append(Task { await pipeline.run() })
        return pipeline
    }

    private func port(of id: UInt64, in cluster: GatewayTestCluster) -> Int {
        PeerLink.split(cluster.addresses[id]!).1
    }

    private func put(_ key: String, _ value: String) -> Raftkv_V1_PutRequest {
        var request = Raftkv_V1_PutRequest()
        request.key = bytes(key)
        request.value = bytes(value)
        return request
    }

    private func get(_ key: String) -> Raftkv_V1_GetRequest {
        var request = Raftkv_V1_GetRequest()
        request.key = bytes(key)
        return request
    }

    func testLeaderServesEveryOperation() async throws {
        let cluster = try await startCluster()
        let leader = try await cluster.waitForLeader()
        let kv = try pipeline(port: port(of: leader, in: cluster), on: cluster)

        let written = try await kv.put(put("a", "1"))
        XCTAssertGreaterThan(written.index, 0)
        let read = try await kv.get(get("a"))
        XCTAssertTrue(read.found)
        XCTAssertEqual(read.value, bytes("1"))
        XCTAssertGreaterThanOrEqual(read.index, written.index)

        var swap = Raftkv_V1_CompareAndSwapRequest()
        swap.key = bytes("a")
        swap.expectedValue = bytes("1")
        swap.newValue = bytes("2")
        let swapped = try await kv.compareAndSwap(swap)
        XCTAssertTrue(swapped.succeeded)
        swap.expectedAbsent = true
        swap.newValue = bytes("3")
        let refused = try await kv.compareAndSwap(swap)
        XCTAssertFalse(refused.succeeded)
        XCTAssertEqual(refused.currentValue, bytes("2"))

        var delete = Raftkv_V1_DeleteRequest()
        delete.key = bytes("a")
        let deleted = try await kv.delete(delete)
        XCTAssertTrue(deleted.existed)
        let gone = try await kv.get(get("a"))
        XCTAssertFalse(gone.found)
    }

    func testManyRequestsInFlightAreEachAnsweredWithTheirOwnResult() async throws {
        let cluster = try await startCluster()
        let leader = try await cluster.waitForLeader()
        let kv = try pipeline(port: port(of: leader, in: cluster), on: cluster)
        let count = 300
        let indexes = try await withThrowingTaskGroup(of: UInt64.self) { group in
            for i in 0..<count {
                let request = put("key-\(i)", "value-\(i)")
                group.addTask { try await kv.put(request).index }
            }
            return try await group.reduce(into: [UInt64]()) { $0.append($1) }
        }
        XCTAssertEqual(Set(indexes).count, count, "every write has its own log index")

        let reads = try await withThrowingTaskGroup(of: (Int, Data).self) { group in
            for i in 0..<count {
                let request = get("key-\(i)")
                group.addTask { (i, try await kv.get(request).value) }
            }
            return try await group.reduce(into: [Int: Data]()) { $0[$1.0] = $1.1 }
        }
        for i in 0..<count { XCTAssertEqual(reads[i], bytes("value-\(i)"), "key-\(i)") }
    }

    func testFailedRequestGetsItsStatusAndTheStreamGoesOn() async throws {
        let cluster = try await startCluster()
        let leader = try await cluster.waitForLeader()
        let kv = try pipeline(port: port(of: leader, in: cluster), on: cluster)
        do {
            _ = try await kv.put(put(String(repeating: "k", count: 65), "v"))
            XCTFail("an oversized key must be refused")
        } catch let error as RPCError {
            XCTAssertEqual(error.code, .invalidArgument, "\(error)")
            XCTAssertTrue(error.message.contains("64"), error.message)
        }
        let written = try await kv.put(put("k", "v"))
        XCTAssertGreaterThan(written.index, 0)
    }

    func testFollowerAnswersNotLeaderWithTheLeadersAddress() async throws {
        let cluster = try await startCluster()
        let leader = try await cluster.waitForLeader()
        let follower = cluster.ids.first { $0 != leader }!
        let kv = try pipeline(port: port(of: follower, in: cluster), on: cluster)
        do {
            _ = try await kv.put(put("k", "v"))
            XCTFail("a follower must not accept a write")
        } catch let error as RPCError {
            XCTAssertEqual(error.code, .unavailable, "\(error)")
            XCTAssertEqual(error.metadata[stringValues: "raftkv-leader-id"].first(where: { _ in true }), "\(leader)")
            XCTAssertEqual(error.metadata[stringValues: "raftkv-leader-address"].first(where: { _ in true }), cluster.addresses[leader])
        }
    }

    func testRequestNamingNoOperationIsRefused() async throws {
        let cluster = try await startCluster()
        let leader = try await cluster.waitForLeader()
        let kv = Raftkv_V1_KV.Client(wrapping: try cluster.client(port: port(of: leader, in: cluster)))
        var empty = Raftkv_V1_PipelinedRequest()
        empty.id = 7
        var request = Raftkv_V1_PipelineRequest()
        request.requests = [empty]
        let message = request
        let answers = try await kv.pipeline(requestProducer: { writer in try await writer.write(message) }) { response in
            try await response.messages.reduce(into: [Raftkv_V1_PipelinedResponse]()) { $0 += $1.responses }
        }
        XCTAssertEqual(answers.count, 1)
        XCTAssertEqual(answers.first?.id, 7)
        XCTAssertEqual(answers.first?.error.code, Int32(RPCError.Code.invalidArgument.rawValue))
    }

    func testGatewayForwardsPipelinedRequestsToTheLeader() async throws {
        let cluster = try await startCluster()
        let kv = try pipeline(port: cluster.gatewayPort, on: cluster)
        let written = try await withThrowingTaskGroup(of: UInt64.self) { group in
            for i in 0..<20 {
                let request = put("g\(i)", "\(i)")
                group.addTask { try await kv.put(request).index }
            }
            return try await group.reduce(into: [UInt64]()) { $0.append($1) }
        }
        XCTAssertEqual(Set(written).count, 20)
        let read = try await kv.get(get("g7"))
        XCTAssertEqual(read.value, bytes("7"))
        do {
            _ = try await kv.put(put("", "v"))
            XCTFail("an empty key must be refused")
        } catch let error as RPCError {
            XCTAssertEqual(error.code, .invalidArgument, "\(error)")
        }
    }
}

/// How `KVPipeline` cuts its queue into messages.
final class PipelineMessageTests: XCTestCase {
    private func put(bytes: Int) -> Raftkv_V1_PipelinedRequest {
        var request = Raftkv_V1_PipelinedRequest()
        request.put.key = Data("k".utf8)
        request.put.value = Data(count: bytes - 1)
        return request
    }

    func testMessagesStayWithinTheLimitAndKeepTheOrder() {
        let limit = PipelineMessage.limitBytes
        var unsent = (0..<5).map { i -> Raftkv_V1_PipelinedRequest in
            var request = put(bytes: limit * 2 / 5)
            request.id = UInt64(i)
            return request
        }
        var sizes: [Int] = []
        var ids: [UInt64] = []
        while !unsent.isEmpty {
            let message = PipelineMessage.take(&unsent)
            sizes.append(message.count)
            ids += message.map(\.id)
        }
        XCTAssertEqual(sizes, [2, 2, 1])
        XCTAssertEqual(ids, [0, 1, 2, 3, 4])
    }

    func testManySmallRequestsAreSplitToo() throws {
        var unsent = (0..<100_000).map { _ in put(bytes: 2) }
        let message = PipelineMessage.take(&unsent)
        var request = Raftkv_V1_PipelineRequest()
        request.requests = message
        let encoded: [UInt8] = try request.serializedBytes()
        XCTAssertLessThan(message.count, 100_000)
        XCTAssertLessThanOrEqual(encoded.count, PipelineMessage.limitBytes)
    }

    func testARequestLargerThanTheLimitTravelsAlone() {
        let limit = PipelineMessage.limitBytes
        var unsent = [put(bytes: 10), put(bytes: 3 * limit), put(bytes: 10)]
        XCTAssertEqual(PipelineMessage.take(&unsent).count, 1)
        XCTAssertEqual(PipelineMessage.take(&unsent).count, 1)
        XCTAssertEqual(unsent.count, 1)
    }
}
