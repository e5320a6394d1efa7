import XCTest
import RaftEngine
@testable import RaftStorage

/// `NodeStorage.rebuild`: keeps term and vote, moves the log and snapshots aside, starts empty.
final class RebuildTests: XCTestCase {
    private let directory = "/data/node-1"

    /// The standard workload, then a vote in term 5, then a bit flip in the last segment.
    private func damagedNode() throws -> (InMemoryFileSystem, walFiles: [String], snapshotFiles: [String]) {
        let fs = InMemoryFileSystem()
        let tracker = try StorageTracker(fileSystem: fs, directory: directory, options: StorageOptions(segmentBytes: 300))
        try tracker.runStandardWorkload()
        try tracker.write(hardState: HardState(term: 5, vote: 3, commit: 70))
        try tracker.append(3, term: 4)
        try tracker.sync()
        tracker.close()
        let segments = try segmentPaths(fs, directory: directory)
        let path = segments.last { records(in: try! fs.readFile($0)).count > 0 }!
        let record = records(in: try fs.readFile(path)).first!
        try fs.flipBit(path: path, byteOffset: record.offset + record.size - 2, bit: 6)
        assertCorrupt(path: path, offset: record.offset) { () throws(StorageError) in try NodeStorage(directory: directory, fileSystem: fs) }
        return (fs, try fs.listDirectory(joinPath(directory, "wal")), try fs.listDirectory(joinPath(directory, "snapshots")))
    }

    func testRebuildKeepsTermAndVoteMovesFilesAsideAndStartsEmpty() throws {
        let (fs, walFiles, snapshotFiles) = try damagedNode()
        XCTAssertFalse(walFiles.isEmpty)
        XCTAssertEqual(snapshotFiles.count, 2)
        let lines = LogLines()
        try NodeStorage.rebuild(directory: directory, fileSystem: fs, log: { lines.append($0) })
        XCTAssertTrue(lines.contains("kept term 5 and vote 3"), "\(lines.lines)")
        XCTAssertEqual(try fs.listDirectory(joinPath(directory, "wal.damaged-1")), walFiles)
        XCTAssertEqual(try fs.listDirectory(joinPath(directory, "snapshots.damaged-1")), snapshotFiles)
        XCTAssertEqual(try fs.listDirectory(joinPath(directory, "wal")), [])
        XCTAssertEqual(try fs.listDirectory(joinPath(directory, "snapshots")), [])

        // Durable: a crash right after changes nothing.
        fs.crash()
        let tracker = try StorageTracker(fileSystem: fs, directory: directory)
        XCTAssertEqual(tracker.storage.recovered, PersistentState(hardState: HardState(term: 5, vote: 3, commit: 0)))
        XCTAssertEqual(try fs.listDirectory(joinPath(directory, "wal.damaged-1")), walFiles)

        // It catches up from the leader: a snapshot, then entries.
        try tracker.write(snapshot: makeSnapshot(index: 70, term: 4), hardState: HardState(term: 5, vote: 3, commit: 70))
        try tracker.write(entries: makeEntries(71...80, term: 5), hardState: HardState(term: 5, vote: 3, commit: 78))
        try tracker.sync()
        fs.crash()
        let state = try tracker.reopen()
        XCTAssertEqual(state, PersistentState(hardState: HardState(term: 5, vote: 3, commit: 78),
                                              snapshot: makeSnapshot(index: 70, term: 4), entries: makeEntries(71...80, term: 5)))
    }

    func testRebuiltNodeCanAlsoStartFromIndexOne() throws {
        let (fs, _, _) = try damagedNode()
        try NodeStorage.rebuild(directory: directory, fileSystem: fs)
        let tracker = try StorageTracker(fileSystem: fs, directory: directory)
        try tracker.write(entries: makeEntries(1...5, term: 5), hardState: HardState(term: 5, vote: 3, commit: 2))
        try tracker.sync()
        fs.crash()
        XCTAssertEqual(try tracker.reopen().entries, makeEntries(1...5, term: 5))
    }

    func testSecondRebuildUsesTheNextGeneration() throws {
        let (fs, walFiles, _) = try damagedNode()
        try NodeStorage.rebuild(directory: directory, fileSystem: fs)
        let tracker = try StorageTracker(fileSystem: fs, directory: directory)
        try tracker.write(entries: makeEntries(1...3, term: 5), hardState: HardState(term: 6, vote: 1, commit: 1))
        try tracker.sync()
        tracker.close()
        let secondWal = try fs.listDirectory(joinPath(directory, "wal"))
        try NodeStorage.rebuild(directory: directory, fileSystem: fs)
        XCTAssertEqual(try fs.listDirectory(joinPath(directory, "wal.damaged-1")), walFiles)
        XCTAssertEqual(try fs.listDirectory(joinPath(directory, "wal.damaged-2")), secondWal)
        fs.crash()
        XCTAssertEqual(try NodeStorage(directory: directory, fileSystem: fs).recovered,
                       PersistentState(hardState: HardState(term: 6, vote: 1, commit: 0)))
    }

    func testRebuildWithADamagedHardStateIsRefused() throws {
        let (fs, _, _) = try damagedNode()
        try fs.flipBit(path: joinPath(directory, "hardstate"), byteOffset: 12, bit: 1)
        assertCorrupt(path: joinPath(directory, "hardstate"), offset: 0, index: .none) { () throws(StorageError) in
            try NodeStorage.rebuild(directory: directory, fileSystem: fs)
        }
        XCTAssertFalse(fs.fileExists(joinPath(directory, "wal.damaged-1")), "nothing is moved when the term and vote cannot be kept")
    }
}
