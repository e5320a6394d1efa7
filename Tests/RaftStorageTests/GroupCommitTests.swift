import Dispatch
import Foundation
import XCTest
import RaftEngine
@testable import RaftStorage

/// Completions as the writer delivered them, with a check made at the moment each arrived.
final class CompletionLog: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [(id: UInt64, ok: Bool, error: StorageError?)] = []
    private var problems: [String] = []
    let done = DispatchGroup()

    var all: [(id: UInt64, ok: Bool, error: StorageError?)] { lock.withLock { results } }
    var issues: [String] { lock.withLock { problems } }

    func record(_ id: UInt64, _ result: Result<DurableWrite, StorageError>, problem: String? = nil) {
        lock.withLock {
            switch result {
            case .success(let durable):
                if durable.readyID != id { problems.append("write \(id) completed with the proof of \(durable.readyID)") }
                results.append((id, true, nil))
            case .failure(let error):
                results.append((id, false, error))
            }
            if let problem { problems.append(problem) }
        }
        done.leave()
    }
}

/// `GroupCommitWriter`: many writes per fsync, completions in order and only once durable, and
/// every write after a failure fails.
final class GroupCommitTests: XCTestCase {
    private let directory = "/data/node-1"

    /// Indexes of the entries in the durable bytes of every segment.
    private func durableEntryIndexes(_ fs: InMemoryFileSystem) -> Set<LogIndex> {
        var indexes: Set<LogIndex> = []
        let wal = joinPath(directory, "wal")
        for name in (try? fs.listDirectory(wal)) ?? [] {
            for record in records(in: fs.durableContent(of: joinPath(wal, name)) ?? []) {
                if let index = record.entryIndex { indexes.insert(index) }
            }
        }
        return indexes
    }

    /// Write `id` of a numbered sequence: it holds entry `id`, and the first also the hard state.
    private static func numberedWrite(_ id: UInt64) -> StorageWrite {
        StorageWrite(readyID: id, entries: [makeEntry(id, term: 1, size: 64)],
                     hardState: id == 1 ? HardState(term: 1, vote: 1, commit: 0) : nil)
    }

    /// A completion for `numberedWrite(id)` that records it in `log`, noting a problem if the
    /// write succeeded before its entry was in the synced bytes of the log in `directory`.
    private static func recordingDurability(of id: UInt64, in fs: InMemoryFileSystem, directory: String, to log: CompletionLog) -> GroupCommitWriter.Completion {
        let wal = joinPath(directory, "wal")
        return { result in
            var problem: String?
            if case .success = result {
                let durable = ((try? fs.listDirectory(wal)) ?? []).flatMap { records(in: fs.durableContent(of: joinPath(wal, $0)) ?? []) }
                if !durable.contains(where: { $0.entryIndex == id }) { problem = "write \(id) completed before its entry was synced" }
            }
            log.record(id, result, problem: problem)
        }
    }

    /// Submits writes 1...`count` (write n holds entry n) from `threads` threads; submissions are
    /// serialized so that write n is queued before write n+1.
    private func submitConcurrently(_ writer: GroupCommitWriter, fs: InMemoryFileSystem, log: CompletionLog, ids: ClosedRange<UInt64>, threads: Int) {
        let lock = NSLock()
        nonisolated(unsafe) var next = ids.lowerBound
        let directory = self.directory
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            while true {
                lock.lock()
                guard next <= ids.upperBound else {
                    lock.unlock()
                    return
                }
                let id = next
                next += 1
                log.done.enter()
                writer.submit(Self.numberedWrite(id), completion: Self.recordingDurability(of: id, in: fs, directory: directory, to: log))
                lock.unlock()
                usleep(UInt32.random(in: 0...200))
            }
        }
    }

    func testConcurrentSubmitsShareSyncsAndCompleteInOrder() throws {
        let controlled = ControlledFileSystem()
        controlled.syncDelayMicroseconds = 2_000
        let storage = try NodeStorage(directory: directory, fileSystem: controlled, options: StorageOptions(segmentBytes: 8 << 10))
        let writer = GroupCommitWriter(storage: storage)
        let log = CompletionLog()
        submitConcurrently(writer, fs: controlled.inner, log: log, ids: 1...400, threads: 8)
        XCTAssertEqual(log.done.wait(timeout: .now() + 20), .success)
        writer.stop()

        let results = log.all
        XCTAssertEqual(results.map(\.id), Array(1...400), "completions out of order")
        XCTAssertTrue(results.allSatisfy(\.ok), "\(results.filter { !$0.ok }.prefix(3))")
        XCTAssertEqual(log.issues, [])
        XCTAssertEqual(writer.writesCovered, 400)
        XCTAssertLessThan(writer.syncs, writer.writesCovered, "no group commit: \(writer.syncs) syncs for \(writer.writesCovered) writes")
        XCTAssertLessThan(writer.syncs, 200)

        controlled.inner.crash()
        let state = try NodeStorage(directory: directory, fileSystem: controlled.inner).recovered
        XCTAssertEqual(state.entries, (1...400).map { makeEntry($0, term: 1, size: 64) })
    }

    func testSubmitsFromOneThreadCompleteInOrder() throws {
        let fs = InMemoryFileSystem()
        let storage = try NodeStorage(directory: directory, fileSystem: fs)
        let writer = GroupCommitWriter(storage: storage)
        let log = CompletionLog()
        for id in 1...200 as ClosedRange<UInt64> {
            log.done.enter()
            writer.submit(StorageWrite(readyID: id, entries: [makeEntry(id, term: 1)], hardState: HardState(term: 1, vote: 1, commit: id / 2))) {
                log.record(id, $0)
            }
        }
        XCTAssertEqual(log.done.wait(timeout: .now() + 20), .success)
        writer.stop()
        XCTAssertEqual(log.all.map(\.id), Array(1...200))
        XCTAssertTrue(log.all.allSatisfy(\.ok))
        XCTAssertEqual(log.issues, [])
        XCTAssertEqual(durableEntryIndexes(fs), Set(1...200))
        fs.crash()
        let state = try NodeStorage(directory: directory, fileSystem: fs).recovered
        XCTAssertEqual(state.entries.count, 200)
        XCTAssertEqual(state.hardState.commit, 100)
    }

    /// Writes made on the caller's thread while storage is idle and writes handed to the writer
    /// thread interleave: each is durable before it completes, and they complete, and are
    /// recovered, in the order they were made.
    func testWritesMadeHereAndSubmittedCompleteInOrder() throws {
        let controlled = ControlledFileSystem()
        controlled.syncDelayMicroseconds = 300
        let storage = try NodeStorage(directory: directory, fileSystem: controlled, options: StorageOptions(segmentBytes: 8 << 10))
        let writer = GroupCommitWriter(storage: storage)
        let log = CompletionLog()
        var writtenHere = 0
        var submitted = 0
        for id in 1...300 as ClosedRange<UInt64> {
            log.done.enter()
            let write = Self.numberedWrite(id)
            let completion = Self.recordingDurability(of: id, in: controlled.inner, directory: directory, to: log)
            if id % 3 != 0, writer.writeHereIfIdle(write, completion: completion) {
                writtenHere += 1
            } else {
                writer.submit(write, completion: completion)
                submitted += 1
            }
            if id % 7 == 0 { usleep(1_000) }
        }
        XCTAssertEqual(log.done.wait(timeout: .now() + 20), .success)
        writer.stop()

        XCTAssertEqual(log.all.map(\.id), Array(1...300), "completions out of order")
        XCTAssertTrue(log.all.allSatisfy(\.ok))
        XCTAssertEqual(log.issues, [])
        XCTAssertGreaterThan(writtenHere, 0, "no write was made on the caller's thread")
        XCTAssertGreaterThanOrEqual(submitted, 100)
        controlled.inner.crash()
        let state = try NodeStorage(directory: directory, fileSystem: controlled.inner).recovered
        XCTAssertEqual(state.entries, (1...300).map { makeEntry($0, term: 1, size: 64) })
    }

    /// While a write is queued or being written, a write is not made on the caller's thread (it
    /// would overtake the other or use storage at the same time).
    func testNoWriteIsMadeHereWhileAnotherIsPending() throws {
        let controlled = ControlledFileSystem()
        controlled.syncDelayMicroseconds = 100_000
        let storage = try NodeStorage(directory: directory, fileSystem: controlled)
        let writer = GroupCommitWriter(storage: storage)
        let log = CompletionLog()
        log.done.enter()
        writer.submit(StorageWrite(readyID: 1, entries: [makeEntry(1, term: 1)], hardState: HardState(term: 1, vote: 1, commit: 0))) { log.record(1, $0) }
        let madeHere = writer.writeHereIfIdle(StorageWrite(readyID: 2, entries: [makeEntry(2, term: 1)])) { _ in
            XCTFail("a write refused here must not complete")
        }
        XCTAssertFalse(madeHere)
        XCTAssertEqual(log.done.wait(timeout: .now() + 20), .success)
        // Write 1's completion may run before the writer thread lets go of storage: try until it has.
        log.done.enter()
        let deadline = Date().addingTimeInterval(10)
        while !writer.writeHereIfIdle(StorageWrite(readyID: 2, entries: [makeEntry(2, term: 1)]), completion: { log.record(2, $0) }) {
            guard Date() < deadline else { return XCTFail("storage stayed busy after the only other write completed") }
            usleep(1_000)
        }
        XCTAssertEqual(log.done.wait(timeout: .now() + 20), .success)
        writer.stop()
        XCTAssertEqual(log.all.map(\.id), [1, 2])
        XCTAssertEqual(writer.syncs, 2)
    }

    func testAWriteWithNothingInItCostsNoFdatasync() async throws {
        let fs = InMemoryFileSystem()
        let writer = GroupCommitWriter(storage: try NodeStorage(directory: directory, fileSystem: fs))
        _ = try await writer.persist(StorageWrite(readyID: 1, entries: [makeEntry(1, term: 1)], hardState: HardState(term: 1, vote: 2, commit: 0)))
        let syncs = fs.syncCount
        // An answer that must wait for earlier writes but adds nothing of its own (a commit index
        // alone is not written) still goes through the writer, in order.
        let empty = try await writer.persist(StorageWrite(readyID: 2, entries: []))
        XCTAssertEqual(empty.readyID, 2)
        XCTAssertEqual(fs.syncCount, syncs, "nothing new to make durable")
        _ = try await writer.persist(StorageWrite(readyID: 3, entries: [makeEntry(2, term: 1)]))
        XCTAssertEqual(fs.syncCount, syncs + 1)
        XCTAssertEqual(durableEntryIndexes(fs), [1, 2])
        writer.stop()
    }

    func testPersistReturnsTheProofOfItsWrite() async throws {
        let fs = InMemoryFileSystem()
        let writer = GroupCommitWriter(storage: try NodeStorage(directory: directory, fileSystem: fs))
        let first = try await writer.persist(StorageWrite(readyID: 7, entries: [makeEntry(1, term: 1)], hardState: HardState(term: 1, vote: 2, commit: 0)))
        XCTAssertEqual(first.readyID, 7)
        let second = try await writer.persist(StorageWrite(readyID: 8, entries: [makeEntry(2, term: 1)]))
        XCTAssertEqual(second.readyID, 8)
        XCTAssertEqual(durableEntryIndexes(fs), [1, 2])
        fs.failSyncs()
        do {
            _ = try await writer.persist(StorageWrite(readyID: 9, entries: [makeEntry(3, term: 1)]))
            XCTFail("persist succeeded although fsync failed")
        } catch {
            guard case .io(_, _, 5) = error else { return XCTFail("expected EIO, got \(error)") }
        }
        writer.stop()
    }

    func testAfterASyncFailureEveryLaterCompletionFails() throws {
        let controlled = ControlledFileSystem()
        controlled.syncDelayMicroseconds = 1_000
        let storage = try NodeStorage(directory: directory, fileSystem: controlled)
        let writer = GroupCommitWriter(storage: storage)
        let log = CompletionLog()
        submitConcurrently(writer, fs: controlled.inner, log: log, ids: 1...40, threads: 4)
        XCTAssertEqual(log.done.wait(timeout: .now() + 20), .success)
        XCTAssertTrue(log.all.allSatisfy(\.ok))

        controlled.inner.failSyncs()
        submitConcurrently(writer, fs: controlled.inner, log: log, ids: 41...140, threads: 4)
        XCTAssertEqual(log.done.wait(timeout: .now() + 20), .success)
        // Later submissions fail at once with `.failed`, even once the disk works again.
        controlled.inner.clearFaults()
        log.done.enter()
        writer.submit(StorageWrite(readyID: 141, entries: [makeEntry(141, term: 1)])) { log.record(141, $0) }
        XCTAssertEqual(log.done.wait(timeout: .now() + 20), .success)
        writer.stop()

        let results = log.all
        XCTAssertEqual(results.map(\.id), Array(1...141))
        XCTAssertTrue(results[..<40].allSatisfy(\.ok))
        XCTAssertTrue(results[40...].allSatisfy { !$0.ok }, "a write completed successfully after the sync failure: \(results[40...].filter(\.ok).map(\.id))")
        guard case .io(_, _, 5)? = results[40].error else { return XCTFail("the first failure is not the EIO: \(String(describing: results[40].error))") }
        guard case .failed? = results[140].error else { return XCTFail("a write after the failure is not refused with .failed: \(String(describing: results[140].error))") }
        XCTAssertEqual(log.issues, [])

        // Restart: everything acknowledged is there; unacknowledged whole records may be too.
        controlled.inner.crash()
        let state = try NodeStorage(directory: directory, fileSystem: controlled.inner).recovered
        XCTAssertEqual(Array(state.entries.prefix(40)), (1...40).map { makeEntry($0, term: 1, size: 64) })
        XCTAssertEqual(state.entries, (1...LogIndex(state.entries.count)).map { makeEntry($0, term: 1, size: 64) })
    }

    func testWriteQueuedBehindAFailedHardStateWriteFails() throws {
        let controlled = ControlledFileSystem()
        let storage = try NodeStorage(directory: directory, fileSystem: controlled)
        let writer = GroupCommitWriter(storage: storage)
        let log = CompletionLog()
        log.done.enter()
        writer.submit(StorageWrite(readyID: 1, entries: [makeEntry(1, term: 1)], hardState: HardState(term: 1, vote: 1, commit: 0))) { log.record(1, $0) }
        XCTAssertEqual(log.done.wait(timeout: .now() + 20), .success)

        // Write 2 (a new term) fails with ENOSPC while writing the hard state; write 3 is queued
        // meanwhile, and the disk has room again when its batch is written.
        let inHardStateWrite = DispatchSemaphore(value: 0)
        let proceed = DispatchSemaphore(value: 0)
        let inner = controlled.inner
        controlled.onOperation = { operation in
            if operation.hasPrefix("open") && operation.hasSuffix("hardstate.tmp") {
                inHardStateWrite.signal()
                proceed.wait()
            }
            if operation.hasPrefix("append") && operation.hasSuffix(".wal") { inner.clearFaults() }
        }
        inner.failWrites(after: 0)
        log.done.enter()
        writer.submit(StorageWrite(readyID: 2, entries: [makeEntry(2, term: 2)], hardState: HardState(term: 2, vote: noNode, commit: 1))) { log.record(2, $0) }
        XCTAssertEqual(inHardStateWrite.wait(timeout: .now() + 20), .success)
        log.done.enter()
        writer.submit(StorageWrite(readyID: 3, entries: [makeEntry(3, term: 2)])) { log.record(3, $0) }
        proceed.signal()
        XCTAssertEqual(log.done.wait(timeout: .now() + 20), .success)
        controlled.onOperation = nil
        writer.stop()

        let results = log.all
        XCTAssertEqual(results.map(\.id), [1, 2, 3])
        XCTAssertFalse(results[1].ok, "the write whose hard state hit ENOSPC succeeded")
        XCTAssertFalse(results[2].ok, "write 3 was acknowledged after write 2 failed")

        // Whatever was acknowledged, the node starts again.
        inner.crash()
        do {
            let state = try NodeStorage(directory: directory, fileSystem: inner).recovered
            XCTAssertEqual(state.entries.first, makeEntry(1, term: 1))
        } catch {
            XCTFail("after ENOSPC on the hard state, the node refuses to start: \(error)")
        }
    }

    /// A snapshot is taken and written off the writer thread: a log write completes while the
    /// snapshot is still being taken; once saved, the snapshot is in place and its log released.
    func testWritesAreNotHeldUpByASnapshotBeingTaken() throws {
        let fs = InMemoryFileSystem()
        let storage = try NodeStorage(directory: directory, fileSystem: fs, options: StorageOptions(segmentBytes: 1 << 10))
        let writer = GroupCommitWriter(storage: storage)
        let log = CompletionLog()
        // One write at a time, so that each batch is small and the log spans many segments.
        for id in 1...100 as ClosedRange<UInt64> {
            log.done.enter()
            writer.submit(StorageWrite(readyID: id, entries: [makeEntry(id, term: 1, size: 64)], hardState: HardState(term: 1, vote: 1, commit: id))) {
                log.record(id, $0)
            }
            XCTAssertEqual(log.done.wait(timeout: .now() + 20), .success)
        }
        let segmentsBefore = storage.segmentCount

        let taking = DispatchSemaphore(value: 0)
        let finishTaking = DispatchSemaphore(value: 0)
        let saved = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var outcome: Result<Snapshot, StorageError>?
        writer.saveSnapshot({
            taking.signal()
            finishTaking.wait()
            return makeSnapshot(index: 80, term: 1)
        }, completion: {
            outcome = $0
            saved.signal()
        })
        XCTAssertEqual(taking.wait(timeout: .now() + 20), .success)
        log.done.enter()
        writer.submit(StorageWrite(readyID: 101, entries: [makeEntry(101, term: 1, size: 64)])) { log.record(101, $0) }
        XCTAssertEqual(log.done.wait(timeout: .now() + 10), .success, "a log write waited for the snapshot being taken")
        finishTaking.signal()
        XCTAssertEqual(saved.wait(timeout: .now() + 20), .success)
        XCTAssertEqual(try outcome?.get().index, 80)
        writer.stop()
        XCTAssertLessThan(storage.segmentCount, segmentsBefore, "the log the snapshot covers was not released")

        fs.crash()
        let state = try NodeStorage(directory: directory, fileSystem: fs).recovered
        XCTAssertEqual(state.snapshot?.index, 80)
        XCTAssertEqual(state.entries.map(\.index), Array(81...101))
    }
}
