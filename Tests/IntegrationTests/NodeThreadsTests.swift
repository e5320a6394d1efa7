import Foundation
import XCTest

/// `node_threads`: a real node runs its network I/O and its tasks on that many threads, and
/// serves on them.
final class NodeThreadsTests: ProcessClusterTestCase {
    func testEveryNodeRunsOnTheThreadsItIsGiven() async throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: "/proc/self/task"), "thread names are read from /proc")
        try await startCluster(nodes: 3, cluster: ["node_threads = 3"])
        let index = try await client.put("k", "v")
        XCTAssertGreaterThan(index, 0)
        let read = try await client.get("k")
        XCTAssertEqual(read, "v")
        for id in cluster.nodeIDs {
            let pid = try XCTUnwrap(cluster.pid(of: id), "node \(id) is not running")
            let names = try Self.threadNames(of: pid)
            // A thread started from an event loop (by the node or by Foundation) inherits its
            // name until it names itself: count the loops' names, not the threads bearing them.
            XCTAssertEqual(Set(names.filter { $0.hasPrefix("NIO-SGLTN") }).count, 3, "node \(id)'s threads: \(names)")
            let log = cluster.logTail("node-\(id).log", lines: 500)
            XCTAssertTrue(log.contains("running on 3 network and task threads"), "node \(id):\n\(log)")
        }
    }

    /// The names of the threads of process `pid`; swift-nio names those of its shared group of
    /// event loops `NIO-SGLTN-…`.
    private static func threadNames(of pid: Int32) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task").compactMap { task in
            try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/comm", encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }.sorted()
    }
}
