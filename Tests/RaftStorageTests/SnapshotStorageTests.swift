import XCTest
import RaftEngine
@testable import RaftStorage

/// Snapshots kept by the application and snapshots from a leader that replace the log.
final class SnapshotStorageTests: XCTestCase {
    func testLeaderSnapshotReplacesTheLog() throws {
        let fs = InMemoryFileSystem()
        let tracker = try StorageTracker(fileSystem: fs, options: StorageOptions(segmentBytes: 300))
        try tracker.write(entries: makeEntries(1...20, term: 1), hardState: HardState(term: 1, vote: 1, commit: 5))
        try tracker.sync()
        try tracker.write(snapshot: makeSnapshot(index: 50, term: 3), hardState: HardState(term: 3, vote: noNode, commit: 50))
        try tracker.write(entries: makeEntries(51...53, term: 3))
        try tracker.sync()
        fs.crash()
        let state = try tracker.reopen()
        XCTAssertEqual(state, PersistentState(hardState: HardState(term: 3, vote: noNode, commit: 50),
                                              snapshot: makeSnapshot(index: 50, term: 3), entries: makeEntries(51...53, term: 3)))
    }

    func testSnapshotsKeepTheNewestTwo() throws {
        let fs = InMemoryFileSystem()
        let tracker = try StorageTracker(fileSystem: fs)
        try tracker.write(entries: makeEntries(1...40, term: 1), hardState: HardState(term: 1, vote: 1, commit: 40))
        try tracker.sync()
        for index in [10, 20, 30, 40] as [LogIndex] {
            try tracker.saveSnapshot(makeSnapshot(index: index, term: 1))
        }
        let names = try snapshotPaths(fs, directory: tracker.directory).map { $0.split(separator: "/").last! }
        XCTAssertEqual(names, [SnapshotStore.fileName(index: 40, term: 1), SnapshotStore.fileName(index: 30, term: 1)].map { Substring($0) })
        fs.crash()
        let state = try tracker.reopen()
        XCTAssertEqual(state.snapshot, makeSnapshot(index: 40, term: 1))
        XCTAssertEqual(state.entries, [])
        XCTAssertEqual(state.hardState.commit, 40)
    }

    func testLeftoverTemporarySnapshotIsRemoved() throws {
        let fs = InMemoryFileSystem()
        let tracker = try StorageTracker(fileSystem: fs)
        try tracker.write(entries: makeEntries(1...5, term: 1), hardState: HardState(term: 1, vote: 1, commit: 5))
        try tracker.sync()
        try tracker.saveSnapshot(makeSnapshot(index: 3, term: 1))
        let temporary = joinPath(tracker.directory, "snapshots/" + SnapshotStore.fileName(index: 5, term: 1) + ".tmp")
        try fs.setContent(path: temporary, bytes: Array(SnapshotStore.encode(makeSnapshot(index: 5, term: 1)).prefix(20)))
        let state = try tracker.reopen()
        XCTAssertEqual(state.snapshot?.index, 3)
        XCTAssertFalse(fs.fileExists(temporary))
        XCTAssertTrue(tracker.logLines.contains("removing unfinished snapshot"))
    }

    /// Old log 1...20 of term 1 acknowledged with the hard state already at `snapshot.term`; then
    /// the leader's snapshot is written but its log marker never synced.
    private func crashBeforeMarker(_ snapshot: Snapshot) throws -> (InMemoryFileSystem, StorageTracker, PersistentState) {
        let fs = InMemoryFileSystem()
        let tracker = try StorageTracker(fileSystem: fs, options: StorageOptions(segmentBytes: 250))
        try tracker.write(entries: makeEntries(1...20, term: 1), hardState: HardState(term: 1, vote: 1, commit: 5))
        try tracker.sync()
        try tracker.write(hardState: HardState(term: snapshot.term, vote: noNode, commit: 5))
        try tracker.sync()
        try tracker.write(snapshot: snapshot, hardState: HardState(term: snapshot.term, vote: noNode, commit: snapshot.index))
        fs.crash()
        return (fs, tracker, try tracker.reopen())
    }

    func testLeaderSnapshotCrashBeforeTheMarkerIsSyncedServesNoDivergentEntries() throws {
        // Beyond the old log; inside it where the old entry has another term; inside it where the old entry matches.
        let cases: [(Snapshot, [Entry])] = [
            (makeSnapshot(index: 30, term: 2), []),
            (makeSnapshot(index: 15, term: 2), []),
            (makeSnapshot(index: 15, term: 1), makeEntries(16...20, term: 1)),
        ]
        for (snapshot, kept) in cases {
            let (_, _, state) = try crashBeforeMarker(snapshot)
            XCTAssertEqual(state.snapshot, snapshot)
            XCTAssertEqual(state.entries, kept, "snapshot \(snapshot.index)@\(snapshot.term)")
            XCTAssertEqual(state.hardState.commit, snapshot.index)
        }
    }

    func testWritesAfterRecoveringAnUnmarkedLeaderSnapshotSurviveRestart() throws {
        let cases = [makeSnapshot(index: 30, term: 2), makeSnapshot(index: 15, term: 2), makeSnapshot(index: 15, term: 1)]
        for snapshot in cases {
            for advanceCommit in [false, true] {
                let (fs, tracker, state) = try crashBeforeMarker(snapshot)
                let next = (state.entries.last?.index ?? snapshot.index) + 1
                let commit = advanceCommit ? next : state.hardState.commit
                try tracker.write(entries: makeEntries(next...(next + 2), term: 2), hardState: HardState(term: 2, vote: noNode, commit: commit))
                try tracker.sync()
                fs.crash()
                let label = "snapshot \(snapshot.index)@\(snapshot.term), commit \(commit)"
                do {
                    let again = try tracker.reopen()
                    XCTAssertEqual(again.entries.suffix(3), makeEntries(next...(next + 2), term: 2)[...],
                                   "\(label): acknowledged entries \(next)...\(next + 2) lost: \(summary(again))")
                } catch {
                    XCTFail("\(label): after acknowledged writes \(next)...\(next + 2) the node refuses to start: \(error)")
                }
            }
        }
    }

    func testApplicationSnapshotThenLeaderSnapshotThenRestart() throws {
        let fs = InMemoryFileSystem()
        let tracker = try StorageTracker(fileSystem: fs, options: StorageOptions(segmentBytes: 200))
        try tracker.write(entries: makeEntries(1...30, term: 1), hardState: HardState(term: 1, vote: 1, commit: 25))
        try tracker.sync()
        try tracker.saveSnapshot(makeSnapshot(index: 25, term: 1))
        try tracker.write(hardState: HardState(term: 2, vote: noNode, commit: 25))
        try tracker.write(snapshot: makeSnapshot(index: 60, term: 2), hardState: HardState(term: 2, vote: noNode, commit: 60))
        try tracker.sync()
        try tracker.append(5, commit: 62)
        try tracker.sync()
        try tracker.saveSnapshot(makeSnapshot(index: 62, term: 2))
        XCTAssertLessThanOrEqual(tracker.storage.segmentCount, 2)
        fs.crash()
        let state = try tracker.reopen()
        XCTAssertEqual(state.snapshot, makeSnapshot(index: 62, term: 2))
        XCTAssertEqual(state.entries, makeEntries(63...65, term: 2))
        XCTAssertEqual(state.hardState, HardState(term: 2, vote: noNode, commit: 62))
    }

    func testSnapshotMarkerWithoutSnapshotFileIsRefused() throws {
        let fs = InMemoryFileSystem()
        let tracker = try StorageTracker(fileSystem: fs)
        try tracker.write(snapshot: makeSnapshot(index: 10, term: 1), hardState: HardState(term: 1, vote: 1, commit: 10))
        try tracker.append(2)
        try tracker.sync()
        tracker.close()
        let snapshots = try snapshotPaths(fs, directory: tracker.directory)
        for path in snapshots { try fs.removeFile(path) }
        assertCorrupt(path: joinPath(tracker.directory, "wal"), offset: 0, index: .some(10)) { () throws(StorageError) in
            try NodeStorage(directory: tracker.directory, fileSystem: fs)
        }
    }
}
