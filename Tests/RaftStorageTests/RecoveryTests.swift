import XCTest
import RaftEngine
@testable import RaftStorage

/// Clean restarts, segment rollover and release, and crashes that keep only fsynced bytes.
final class RecoveryTests: XCTestCase {
    func testFreshDirectoryStartsEmpty() throws {
        let fs = InMemoryFileSystem()
        let storage = try NodeStorage(directory: "/data/node-1", fileSystem: fs)
        XCTAssertEqual(storage.recovered, PersistentState())
        XCTAssertEqual(storage.segmentCount, 1)
        XCTAssertEqual(try segmentPaths(fs, directory: "/data/node-1"), ["/data/node-1/wal/0000000000000001-0000000000000001.wal"])
        storage.close()
        fs.crash()
        XCTAssertEqual(try NodeStorage(directory: "/data/node-1", fileSystem: fs).recovered, PersistentState())
    }

    func testCleanRestartRoundTrip() throws {
        let tracker = try StorageTracker(fileSystem: InMemoryFileSystem())
        try tracker.runStandardWorkload()
        XCTAssertEqual(tracker.acknowledged, standardWorkloadResult)
        XCTAssertEqual(try tracker.reopen(), standardWorkloadResult)

        try tracker.write(entries: makeEntries(76...80, term: 5), hardState: HardState(term: 5, vote: 2, commit: 78))
        try tracker.sync()
        let state = try tracker.reopen()
        XCTAssertEqual(state.hardState, HardState(term: 5, vote: 2, commit: 78))
        XCTAssertEqual(state.snapshot, makeSnapshot(index: 63, term: 4))
        XCTAssertEqual(state.entries, makeEntries(64...75, term: 4) + makeEntries(76...80, term: 5))
    }

    func testRoundTripKeepsEntryKindsAndEmptyAndLargePayloads() throws {
        let tracker = try StorageTracker(fileSystem: InMemoryFileSystem())
        let entries = [
            Entry(term: 1, index: 1, kind: .noop, data: []),
            Entry(term: 1, index: 2, kind: .command, data: []),
            Entry(term: 1, index: 3, kind: .command, data: (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }),
            Entry(term: 1, index: 4, kind: .command, data: [0, 0, 0, 0, 0, 0, 0, 0, 0]),
        ]
        try tracker.write(entries: entries, hardState: HardState(term: 1, vote: 1, commit: 2))
        try tracker.sync()
        let state = try tracker.reopen()
        XCTAssertEqual(state.entries, entries)
        XCTAssertEqual(state.hardState, HardState(term: 1, vote: 1, commit: 2))
    }

    func testRolloverAcrossManySegments() throws {
        let fs = InMemoryFileSystem()
        let tracker = try StorageTracker(fileSystem: fs, options: StorageOptions(segmentBytes: 300))
        try tracker.write(hardState: HardState(term: 1, vote: 1, commit: 0))
        for round in 0..<60 {
            try tracker.append(3, commit: tracker.lastIndex + 3)
            if round % 2 == 0 { try tracker.sync() } else { try tracker.flush(); try tracker.sync() }
        }
        XCTAssertGreaterThan(tracker.storage.segmentCount, 20)
        let paths = try segmentPaths(fs, directory: tracker.directory)
        XCTAssertEqual(paths.count, tracker.storage.segmentCount)
        // Sequences are consecutive and each header agrees with its file name.
        for (position, path) in paths.enumerated() {
            let name = String(path.split(separator: "/").last!)
            let segment = try XCTUnwrap(WALSegment(fileName: name))
            XCTAssertEqual(segment.sequence, UInt64(position + 1))
            XCTAssertNil(segment.validateHeader(try fs.readFile(path)), path)
        }
        let state = try tracker.reopen()
        XCTAssertEqual(state.entries, makeEntries(1...180, term: 1))
        XCTAssertEqual(state.hardState.commit, 180)

        fs.crash()
        XCTAssertEqual(try tracker.reopen().entries.count, 180)
        try tracker.append(5, commit: 185)
        try tracker.sync()
        XCTAssertEqual(try tracker.reopen().entries.last?.index, 185)
    }

    func testSaveSnapshotReleasesOldSegmentsAndRecoveryStillWorks() throws {
        let fs = InMemoryFileSystem()
        let tracker = try StorageTracker(fileSystem: fs, options: StorageOptions(segmentBytes: 256))
        try tracker.write(hardState: HardState(term: 2, vote: 1, commit: 0))
        for _ in 0..<25 {
            try tracker.append(4, commit: tracker.lastIndex + 4)
            try tracker.sync()
        }
        let before = tracker.storage.segmentCount
        XCTAssertGreaterThan(before, 10)
        try tracker.saveSnapshot(makeSnapshot(index: 80, term: 2))
        let after = tracker.storage.segmentCount
        XCTAssertLessThan(after, before)
        XCTAssertEqual(try segmentPaths(fs, directory: tracker.directory).count, after)

        fs.crash()
        let state = try tracker.reopen()
        XCTAssertEqual(state.snapshot, makeSnapshot(index: 80, term: 2))
        XCTAssertEqual(state.entries, makeEntries(81...100, term: 2))
        XCTAssertEqual(state.hardState, HardState(term: 2, vote: 1, commit: 100))
        XCTAssertEqual(try segmentPaths(fs, directory: tracker.directory).count, after, "released segments came back after a crash")

        // A snapshot covering the whole log keeps only the segment being written.
        try tracker.append(8, commit: 108)
        try tracker.sync()
        try tracker.saveSnapshot(makeSnapshot(index: 108, term: 2))
        XCTAssertEqual(tracker.storage.segmentCount, 1)
        try tracker.append(2, commit: 110)
        try tracker.sync()
        fs.crash()
        let last = try tracker.reopen()
        XCTAssertEqual(last.snapshot?.index, 108)
        XCTAssertEqual(last.entries, makeEntries(109...110, term: 2))
    }

    func testStandardWorkloadWithSmallSegments() throws {
        let fs = InMemoryFileSystem()
        let tracker = try StorageTracker(fileSystem: fs, options: StorageOptions(segmentBytes: 200))
        try tracker.runStandardWorkload()
        XCTAssertEqual(try tracker.reopen(), standardWorkloadResult)
        fs.crash()
        XCTAssertEqual(try tracker.reopen(), standardWorkloadResult)
    }

    func testCrashKeepsOnlyFsyncedBytes() throws {
        let fs = InMemoryFileSystem()
        let tracker = try StorageTracker(fileSystem: fs, options: StorageOptions(segmentBytes: 512))
        try tracker.runStandardWorkload()
        // Flushed but not synced, and not even flushed.
        try tracker.append(6, commit: 74)
        try tracker.flush()
        try tracker.append(3)
        let acknowledged = tracker.acknowledged
        fs.crash()
        XCTAssertEqual(try tracker.reopen(), acknowledged)
        XCTAssertEqual(acknowledged, standardWorkloadResult)
    }

    func testCrashAfterEachStepOfTheWorkloadRecoversTheAcknowledgedState() throws {
        // Crash after the first `steps` operations of the workload, keeping only synced bytes.
        for steps in 1...14 {
            let fs = InMemoryFileSystem()
            let tracker = try StorageTracker(fileSystem: fs, options: StorageOptions(segmentBytes: 256))
            try tracker.write(entries: makeEntries(1...12, term: 1), hardState: HardState(term: 1, vote: 1, commit: 0))
            for step in 0..<steps {
                switch step {
                case 0, 3, 6, 9, 13: try tracker.sync()
                case 1: try tracker.write(entries: makeEntries(13...20, term: 1), hardState: HardState(term: 1, vote: 1, commit: 8))
                case 2, 8, 12: try tracker.flush()
                case 4: try tracker.write(hardState: HardState(term: 2, vote: 3, commit: 8))
                case 5: try tracker.write(entries: makeEntries(21...30, term: 2), hardState: HardState(term: 2, vote: 3, commit: 20))
                case 7: try tracker.write(entries: makeEntries(26...28, term: 3), hardState: HardState(term: 3, vote: noNode, commit: 25))
                case 10: try tracker.saveSnapshot(makeSnapshot(index: 18, term: 1))
                default: try tracker.write(entries: makeEntries(29...40, term: 3), hardState: HardState(term: 3, vote: noNode, commit: 35))
                }
            }
            let acknowledged = tracker.acknowledged
            fs.crash()
            XCTAssertEqual(try tracker.reopen(), acknowledged, "after \(steps) steps")
        }
    }

    func testTermAndVoteAreDurableWhenWriteReturns() throws {
        let fs = InMemoryFileSystem()
        let tracker = try StorageTracker(fileSystem: fs)
        try tracker.write(entries: makeEntries(1...3, term: 1), hardState: HardState(term: 1, vote: 1, commit: 0))
        try tracker.sync()
        try tracker.write(hardState: HardState(term: 7, vote: 2, commit: 0))
        fs.crash()
        let state = try tracker.reopen()
        XCTAssertEqual(state.hardState.term, 7)
        XCTAssertEqual(state.hardState.vote, 2)
        XCTAssertEqual(state.entries, makeEntries(1...3, term: 1))
    }
}
