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
    private func assertNewEntriesSurviveACrash(_ tracker: StorageTracker, _ fs: InMemoryFileSystem, count: Int, size: Int = 40,
                                               _ message: String = "", file: StaticString = #filePath, line: UInt = #line) throws {
        let first = tracker.lastIndex + 1
        let last = tracker.lastIndex + LogIndex(count)
        try tracker.append(count, size: size)
        try tracker.sync()
        fs.crash()
        let entries = try tracker.reopen().entries
        XCTAssertEqual(entries.last?.index, last, message, file: file, line: line)
        XCTAssertEqual(entries.suffix(count), makeEntries(first...last, term: 1, size: size)[...], message, file: file, line: line)
    }

    /// Where the records of a segment file end.
    private func segmentRecordsEnd(_ fs: InMemoryFileSystem, _ path: String) throws -> Int {
        let last = try XCTUnwrap(records(in: try fs.readFile(path)).last)
        return last.offset + last.size
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
            // The group that fills a segment may run past its zero-filled size; a roll cuts it to its records.
            let size = try XCTUnwrap(fs.readableSize(of: path))
            XCTAssertGreaterThanOrEqual(size, 4096, "\(path) was filled")
            XCTAssertLessThan(size, 4096 + 4 * 70, "\(path) was written in place")
            XCTAssertEqual(size, try segmentRecordsEnd(fs, path), "\(path) ends with its last record")
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
        let end = try segmentRecordsEnd(fs, path)
        // The stray record continues the log and lies where the records written after the cut end.
        let newRecords = 4 * (WALRecord.headerSize + 17 + 200)
        let stray = encoded(.entry(makeEntry(8, term: 1, size: 200)))
        XCTAssertGreaterThan(end + newRecords, 512, "the stray record lies in a later sector than the lost one")
        bytes.replaceSubrange((end + newRecords)..<(end + newRecords + stray.count), with: stray)
        try fs.setContent(path: path, bytes: bytes)
        let state = try tracker.reopen()
        XCTAssertEqual(state.entries, makeEntries(1...3, term: 1, size: 40))
        XCTAssertTrue(tracker.logLines.contains("cutting torn write at the end of \(path): \(4096 - end) bytes at offset \(end)"), "\(tracker.logLines.lines)")
        try assertNewEntriesSurviveACrash(tracker, fs, count: 4, size: 200, "the stray record was removed, not read after the new ones")
    }

    func testVersion1SegmentsWithPlainPayloadsAreStillRead() throws {
        let fs = InMemoryFileSystem()
        let directory = "/data/node-1"
        try fs.createDirectory(joinPath(directory, "wal"))
        var segment = ByteWriter()
        segment.raw(WALSegment.magic)
        segment.u32(1)
        segment.u64(1)
        segment.u64(1)
        segment.u32(CRC32C.checksum(segment.bytes))
        for entry in makeEntries(1...3, term: 1, size: 40) { WALRecord.entry(entry).encode(into: &segment, whitened: false) }
        try fs.setContent(path: joinPath(joinPath(directory, "wal"), WALSegment(sequence: 1, firstIndex: 1).fileName), bytes: segment.bytes)
        try HardStateFile.write(term: 1, vote: 1, directory: directory, fileSystem: fs)
        let tracker = try StorageTracker(fileSystem: fs, directory: directory, options: options)
        XCTAssertEqual(tracker.storage.recovered.entries, makeEntries(1...3, term: 1, size: 40))
        // Records added to a version 1 segment are written as version 1 records.
        try assertNewEntriesSurviveACrash(tracker, fs, count: 2)
        XCTAssertEqual(try tracker.reopen().entries, makeEntries(1...5, term: 1, size: 40))
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
