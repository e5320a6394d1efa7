import XCTest
import RaftEngine
@testable import RaftStorage

/// ENOSPC and EIO: the failing call throws, storage refuses all later work with `.failed`, nothing
/// already synced is damaged, and a restart recovers the acknowledged prefix and accepts writes.
final class DiskErrorTests: XCTestCase {
    /// The standard workload acknowledged on small segments, with the durable bytes of every file.
    private func prepare() throws -> (InMemoryFileSystem, StorageTracker, durable: [String: [UInt8]]) {
        let fs = InMemoryFileSystem()
        let tracker = try StorageTracker(fileSystem: fs, options: StorageOptions(segmentBytes: 400))
        try tracker.runStandardWorkload()
        var durable: [String: [UInt8]] = [:]
        for path in try segmentPaths(fs, directory: tracker.directory) + snapshotPaths(fs, directory: tracker.directory) + [joinPath(tracker.directory, "hardstate")] {
            durable[path] = fs.durableContent(of: path)
        }
        return (fs, tracker, durable)
    }

    /// Every file that was durable before is still there with its durable bytes as a prefix.
    private func assertSyncedBytesIntact(_ fs: InMemoryFileSystem, _ durable: [String: [UInt8]], file: StaticString = #filePath, line: UInt = #line) {
        for (path, bytes) in durable {
            guard let now = fs.durableContent(of: path) else {
                XCTFail("\(path) is gone", file: file, line: line)
                continue
            }
            XCTAssertEqual(Array(now.prefix(bytes.count)), bytes, "synced bytes of \(path) changed", file: file, line: line)
        }
    }

    /// Every later call refuses with `.failed`.
    private func assertStopped(_ tracker: StorageTracker, file: StaticString = #filePath, line: UInt = #line) {
        let next = tracker.lastIndex + 1
        assertFailedState({ () throws(StorageError) in try tracker.storage.write(StorageWrite(readyID: 999, entries: [makeEntry(next, term: tracker.term)])) }, file: file, line: line)
        assertFailedState({ () throws(StorageError) in try tracker.storage.flush() }, file: file, line: line)
        assertFailedState({ () throws(StorageError) in try tracker.storage.sync() }, file: file, line: line)
    }

    /// After the fault is gone and the machine restarted, the acknowledged state is back and new
    /// writes survive another crash.
    /// With `exact`, a crash must bring back exactly the acknowledged state (no unsynced record
    /// survives it); otherwise any allowed state will do.
    private func assertRecoversAndContinues(_ fs: InMemoryFileSystem, _ tracker: StorageTracker, crash: Bool = true, exact: Bool = true,
                                            file: StaticString = #filePath, line: UInt = #line) throws {
        fs.clearFaults()
        let acknowledged = tracker.acknowledgedStates
        if crash { fs.crash() }
        let state = try tracker.reopen(file: file, line: line)
        if crash && exact {
            XCTAssertTrue(acknowledged.contains(state), "recovered \(summary(state)), acknowledged \(acknowledged.map(summary))", file: file, line: line)
        }
        let next = tracker.lastIndex + 1
        try tracker.append(4, commit: next + 1)
        try tracker.sync()
        fs.crash()
        let again = try tracker.reopen(file: file, line: line)
        XCTAssertEqual(again.entries.suffix(4), makeEntries(next...(next + 3), term: tracker.term)[...], file: file, line: line)
    }

    func testENOSPCDuringSync() throws {
        for budget in [0, 1, 8, 9, 30, 200, 700] {
            let (fs, tracker, durable) = try prepare()
            try tracker.append(10, size: 50, commit: 80)
            fs.failWrites(after: budget)
            do {
                try tracker.sync()
                XCTFail("sync succeeded on a full disk (budget \(budget))")
            } catch {
                guard case .io(_, _, 28) = error else { return XCTFail("expected ENOSPC, got \(error)") }
                XCTAssertTrue(error.description.contains("disk is full"), error.description)
            }
            assertStopped(tracker)
            assertSyncedBytesIntact(fs, durable)
            try assertRecoversAndContinues(fs, tracker)
        }
    }

    func testENOSPCDuringFlushThenRestartWithoutACrash() throws {
        for budget in [0, 5, 40, 120] {
            let (fs, tracker, durable) = try prepare()
            try tracker.append(6, size: 50, commit: 78)
            fs.failWrites(after: budget)
            assertIOError(errno: 28) { () throws(StorageError) in try tracker.flush() }
            assertStopped(tracker)
            assertSyncedBytesIntact(fs, durable)
            // The process restarts but the machine did not crash: the partial write is still in the file.
            try assertRecoversAndContinues(fs, tracker, crash: false)
        }
    }

    func testENOSPCWhileRollingToANewSegment() throws {
        let fs = InMemoryFileSystem()
        let tracker = try StorageTracker(fileSystem: fs, options: StorageOptions(segmentBytes: 300))
        try tracker.write(hardState: HardState(term: 1, vote: 1, commit: 0))
        try tracker.append(2, size: 20, commit: 1)
        try tracker.sync()
        let before = tracker.storage.segmentCount
        // Enough room for the records but not for the next segment's header.
        try tracker.append(6, size: 40, commit: 8)
        fs.failWrites(after: 6 * (WALRecord.headerSize + 17 + 40) + 17 + 10)
        assertIOError(errno: 28) { () throws(StorageError) in try tracker.sync() }
        XCTAssertEqual(tracker.storage.segmentCount, before)
        assertStopped(tracker)
        // The records were synced before the roll failed, so they may survive.
        try assertRecoversAndContinues(fs, tracker, exact: false)
    }

    func testENOSPCWhileWritingTheHardStateStopsStorage() throws {
        let (fs, tracker, durable) = try prepare()
        fs.failWrites(after: 3)
        assertIOError(errno: 28) { () throws(StorageError) in
            try tracker.write(entries: makeEntries(76...78, term: 5), hardState: HardState(term: 5, vote: 2, commit: 70))
        }
        assertSyncedBytesIntact(fs, durable)
        // The term-5 entries of the failed write must not become durable behind a term-4 hard state.
        assertStopped(tracker)
        try assertRecoversAndContinues(fs, tracker)
    }

    func testSyncAfterAFailedHardStateWriteDoesNotPersistEntriesOfTheNewTerm() throws {
        let (fs, tracker, _) = try prepare()
        fs.failWrites(after: 3)
        assertIOError(errno: 28) { () throws(StorageError) in
            try tracker.write(entries: makeEntries(76...78, term: 5), hardState: HardState(term: 5, vote: 2, commit: 70))
        }
        // The disk has room again, and the caller syncs what came before.
        fs.clearFaults()
        do {
            try tracker.storage.sync()
        } catch {
            guard case .failed = error else { return XCTFail("expected .failed, got \(error)") }
        }
        fs.crash()
        do {
            let storage = try NodeStorage(directory: tracker.directory, fileSystem: fs, options: tracker.options)
            XCTAssertLessThanOrEqual(storage.recovered.entries.last?.term ?? 0, storage.recovered.hardState.term)
        } catch {
            XCTFail("a node that only hit ENOSPC refuses to start: \(error)")
        }
    }

    func testEIOOnSync() throws {
        let (fs, tracker, durable) = try prepare()
        try tracker.append(5, size: 50, commit: 78)
        fs.failSyncs()
        assertIOError(errno: 5) { () throws(StorageError) in try tracker.sync() }
        assertStopped(tracker)
        // Retrying cannot make the lost write durable: storage stays stopped after the fault clears.
        fs.clearFaults()
        assertStopped(tracker)
        assertSyncedBytesIntact(fs, durable)
        try assertRecoversAndContinues(fs, tracker)
    }

    func testEIOOnSyncThenRestartWithoutACrash() throws {
        let (fs, tracker, durable) = try prepare()
        try tracker.append(5, size: 50, commit: 78)
        fs.failSyncs()
        assertIOError(errno: 5) { () throws(StorageError) in try tracker.sync() }
        assertStopped(tracker)
        assertSyncedBytesIntact(fs, durable)
        try assertRecoversAndContinues(fs, tracker, crash: false)
    }

    func testEIOWhileWritingTheHardState() throws {
        let (fs, tracker, durable) = try prepare()
        fs.failSyncs()
        assertIOError(errno: 5) { () throws(StorageError) in
            try tracker.write(entries: makeEntries(76...77, term: 5), hardState: HardState(term: 5, vote: 3, commit: 70))
        }
        assertStopped(tracker)
        assertSyncedBytesIntact(fs, durable)
        try assertRecoversAndContinues(fs, tracker)
    }

    func testEIOWhileSavingASnapshot() throws {
        let (fs, tracker, durable) = try prepare()
        fs.failSyncs()
        assertIOError(errno: 5) { () throws(StorageError) in try tracker.saveSnapshot(makeSnapshot(index: 72, term: 4)) }
        assertSyncedBytesIntact(fs, durable)
        try assertRecoversAndContinues(fs, tracker)
    }

    func testIOErrorDescriptionsNameTheFileAndErrno() {
        XCTAssertEqual(StorageError.io(operation: "write", path: "/d/wal/x.wal", errno: 28).description,
                       "write /d/wal/x.wal: no space left on device (ENOSPC) (the disk is full; free space and restart the node)")
        XCTAssertEqual(StorageError.io(operation: "fdatasync", path: "/d/wal/x.wal", errno: 5).description,
                       "fdatasync /d/wal/x.wal: input/output error (EIO)")
        XCTAssertTrue(StorageError.failed("boom").description.contains("boom"))
    }
}
