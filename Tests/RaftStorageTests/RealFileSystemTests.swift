import Foundation
import XCTest
import RaftEngine
@testable import RaftStorage

/// The round trip and a torn tail against the real file system, in a temporary directory.
final class RealFileSystemTests: XCTestCase {
    private var root = ""

    override func setUpWithError() throws {
        root = "/tmp/raftkv-storage-tests-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: false)
    }

    override func tearDownWithError() throws {
        if !root.isEmpty { try FileManager.default.removeItem(atPath: root) }
    }

    func testRoundTripAcrossManySegments() throws {
        let fs = PosixFileSystem()
        let directory = joinPath(root, "node-1")
        let tracker = try StorageTracker(fileSystem: fs, directory: directory, options: StorageOptions(segmentBytes: 300))
        try tracker.runStandardWorkload()
        for _ in 0..<10 {
            try tracker.append(3, commit: tracker.lastIndex + 3)
            try tracker.sync()
        }
        XCTAssertGreaterThan(tracker.storage.segmentCount, 3)
        let state = try tracker.reopen()
        XCTAssertEqual(state.snapshot, makeSnapshot(index: 63, term: 4))
        XCTAssertEqual(state.entries, makeEntries(64...105, term: 4))
        XCTAssertEqual(state.hardState, HardState(term: 4, vote: noNode, commit: 105))
        XCTAssertEqual(try snapshotPaths(fs, directory: directory).count, 2)
        XCTAssertEqual(try segmentPaths(fs, directory: directory).count, tracker.storage.segmentCount)

        let segmentsBefore = tracker.storage.segmentCount
        try tracker.saveSnapshot(makeSnapshot(index: 100, term: 4))
        XCTAssertLessThan(tracker.storage.segmentCount, segmentsBefore, "segments covered by the snapshot were released")
        XCTAssertLessThanOrEqual(tracker.storage.segmentCount, 3, "only segments holding entries after 100 remain")
        let again = try tracker.reopen()
        XCTAssertEqual(again.snapshot?.index, 100)
        XCTAssertEqual(again.entries, makeEntries(101...105, term: 4))
        tracker.close()
    }

    func testZeroFilledSegmentsPreparedInTheBackground() throws {
        let fs = PosixFileSystem()
        let directory = joinPath(root, "node-1")
        let tracker = try StorageTracker(fileSystem: fs, directory: directory,
                                         options: StorageOptions(segmentBytes: 4096, preallocation: .background))
        let first = try XCTUnwrap(try segmentPaths(fs, directory: directory).first)
        XCTAssertEqual(try fs.readFile(first).count, 4096, "the first segment is zero-filled before anything is written")
        try tracker.runStandardWorkload()
        for _ in 0..<40 {
            try tracker.append(3, size: 100, commit: tracker.lastIndex + 3)
            try tracker.sync()
        }
        XCTAssertGreaterThan(tracker.storage.segmentCount, 3)
        let last = tracker.lastIndex
        let state = try tracker.reopen()
        XCTAssertEqual(state.entries.last?.index, last)
        XCTAssertEqual(state.hardState.commit, last)
        XCTAssertFalse(tracker.logLines.contains("torn"), "\(tracker.logLines.lines)")
        tracker.close()
        let spare = joinPath(joinPath(directory, "wal"), SpareSegment.fileName)
        XCTAssertEqual(try fs.readFile(spare), [UInt8](repeating: 0, count: 4096), "closing waits for the spare")
    }

    func testTornTailWrittenByHandIsCut() throws {
        let fs = PosixFileSystem()
        let directory = joinPath(root, "node-1")
        let tracker = try StorageTracker(fileSystem: fs, directory: directory, options: StorageOptions(segmentBytes: 1 << 20))
        try tracker.runStandardWorkload()
        tracker.close()
        let path = try XCTUnwrap(try segmentPaths(fs, directory: directory).last)
        let size = try fs.readFile(path).count
        let record = encoded(.entry(makeEntry(76, term: 4, size: 100)))
        for cut in [1, 4, 8, 9, 20, record.count - 1] {
            let file = try fs.openForAppend(path, create: false)
            try file.append(Array(record.prefix(cut)))
            try file.sync()
            file.close()
            let lines = LogLines()
            let storage = try NodeStorage(directory: directory, fileSystem: fs, options: tracker.options, log: { lines.append($0) })
            XCTAssertEqual(storage.recovered, standardWorkloadResult, "cut at \(cut)")
            XCTAssertTrue(lines.contains("cutting torn write at the end of \(path)"), "\(lines.lines)")
            XCTAssertEqual(try fs.readFile(path).count, size, "the torn tail is still there (cut at \(cut))")
            storage.close()
        }

        // New writes after the cut survive a restart.
        let reopened = try tracker.reopen()
        XCTAssertEqual(reopened, standardWorkloadResult)
        try tracker.write(entries: makeEntries(76...78, term: 4), hardState: HardState(term: 4, vote: noNode, commit: 77))
        try tracker.sync()
        let state = try tracker.reopen()
        XCTAssertEqual(state.entries, makeEntries(64...78, term: 4))
        XCTAssertEqual(state.hardState.commit, 77)
        tracker.close()
    }

    func testDamageIsRefusedAndRebuildWorks() throws {
        let fs = PosixFileSystem()
        let directory = joinPath(root, "node-1")
        let tracker = try StorageTracker(fileSystem: fs, directory: directory)
        try tracker.runStandardWorkload()
        tracker.close()
        let path = try XCTUnwrap(try segmentPaths(fs, directory: directory).last)
        var bytes = try fs.readFile(path)
        let record = try XCTUnwrap(records(in: bytes).first { $0.entryIndex == 70 })
        bytes[record.offset + record.size - 3] ^= 0x10
        try fs.truncateFile(path, to: 0)
        let file = try fs.openForAppend(path, create: false)
        try file.append(bytes)
        try file.sync()
        file.close()
        assertCorrupt(path: path, offset: record.offset, index: .some(70)) { () throws(StorageError) in
            try NodeStorage(directory: directory, fileSystem: fs)
        }
        try NodeStorage.rebuild(directory: directory, fileSystem: fs)
        XCTAssertTrue(FileManager.default.fileExists(atPath: joinPath(directory, "wal.damaged-1/" + String(path.split(separator: "/").last!))))
        let storage = try NodeStorage(directory: directory, fileSystem: fs)
        XCTAssertEqual(storage.recovered, PersistentState(hardState: HardState(term: 4, vote: noNode, commit: 0)))
        storage.close()
    }
}
