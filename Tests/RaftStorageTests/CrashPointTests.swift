import XCTest
import RaftEngine
@testable import RaftStorage

/// Power loss after every single file operation of a storage call, including between a rename and
/// the directory fsync that makes it durable: recovery yields the state before or after the call
/// (or an allowed state in between), never a missing file or a refusal.
final class CrashPointTests: XCTestCase {
    /// What one crash point left.
    struct Outcome {
        var lastOperation: String
        var state: PersistentState?
        var error: StorageError?
    }

    /// Runs `setup`, then `operation` stopped after 0, 1, 2... file operations until it completes;
    /// at each stop the machine crashes (keeping `keptBytes` of unsynced appends) and storage is
    /// reopened, which must give an allowed state. Each reopened node then writes and syncs more
    /// entries that must survive another crash.
    @discardableResult
    private func crashAtEveryOperation(
        segmentBytes: Int = 400, keptBytes: Int = 0, preallocation: SegmentPreallocation = .off,
        setup: (StorageTracker) throws(StorageError) -> Void,
        operation: (StorageTracker) throws(StorageError) -> Void,
        file: StaticString = #filePath, line: UInt = #line
    ) throws -> [Outcome] {
        var outcomes: [Outcome] = []
        var stop = 0
        while stop < 500 {
            let controlled = ControlledFileSystem()
            let tracker = try StorageTracker(fileSystem: controlled, options: StorageOptions(segmentBytes: segmentBytes, preallocation: preallocation))
            try setup(tracker)
            controlled.stop(afterMore: stop)
            var completed = true
            do { try operation(tracker) } catch { completed = false }
            let last = controlled.operations.last ?? "none"
            controlled.stop(afterMore: nil)
            controlled.inner.crash(keepUnsyncedBytes: { _ in keptBytes })
            let state: PersistentState
            do {
                state = try tracker.reopen(file: file, line: line)
            } catch {
                outcomes.append(Outcome(lastOperation: last, error: error))
                XCTFail("crash after \(stop) operations (the last: \(last)): recovery refused: \(error)", file: file, line: line)
                if completed { break }
                stop += 1
                continue
            }
            outcomes.append(Outcome(lastOperation: last, state: state))
            let next = tracker.lastIndex + 1
            do {
                try tracker.append(2, commit: state.hardState.commit)
                try tracker.sync()
                controlled.inner.crash()
                let again = try tracker.reopen(file: file, line: line)
                XCTAssertEqual(again.entries.suffix(2), makeEntries(next...(next + 1), term: tracker.term)[...],
                               "after a crash following \(last)", file: file, line: line)
            } catch {
                XCTFail("crash after \(stop) operations (the last: \(last)) recovered \(summary(state)); after acknowledged entries \(next)...\(next + 1) and another crash, recovery refused: \(error)", file: file, line: line)
            }
            if completed { break }
            stop += 1
        }
        XCTAssertGreaterThan(outcomes.count, 3, file: file, line: line)
        return outcomes
    }

    private func workload(_ tracker: StorageTracker) throws(StorageError) {
        try tracker.runStandardWorkload()
    }

    func testHardStateReplacementCrashAtEveryOperation() throws {
        let outcomes = try crashAtEveryOperation(setup: workload) { tracker throws(StorageError) in
            try tracker.write(hardState: HardState(term: 5, vote: 2, commit: 70))
        }
        for outcome in outcomes {
            guard let hard = outcome.state?.hardState else { continue }
            XCTAssertTrue([TermVote(term: 4, vote: noNode), TermVote(term: 5, vote: 2)].contains(TermVote(term: hard.term, vote: hard.vote)),
                          "after \(outcome.lastOperation): term \(hard.term) vote \(hard.vote)")
        }
        // Renamed over the old file, directory not yet synced: the old file is back.
        let renamed = try XCTUnwrap(outcomes.first { $0.lastOperation.hasPrefix("rename") && $0.lastOperation.hasSuffix("/hardstate") })
        XCTAssertEqual(renamed.state?.hardState.term, 4)
        XCTAssertEqual(outcomes.last?.state?.hardState.term, 5)
    }

    func testHardStateReplacementCrashWithUnsyncedBytesKept() throws {
        try crashAtEveryOperation(keptBytes: 1 << 20, setup: workload) { tracker throws(StorageError) in
            try tracker.write(hardState: HardState(term: 5, vote: 2, commit: 70))
            try tracker.write(hardState: HardState(term: 6, vote: 1, commit: 70))
        }
    }

    func testApplicationSnapshotCrashAtEveryOperation() throws {
        let outcomes = try crashAtEveryOperation(setup: workload) { tracker throws(StorageError) in
            try tracker.saveSnapshot(makeSnapshot(index: 72, term: 4))
        }
        for outcome in outcomes {
            guard let snapshot = outcome.state?.snapshot else { continue }
            XCTAssertTrue([63, 72].contains(snapshot.index), "after \(outcome.lastOperation): snapshot \(snapshot.index)")
        }
        let renamed = try XCTUnwrap(outcomes.first { $0.lastOperation.hasPrefix("rename") && $0.lastOperation.hasSuffix(".snap") })
        XCTAssertEqual(renamed.state?.snapshot?.index, 63, "renamed but the directory not synced: the old snapshot")
        XCTAssertEqual(outcomes.last?.state?.snapshot?.index, 72)
    }

    func testLeaderSnapshotInTheCurrentTermCrashAtEveryOperation() throws {
        let setup: (StorageTracker) throws(StorageError) -> Void = { tracker throws(StorageError) in
            try tracker.runStandardWorkload()
            try tracker.write(hardState: HardState(term: 5, vote: noNode, commit: 70))
            try tracker.sync()
        }
        let outcomes = try crashAtEveryOperation(setup: setup) { tracker throws(StorageError) in
            try tracker.write(snapshot: makeSnapshot(index: 90, term: 5), hardState: HardState(term: 5, vote: noNode, commit: 90))
            try tracker.write(entries: makeEntries(91...93, term: 5))
            try tracker.sync()
        }
        for outcome in outcomes {
            guard let state = outcome.state else { continue }
            // Never the old entries 64...75 behind the new snapshot.
            if state.snapshot?.index == 90 { XCTAssertTrue(state.entries.allSatisfy { $0.index > 90 }, "after \(outcome.lastOperation): \(summary(state))") }
        }
    }

    func testLeaderSnapshotWithANewTermCrashAtEveryOperation() throws {
        try crashAtEveryOperation(setup: workload) { tracker throws(StorageError) in
            try tracker.write(snapshot: makeSnapshot(index: 90, term: 6), hardState: HardState(term: 6, vote: noNode, commit: 90))
            try tracker.write(entries: makeEntries(91...93, term: 6))
            try tracker.sync()
        }
    }

    func testAppendsAcrossSegmentRollsCrashAtEveryOperation() throws {
        for preallocation in [SegmentPreallocation.off, .synchronous] {
            for kept in [0, 1 << 20] {
                let outcomes = try crashAtEveryOperation(segmentBytes: 200, keptBytes: kept, preallocation: preallocation, setup: workload) { tracker throws(StorageError) in
                    for round in 0..<4 {
                        try tracker.write(entries: makeEntries((76 + 4 * LogIndex(round))...(79 + 4 * LogIndex(round)), term: 4),
                                          hardState: HardState(term: 4, vote: noNode, commit: 72 + LogIndex(round)))
                        try tracker.sync()
                    }
                }
                if preallocation == .synchronous {
                    XCTAssertTrue(outcomes.contains { $0.lastOperation.hasPrefix("rename") && $0.lastOperation.contains(SpareSegment.fileName) },
                                  "a crash right after the spare became a segment: \(outcomes.map(\.lastOperation))")
                }
            }
        }
    }

    func testSnapshotReleaseCrashAtEveryOperation() throws {
        try crashAtEveryOperation(segmentBytes: 150, setup: workload) { tracker throws(StorageError) in
            try tracker.saveSnapshot(makeSnapshot(index: 74, term: 4))
            try tracker.append(3, commit: 76)
            try tracker.sync()
        }
    }
}
