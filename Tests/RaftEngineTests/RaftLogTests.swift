import XCTest
@testable import RaftEngine

final class RaftLogTests: XCTestCase {
    /// A log whose entry at index i (from 1) has term terms[i-1].
    private func log(terms: [Term], committed: LogIndex = 0) -> RaftLog {
        let entries = terms.enumerated().map { Entry(term: $0.element, index: LogIndex($0.offset + 1), data: [UInt8($0.offset)]) }
        return RaftLog(snapshotIndex: 0, snapshotTerm: 0, entries: entries, committed: committed)
    }

    private func terms(_ log: RaftLog) -> [Term] { log.entries.map(\.term) }

    private func entries(_ terms: [Term], from first: LogIndex) -> [Entry] {
        terms.enumerated().map { Entry(term: $0.element, index: first + LogIndex($0.offset)) }
    }

    func testAppendIfMatchingTruncatesOnlyTheConflictingSuffix() {
        var log = log(terms: [1, 1, 2, 2, 2])
        let originalFirstTwo = Array(log.entries.prefix(2))
        let last = log.appendIfMatching(prevIndex: 1, prevTerm: 1, newEntries: entries([1, 3], from: 2))
        XCTAssertEqual(last, 3)
        XCTAssertEqual(terms(log), [1, 1, 3])
        XCTAssertEqual(Array(log.entries.prefix(2)), originalFirstTwo, "matching prefix must be kept untouched")
        XCTAssertEqual(log.lastIndex, 3)
        XCTAssertEqual(log.lastTerm, 3)
    }

    func testTruncationLowersPersistedAndHandedOffMarks() {
        var log = log(terms: [1, 1, 1, 1])
        XCTAssertEqual(log.persisted, 4)
        XCTAssertEqual(log.appendIfMatching(prevIndex: 2, prevTerm: 1, newEntries: entries([2], from: 3)), 3)
        XCTAssertEqual(terms(log), [1, 1, 2])
        XCTAssertEqual(log.persisted, 2)
        XCTAssertEqual(log.handedOff, 2)
    }

    func testStaleShorterAppendNeverShortensTheLog() {
        var log = log(terms: [1, 1, 1, 1, 1])
        let last = log.appendIfMatching(prevIndex: 1, prevTerm: 1, newEntries: entries([1, 1], from: 2))
        XCTAssertEqual(last, 3, "the response covers only the request's entries")
        XCTAssertEqual(log.lastIndex, 5)
        XCTAssertEqual(terms(log), [1, 1, 1, 1, 1])
        XCTAssertEqual(log.persisted, 5)
    }

    func testEmptyAppendWithMatchKeepsTheLog() {
        var log = log(terms: [1, 2, 2])
        XCTAssertEqual(log.appendIfMatching(prevIndex: 2, prevTerm: 2, newEntries: []), 2)
        XCTAssertEqual(terms(log), [1, 2, 2])
    }

    func testAppendBeyondTheEndExtends() {
        var log = log(terms: [1, 1])
        XCTAssertEqual(log.appendIfMatching(prevIndex: 2, prevTerm: 1, newEntries: entries([2, 2], from: 3)), 4)
        XCTAssertEqual(terms(log), [1, 1, 2, 2])
    }

    func testAppendIfMatchingRejectsOnMismatch() {
        var log = log(terms: [1, 1, 2])
        XCTAssertNil(log.appendIfMatching(prevIndex: 3, prevTerm: 3, newEntries: entries([3], from: 4)), "term mismatch")
        XCTAssertNil(log.appendIfMatching(prevIndex: 5, prevTerm: 2, newEntries: entries([2], from: 6)), "gap after the end")
        XCTAssertEqual(terms(log), [1, 1, 2])
        XCTAssertEqual(log.persisted, 3)
    }

    func testLastIndexAtOrBelowWithTermAtMost() {
        let log = log(terms: [1, 1, 2, 2, 4])
        XCTAssertTrue(log.lastIndex(atOrBelow: 5, withTermAtMost: 3) == (4, 2))
        XCTAssertTrue(log.lastIndex(atOrBelow: 5, withTermAtMost: 1) == (2, 1))
        XCTAssertTrue(log.lastIndex(atOrBelow: 3, withTermAtMost: 9) == (3, 2))
        XCTAssertTrue(log.lastIndex(atOrBelow: 99, withTermAtMost: 4) == (5, 4), "clamped to the last index")
        XCTAssertTrue(log.lastIndex(atOrBelow: 5, withTermAtMost: 0) == (0, 0))
    }

    func testLastIndexAtOrBelowStopsAtSnapshotBase() {
        let log = RaftLog(snapshotIndex: 10, snapshotTerm: 3, entries: entries([4, 5], from: 11), committed: 10)
        XCTAssertTrue(log.lastIndex(atOrBelow: 12, withTermAtMost: 4) == (11, 4))
        XCTAssertTrue(log.lastIndex(atOrBelow: 12, withTermAtMost: 2) == (10, 3), "terms below the snapshot are unknown")
    }

    func testCompact() {
        var log = log(terms: [1, 1, 2, 2, 3], committed: 3)
        log.applied = 3
        log.compact(upTo: 3)
        XCTAssertEqual(log.snapshotIndex, 3)
        XCTAssertEqual(log.snapshotTerm, 2)
        XCTAssertEqual(log.firstIndex, 4)
        XCTAssertEqual(log.lastIndex, 5)
        XCTAssertEqual(log.term(at: 3), 2)
        XCTAssertNil(log.term(at: 2))
        XCTAssertNil(log.slice(from: 3, through: 5))
        XCTAssertEqual(log.slice(from: 4, through: 5)?.map(\.index), [4, 5])
        XCTAssertEqual(log.entry(at: 4).term, 2)
        // Compacting to an older point is a no-op.
        log.compact(upTo: 2)
        XCTAssertEqual(log.snapshotIndex, 3)
        XCTAssertEqual(log.entries.count, 2)
        // Appends after the compacted prefix still match against the snapshot base.
        XCTAssertEqual(log.appendIfMatching(prevIndex: 3, prevTerm: 2, newEntries: entries([2, 2], from: 4)), 5)
        XCTAssertEqual(log.entries.map(\.term), [2, 2])
        XCTAssertNil(log.appendIfMatching(prevIndex: 3, prevTerm: 1, newEntries: []))
    }

    func testRestoreReplacesTheLog() {
        var log = log(terms: [1, 1, 2], committed: 1)
        log.restore(Snapshot(index: 10, term: 4, data: [1]))
        XCTAssertEqual(log.snapshotIndex, 10)
        XCTAssertEqual(log.lastIndex, 10)
        XCTAssertEqual(log.lastTerm, 4)
        XCTAssertEqual(log.firstIndex, 11)
        XCTAssertTrue(log.entries.isEmpty)
        XCTAssertEqual(log.committed, 10)
        XCTAssertEqual(log.applied, 10)
        XCTAssertEqual(log.persisted, 1, "the snapshot is durable only once storage acknowledges it")
        XCTAssertEqual(log.handedOff, 10)
        XCTAssertNil(log.term(at: 3))
        XCTAssertTrue(log.matches(index: 10, term: 4))
    }

    func testIsUpToDate() {
        let log = log(terms: [1, 2, 2])
        XCTAssertTrue(log.isUpToDate(lastIndex: 3, lastTerm: 2), "equal")
        XCTAssertTrue(log.isUpToDate(lastIndex: 4, lastTerm: 2), "same term, longer")
        XCTAssertTrue(log.isUpToDate(lastIndex: 1, lastTerm: 3), "higher term, shorter")
        XCTAssertFalse(log.isUpToDate(lastIndex: 2, lastTerm: 2), "same term, shorter")
        XCTAssertFalse(log.isUpToDate(lastIndex: 9, lastTerm: 1), "lower term, longer")
        XCTAssertTrue(RaftLog(snapshotIndex: 0, snapshotTerm: 0, entries: [], committed: 0).isUpToDate(lastIndex: 0, lastTerm: 0))
    }

    func testSliceRespectsByteLimitButAlwaysReturnsOneEntry() {
        let entries = (1...4).map { Entry(term: 1, index: LogIndex($0), data: [UInt8](repeating: 0, count: 26)) }
        let log = RaftLog(snapshotIndex: 0, snapshotTerm: 0, entries: entries, committed: 0)
        XCTAssertEqual(log.slice(from: 1, through: 4, maxBytes: 100)?.count, 2)
        XCTAssertEqual(log.slice(from: 1, through: 4, maxBytes: 1)?.count, 1)
        XCTAssertEqual(log.slice(from: 3, through: 2), [])
        XCTAssertNil(log.slice(from: 1, through: 5))
    }
}
