import XCTest
import RaftEngine
@testable import RaftStorage

/// Zero-filled segments: records are written over the zeros of a file prepared ahead of time, the
/// zeros after the last record end the log, and a crash in zero-filled space (which keeps whole
/// sectors of a write) is cut at the first record it damaged.
final class PreallocationTests: XCTestCase {
    private let options = StorageOptions(segmentBytes: 4096, preallocation: .synchronous)

    private func walPath(_ tracker: StorageTracker, _ name: String) -> String {
        joinPath(joinPath(tracker.directory, "wal"), name)
    }

    /// Appends `count` entries of term 1 (40-byte payloads) and checks that the whole log, starting
    /// at index 1, survives a crash.
    private func assertNewEntriesSurviveACrash(_ tracker: StorageTracker, _ fs: InMemoryFileSystem, count: Int, _ message: String = "",
                                               file: StaticString = #filePath, line: UInt = #line) throws {
        let last = tracker.lastIndex + LogIndex(count)
        try tracker.append(count, size: 40)
        try tracker.sync()
        fs.crash()
        XCTAssertEqual(try tracker.reopen().entries, makeEntries(1...last, term: 1, size: 40), message, file: file, line: line)
    }

    /// Entries 1...3 of term 1 (40-byte payloads) and commit 1, synced; the storage is closed.
    private func closedLogOfThreeEntries() throws -> (InMemoryFileSystem, StorageTracker) {
        let fs = InMemoryFileSystem()
        let tracker = try StorageTracker(fileSystem: fs, options: options)
        try tracker.write(entries: makeEntries(1...3, term: 1, size: 40), hardState: HardState(term: 1, vote: 1, commit: 1))
        try tracker.sync()
        tracker.close()
        return (fs, tracker)
    }

    func testRecordsGoIntoZeroFilledSegmentsAndASpareWaitsForTheNextRoll() throws {
        let fs = InMemoryFileSystem()
        let tracker = try StorageTracker(fileSystem: fs, options: options)
        let spare = walPath(tracker, SpareSegment.fileName)
        XCTAssertEqual(fs.readableSize(of: spare), 4096, "the next segment is prepared at once")
        try tracker.write(hardState: HardState(term: 1, vote: 1, commit: 0))
        for _ in 0..<40 {
            try tracker.append(4, size: 40)
            try tracker.sync()
        }
        let paths = try segmentPaths(fs, directory: tracker.directory)
        XCTAssertGreaterThan(paths.count, 2)
        for path in paths.dropLast() {
            // The group that fills a segment may run past its zero-filled size.
            XCTAssertLessThan(try XCTUnwrap(fs.readableSize(of: path)), 4096 + 4 * 70, "\(path) was written in place")
        }
        let last = try XCTUnwrap(paths.last)
        XCTAssertEqual(fs.readableSize(of: last), 4096)
        XCTAssertLessThan(try XCTUnwrap(fs.content(of: last)).count, 4096, "the last segment still has zeros to write over")
        XCTAssertEqual(fs.readableSize(of: spare), 4096)
        XCTAssertEqual(fs.content(of: spare), [], "the spare holds only zeros")

        tracker.close()
        let state = try tracker.reopen()
        XCTAssertEqual(state.entries, makeEntries(1...160, term: 1, size: 40))
        XCTAssertFalse(tracker.logLines.contains("torn"), "the zeros after the last record are no torn write: \(tracker.logLines.lines)")
        try assertNewEntriesSurviveACrash(tracker, fs, count: 3)
    }

    func testTornWriteInZeroFilledSpaceKeepsWholeRecordsOnly() throws {
        // Entries of 200 bytes, so that records straddle sector boundaries.
        let unsyncedEntries: LogIndex = 12
        for kept in stride(from: 0, through: 3000, by: 37) {
            let fs = InMemoryFileSystem()
            let tracker = try StorageTracker(fileSystem: fs, options: StorageOptions(segmentBytes: 8192, preallocation: .synchronous))
            try tracker.write(entries: makeEntries(1...3, term: 1, size: 200), hardState: HardState(term: 1, vote: 1, commit: 1))
            try tracker.sync()
            try tracker.append(Int(unsyncedEntries), size: 200)
            try tracker.flush()
            let path = try XCTUnwrap(try segmentPaths(fs, directory: tracker.directory).last)
            let syncedSize = try XCTUnwrap(fs.durableContent(of: path)).count
            let content = try XCTUnwrap(fs.content(of: path))
            // Only whole sectors of the unsynced write survive.
            let end = max(syncedSize, min(syncedSize + kept, content.count) / InMemoryFileSystem.sectorSize * InMemoryFileSystem.sectorSize)
            let whole = records(in: Array(content[..<end])).filter { ($0.entryIndex ?? 0) > 3 }
            let expected = makeEntries(1...(3 + LogIndex(whole.count)), term: 1, size: 200)

            fs.crash(keepUnsyncedBytes: { _ in kept })
            let state = try tracker.reopen()
            XCTAssertEqual(state.entries, expected, "kept \(kept) bytes")
            let cutInsideARecord = end > (whole.last.map { $0.offset + $0.size } ?? syncedSize)
            XCTAssertEqual(tracker.logLines.contains("cutting torn write"), cutInsideARecord, "kept \(kept) bytes: \(tracker.logLines.lines)")

            // What the node writes after the cut survives the next crash.
            try tracker.append(2, size: 200)
            try tracker.sync()
            fs.crash(keepUnsyncedBytes: { _ in kept })
            XCTAssertEqual(try tracker.reopen().entries.count, expected.count + 2, "kept \(kept) bytes")
        }
    }

    func testZerosThenDataInTheLastSegmentAreATornWrite() throws {
        // Out of order write-back: a later sector of the unsynced write reached the disk, an earlier one did not.
        let (fs, tracker) = try closedLogOfThreeEntries()
        let path = try XCTUnwrap(try segmentPaths(fs, directory: tracker.directory).last)
        var bytes = try fs.readFile(path)
        let lastRecord = try XCTUnwrap(records(in: bytes).last)
        let end = lastRecord.offset + lastRecord.size
        let stray = encoded(.entry(makeEntry(5, term: 1, size: 40)))
        bytes.replaceSubrange(1024..<(1024 + stray.count), with: stray)
        try fs.setContent(path: path, bytes: bytes)
        let state = try tracker.reopen()
        XCTAssertEqual(state.entries, makeEntries(1...3, term: 1, size: 40))
        XCTAssertTrue(tracker.logLines.contains("cutting torn write at the end of \(path): \(4096 - end) bytes at offset \(end)"), "\(tracker.logLines.lines)")
        try assertNewEntriesSurviveACrash(tracker, fs, count: 2, "the stray record was removed, not read after the new ones")
    }

    func testAnUnfinishedHeaderOfAZeroFilledSegmentIsRemoved() throws {
        for written in [0, 9, 20] {
            let fs = InMemoryFileSystem()
            let tracker = try StorageTracker(fileSystem: fs, options: options)
            try tracker.write(hardState: HardState(term: 1, vote: 1, commit: 0))
            for _ in 0..<8 {
                try tracker.append(4, size: 40)
                try tracker.sync()
            }
            tracker.close()
            let paths = try segmentPaths(fs, directory: tracker.directory)
            let next = WALSegment(sequence: UInt64(paths.count + 1), firstIndex: tracker.lastIndex + 1)
            let newPath = walPath(tracker, next.fileName)
            try fs.setContent(path: newPath, bytes: Array(next.header.prefix(written)) + [UInt8](repeating: 0, count: 4096 - written))
            let state = try tracker.reopen()
            XCTAssertEqual(state.entries, makeEntries(1...32, term: 1, size: 40))
            XCTAssertTrue(tracker.logLines.contains("removing incomplete new log segment"), "\(written) bytes: \(tracker.logLines.lines)")
            XCTAssertFalse(fs.fileExists(newPath))
        }
    }

    func testALeftoverSpareIsReplaced() throws {
        let (fs, tracker) = try closedLogOfThreeEntries()
        let spare = walPath(tracker, SpareSegment.fileName)
        try fs.setContent(path: spare, bytes: [1, 2, 3])
        XCTAssertEqual(try tracker.reopen().entries, makeEntries(1...3, term: 1, size: 40))
        XCTAssertEqual(fs.content(of: spare), [])
        XCTAssertEqual(fs.readableSize(of: spare), 4096)
    }

    func testWithoutASpareTheLogRollsToAGrowingSegment() throws {
        let fs = InMemoryFileSystem()
        let tracker = try StorageTracker(fileSystem: fs, options: options)
        try tracker.write(hardState: HardState(term: 1, vote: 1, commit: 0))
        // The disk fills up: the first roll still finds its spare, but no new one fits.
        fs.failWrites(after: 6000)
        var rolled = false
        while !rolled {
            try tracker.append(4, size: 40)
            try tracker.sync()
            rolled = try segmentPaths(fs, directory: tracker.directory).count > 1
        }
        XCTAssertTrue(tracker.logLines.contains("could not prepare the next log segment"), "\(tracker.logLines.lines)")
        fs.clearFaults()
        var paths: [String] = []
        while paths.count < 3 {
            try tracker.append(4, size: 40)
            try tracker.sync()
            paths = try segmentPaths(fs, directory: tracker.directory)
        }
        XCTAssertEqual(fs.readableSize(of: paths[2]), fs.content(of: paths[2])?.count, "the third segment grows as it is written")
        while paths.count < 4 {
            try tracker.append(4, size: 40)
            try tracker.sync()
            paths = try segmentPaths(fs, directory: tracker.directory)
        }
        XCTAssertEqual(fs.readableSize(of: paths[3]), 4096, "with space again, the fourth segment is zero-filled")
        let last = tracker.lastIndex
        fs.crash()
        XCTAssertEqual(try tracker.reopen().entries, makeEntries(1...last, term: 1, size: 40))
    }
}
