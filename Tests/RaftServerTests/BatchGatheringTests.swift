import Foundation
import KVStore
import Logging
import RaftEngine
import XCTest
@testable import RaftServer

/// A write that gathers after a busy batch (see `ProposalBatcher`) is proposed at the gathering
/// deadline by the node itself: nothing else wakes this node, which is never ticked once it leads.
final class BatchGatheringTests: XCTestCase {
    private typealias Reply = Result<WriteOutcome, Error>

    private static func put(_ key: String) -> KVRequest {
        KVRequest(command: .put(key: Array(key.utf8), value: Array("v".utf8)))
    }

    func testAWriteThatGathersIsProposedWithoutATick() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gathering-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let raft = RaftConfig(id: 1, voters: [1], electionTimeoutMin: 2, electionTimeoutMax: 3, heartbeatInterval: 1, randomSeed: 7)
        let options = NodeOptions(
            id: 1, peers: [1: "127.0.0.1:1"], stateDirectory: directory.path, tickMs: 60_000, raft: raft,
            snapshotEntries: 0, segmentBytes: 1 << 20, maxKeyBytes: 64, maxValueBytes: 1024, faultInjection: false)
        let node = try NodeHost(options: options, logger: Logger(label: "gathering-test") { _ in SwiftLogNoOpLogHandler() })
        // Never started: the only ticks are these, until the node leads.
        for _ in 0..<100 where await node.engine.role != .leader {
            await node.tick()
            try await Task.sleep(for: .milliseconds(10))
        }
        let role = await node.engine.role
        XCTAssertEqual(role, .leader)

        let (replies, sink) = AsyncStream<Reply>.makeStream()
        let busyBatch = ProposalBatcher.busyBatch + 2
        await node.batch { host in
            for index in 0..<busyBatch { host.enqueueWrite(Self.put("k\(index)")) { sink.yield($0) } }
        }
        var answered = 0
        for await reply in replies {
            _ = try reply.get()
            answered += 1
            if answered == busyBatch { break }
        }

        await node.batch { host in
            host.enqueueWrite(Self.put("lone")) { sink.yield($0) }
            XCTAssertNotNil(host.proposals.gatheringDeadline, "the lone write gathers for the clients just answered")
        }
        let lone = try await withThrowingTaskGroup(of: Reply?.self) { group in
            group.addTask {
                for await reply in replies { return reply }
                return nil
            }
            group.addTask {
                try await Task.sleep(for: .seconds(10))
                return nil
            }
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
        await node.stop()
        let outcome = try XCTUnwrap(lone, "the lone write was not proposed within 10 s").get()
        XCTAssertGreaterThan(outcome.index, 0)
    }
}
