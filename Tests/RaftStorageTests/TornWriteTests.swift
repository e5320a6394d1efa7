import XCTest
import RaftEngine
@testable import RaftStorage

/// Crashes that keep a prefix of the unsynced bytes: the torn tail is cut, the synced prefix stays.
final class TornWriteTests: XCTestCase {
    /// The standard workload acknowledged, then `unsynced` written and flushed but not synced.
    private func prepare(unsynced: (StorageTracker) throws(StorageError) -> Void) throws -> (InMemoryFileSystem, StorageTracker, path: String, syncedSize: Int, tail: [UInt8]) {
        let fs = InMemoryFileSystem()
        let tracker = try StorageTracker(fileSystem: fs, options: StorageOptions(segmentBytes: 512))
        try tracker.runStandardWorkload()
        try unsynced(tracker)
        try tracker.flush()
        let path = try XCTUnwrap(try segmentPaths(fs, directory: tracker.directory).last)
        let content = try XCTUnwrap(fs.content(of: path))
        let durable = try XCTUnwrap(fs.durableContent(of: path))
        return (fs, tracker, path, durable.count, Array(content[durable.count...]))
    }

    func testTornWriteAtEveryByteOfTheLastRecord() throws {
        let probe = try prepare { tracker throws(StorageError) in try tracker.append(1, size: 40) }
        let recordSize = probe.tail.count
        XCTAssertEqual(recordSize, WALRecord.headerSize + 17 + 40)
        for kept in 0...recordSize {
            let (fs, tracker, path, syncedSize, _) = try prepare { tracker throws(StorageError) in try tracker.append(1, size: 40) }
            let acknowledged = tracker.acknowledged
            let written = tracker.written
            fs.crash(keepUnsyncedBytes: { _ in kept })
            let state = try tracker.reopen()
            if kept < recordSize {
                XCTAssertEqual(state, acknowledged, "kept \(kept) bytes")
                XCTAssertEqual(fs.content(of: path)?.count, syncedSize, "torn tail not cut (kept \(kept) bytes)")
            } else {
                XCTAssertEqual(state, written, "kept the whole record")
            }
            XCTAssertEqual(tracker.logLines.contains("cutting torn write"), kept > 0 && kept < recordSize, "kept \(kept) bytes: \(tracker.logLines.lines)")

            // The node carries on and what it writes now survives another crash.
            let next = tracker.lastIndex + 1
            try tracker.append(3, commit: next + 1)
            try tracker.sync()
            fs.crash(keepUnsyncedBytes: { _ in kept })
            let again = try tracker.reopen()
            XCTAssertEqual(again.entries.suffix(3), makeEntries(next...(next + 2), term: 4)[...], "kept \(kept) bytes")
            XCTAssertEqual(again.hardState.commit, next + 1)
        }
    }

    func testTornWriteInsideABatchKeepsWholeRecordsOnly() throws {
        let batch: (StorageTracker) throws(StorageError) -> Void = { tracker throws(StorageError) in
            try tracker.write(entries: makeEntries(76...79, term: 4), hardState: HardState(term: 5, vote: 2, commit: 77))
            try tracker.append(2, term: 5, commit: 80)
        }
        let probe = try prepare(unsynced: batch)
        // Where each record of the unsynced tail ends.
        var ends: [Int] = []
        var offset = 0
        let content = try XCTUnwrap(probe.0.content(of: probe.path))
        while offset < probe.tail.count {
            guard case .record(_, let size) = WALRecord.read(content, at: probe.syncedSize + offset) else {
                return XCTFail("unreadable record in the tail at \(offset)")
            }
            offset += size
            ends.append(offset)
        }
        XCTAssertEqual(ends.count, 8, "4 entries, a commit, 2 entries, a commit")

        for kept in 0...probe.tail.count {
            let (fs, tracker, _, _, _) = try prepare(unsynced: batch)
            let complete = ends.filter { $0 <= kept }.count
            let expected = expectedRecovery(term: 5, vote: 2, snapshot: tracker.currentSnapshot,
                                            log: tracker.states[tracker.synced + complete])
            fs.crash(keepUnsyncedBytes: { _ in kept })
            XCTAssertEqual(try tracker.reopen(), expected, "kept \(kept) bytes, \(complete) whole records")
            try tracker.append(1, term: 5)
            try tracker.sync()
            fs.crash()
            XCTAssertEqual(try tracker.reopen().entries.last?.term, 5)
        }
    }

    func testTornWriteInEveryFileAfterAWorkloadWithSmallSegments() throws {
        // Unsynced writes spread over the log and a torn crash at several sizes.
        for kept in [1, 5, 9, 13, 30, 100, 1000] {
            let fs = InMemoryFileSystem()
            let tracker = try StorageTracker(fileSystem: fs, options: StorageOptions(segmentBytes: 160))
            try tracker.runStandardWorkload()
            for _ in 0..<3 {
                try tracker.append(2, commit: tracker.lastIndex)
                try tracker.flush()
            }
            fs.crash(keepUnsyncedBytes: { _ in kept })
            try tracker.reopen()
            try tracker.append(2)
            try tracker.sync()
            fs.crash()
            try tracker.reopen()
        }
    }

    func testIncompleteHeaderOfANewSegmentIsRemoved() throws {
        let fs = InMemoryFileSystem()
        let tracker = try StorageTracker(fileSystem: fs, options: StorageOptions(segmentBytes: 200))
        try tracker.write(hardState: HardState(term: 1, vote: 1, commit: 0))
        for _ in 0..<6 {
            try tracker.append(2, commit: tracker.lastIndex)
            try tracker.sync()
        }
        tracker.close()
        let paths = try segmentPaths(fs, directory: tracker.directory)
        XCTAssertGreaterThan(paths.count, 1)
        // A segment whose creation was interrupted after its name became durable.
        let name = WALSegment(sequence: UInt64(paths.count + 1), firstIndex: tracker.lastIndex + 1).fileName
        let newPath = joinPath(joinPath(tracker.directory, "wal"), name)
        try fs.setContent(path: newPath, bytes: Array(WALSegment(sequence: UInt64(paths.count + 1), firstIndex: tracker.lastIndex + 1).header.prefix(11)))
        let state = try tracker.reopen()
        XCTAssertEqual(state.entries, makeEntries(1...12, term: 1))
        XCTAssertTrue(tracker.logLines.contains("removing incomplete new log segment"), "\(tracker.logLines.lines)")
        XCTAssertFalse(fs.fileExists(newPath))
        try tracker.append(3)
        try tracker.sync()
        fs.crash()
        XCTAssertEqual(try tracker.reopen().entries, makeEntries(1...15, term: 1))
    }

    func testIncompleteHeaderOfTheOnlySegmentIsRewritten() throws {
        let fs = InMemoryFileSystem()
        try fs.createDirectory("/data/node-1/wal")
        let path = "/data/node-1/wal/" + WALSegment(sequence: 1, firstIndex: 1).fileName
        try fs.setContent(path: path, bytes: Array(WALSegment(sequence: 1, firstIndex: 1).header.prefix(5)))
        let tracker = try StorageTracker(fileSystem: fs)
        XCTAssertEqual(tracker.storage.recovered, PersistentState())
        XCTAssertTrue(tracker.logLines.contains("rewriting incomplete header"), "\(tracker.logLines.lines)")
        try tracker.write(entries: makeEntries(1...3, term: 1), hardState: HardState(term: 1, vote: 1, commit: 1))
        try tracker.sync()
        fs.crash()
        XCTAssertEqual(try tracker.reopen().entries, makeEntries(1...3, term: 1))
    }
}
