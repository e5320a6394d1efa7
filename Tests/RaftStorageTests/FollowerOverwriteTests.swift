import XCTest
import RaftEngine
@testable import RaftStorage

/// A follower replacing a conflicting suffix: a crash anywhere yields the old log or a prefix of
/// the new one, never new entries followed by the old suffix.
final class FollowerOverwriteTests: XCTestCase {
    /// Fails when the log holds an entry of `oldTerm` after an entry of a newer term.
    private func assertNoOldSuffixAfterNewEntries(_ state: PersistentState, oldTerm: Term, file: StaticString = #filePath, line: UInt = #line) {
        var sawNewer = false
        for entry in state.entries {
            if entry.term > oldTerm { sawNewer = true }
            if sawNewer && entry.term == oldTerm {
                XCTFail("old entry \(entry.index)@\(entry.term) follows newer entries: \(summary(state))", file: file, line: line)
                return
            }
        }
    }

    /// Entries 1...10 of term 1 acknowledged (commit 4), then the overwrite of 5... by 5...9 of
    /// term 2 written and flushed, not synced.
    private func prepare(segmentBytes: Int) throws -> (InMemoryFileSystem, StorageTracker, tail: Int) {
        let fs = InMemoryFileSystem()
        let tracker = try StorageTracker(fileSystem: fs, options: StorageOptions(segmentBytes: segmentBytes))
        try tracker.write(entries: makeEntries(1...10, term: 1), hardState: HardState(term: 1, vote: 1, commit: 4))
        try tracker.sync()
        try tracker.write(entries: makeEntries(5...9, term: 2), hardState: HardState(term: 2, vote: noNode, commit: 4))
        try tracker.flush()
        let path = try XCTUnwrap(try segmentPaths(fs, directory: tracker.directory).last)
        let tail = try XCTUnwrap(fs.content(of: path)).count - (try XCTUnwrap(fs.durableContent(of: path))).count
        return (fs, tracker, tail)
    }

    func testCrashAtEveryByteOfTheOverwriteBatch() throws {
        for segmentBytes in [64 << 20, 100] {
            let tail = try prepare(segmentBytes: segmentBytes).tail
            XCTAssertGreaterThan(tail, 5 * WALRecord.headerSize)
            for kept in 0...tail {
                let (fs, tracker, _) = try prepare(segmentBytes: segmentBytes)
                fs.crash(keepUnsyncedBytes: { _ in kept })
                let state = try tracker.reopen()
                let old = makeEntries(1...10, term: 1)
                let newCount = state.entries.filter { $0.term == 2 }.count
                let expected = newCount == 0 ? old : makeEntries(1...4, term: 1) + makeEntries(5...LogIndex(4 + newCount), term: 2)
                XCTAssertEqual(state.entries, expected, "kept \(kept) bytes: \(summary(state))")
                XCTAssertEqual(state.hardState.term, 2)
                assertNoOldSuffixAfterNewEntries(state, oldTerm: 1)

                // The leader resends from where this node stands; the result survives a crash.
                let resendFrom = newCount == 0 ? 5 : LogIndex(5 + newCount)
                if resendFrom <= 9 {
                    try tracker.write(entries: makeEntries(resendFrom...9, term: 2), hardState: HardState(term: 2, vote: noNode, commit: 6))
                } else {
                    try tracker.write(hardState: HardState(term: 2, vote: noNode, commit: 6))
                }
                try tracker.sync()
                fs.crash(keepUnsyncedBytes: { _ in kept })
                let final = try tracker.reopen()
                XCTAssertEqual(final.entries, makeEntries(1...4, term: 1) + makeEntries(5...9, term: 2), "kept \(kept) bytes")
                XCTAssertEqual(final.hardState.commit, 6)
            }
        }
    }

    func testOverwriteOfEntriesInEarlierSegments() throws {
        for kept in [0, 3, 9, 30, 60, 1000] {
            let fs = InMemoryFileSystem()
            let tracker = try StorageTracker(fileSystem: fs, options: StorageOptions(segmentBytes: 150))
            try tracker.write(hardState: HardState(term: 1, vote: 1, commit: 0))
            for _ in 0..<10 {
                try tracker.append(3, commit: 5)
                try tracker.sync()
            }
            XCTAssertGreaterThan(tracker.storage.segmentCount, 4)
            // A new leader overwrites 8... which lives several segments back.
            try tracker.write(entries: makeEntries(8...12, term: 2), hardState: HardState(term: 2, vote: noNode, commit: 7))
            try tracker.flush()
            fs.crash(keepUnsyncedBytes: { _ in kept })
            let state = try tracker.reopen()
            assertNoOldSuffixAfterNewEntries(state, oldTerm: 1)

            // Write on, across more segments, snapshot and release, and restart.
            try tracker.write(entries: makeEntries(8...20, term: 2), hardState: HardState(term: 2, vote: noNode, commit: 15))
            try tracker.sync()
            try tracker.append(6, commit: 22)
            try tracker.sync()
            try tracker.saveSnapshot(makeSnapshot(index: 15, term: 2))
            fs.crash()
            let final = try tracker.reopen()
            XCTAssertEqual(final.snapshot?.index, 15)
            XCTAssertEqual(final.entries, makeEntries(16...26, term: 2), "kept \(kept) bytes")
        }
    }

    func testRepeatedOverwritesAcrossRestarts() throws {
        let fs = InMemoryFileSystem()
        let tracker = try StorageTracker(fileSystem: fs, options: StorageOptions(segmentBytes: 200))
        try tracker.write(entries: makeEntries(1...20, term: 1), hardState: HardState(term: 1, vote: 1, commit: 3))
        try tracker.sync()
        var expected = makeEntries(1...20, term: 1)
        for (term, from, to) in [(2, 15, 25), (3, 10, 12), (4, 12, 30), (5, 4, 6)] as [(Term, LogIndex, LogIndex)] {
            try tracker.write(entries: makeEntries(from...to, term: term), hardState: HardState(term: term, vote: noNode, commit: 3))
            try tracker.sync()
            expected = Array(expected.prefix(Int(from - 1))) + makeEntries(from...to, term: term)
            fs.crash()
            let state = try tracker.reopen()
            XCTAssertEqual(state.entries, expected, "after the overwrite by term \(term)")
        }
    }
}
