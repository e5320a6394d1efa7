import Foundation
import XCTest

/// `snapshot_bytes`: a node snapshots once the entries applied since its last snapshot hold that
/// many bytes, even far below `snapshot_entries`.
final class SnapshotThresholdTests: ProcessClusterTestCase {
    func testByteThresholdTriggersASnapshot() async throws {
        let leader = try await startCluster(nodes: 3, storage: ["snapshot_entries = 1000000", "snapshot_bytes = 16KiB"])
        let value = String(repeating: "v", count: 1000)
        // 40 writes of about 1 KB each: well past 16 KiB, far below a million entries.
        for i in 0..<40 { _ = try await client.put("k\(i)", value) }
        let deadline = ContinuousClock.now + .seconds(10)
        var snapshotIndex: UInt64 = 0
        while ContinuousClock.now < deadline, snapshotIndex == 0 {
            snapshotIndex = await client.statuses()[leader]?.snapshotIndex ?? 0
            if snapshotIndex == 0 { try await Task.sleep(for: .milliseconds(100)) }
        }
        XCTAssertGreaterThan(snapshotIndex, 0, "no snapshot after about 40 KB of entries with snapshot_bytes = 16KiB")
        let read = try await client.get("k39")
        XCTAssertEqual(read, value)
    }
}
