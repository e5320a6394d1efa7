import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import Logging
import RaftEngine
import RaftProto
import XCTest
@testable import RaftServer

final class GatewayTests: GatewayClusterTestCase {

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
