import Foundation
import XCTest
import RaftEngine
@testable import RaftStorage

// MARK: Entries

/// An entry whose payload is derived from its index and term, with a size that varies by index.
func makeEntry(_ index: LogIndex, term: Term, size: Int? = nil) -> Entry {
    let count = size ?? (Int(index % 7) * 13 + 5)
    let seed = Int(truncatingIfNeeded: index &* 31 &+ term &* 7)
    return Entry(term: term, index: index, data: (0..<count).map { UInt8(truncatingIfNeeded: seed &+ $0 &* 3) })
}

/// Consecutive entries of one term.
func makeEntries(_ indexes: ClosedRange<LogIndex>, term: Term, size: Int? = nil) -> [Entry] {
    indexes.map { makeEntry($0, term: term, size: size) }
}

/// A snapshot image whose data is derived from its index and term.
func makeSnapshot(index: LogIndex, term: Term) -> Snapshot {
    Snapshot(index: index, term: term, data: Array("state machine at \(index)/\(term)".utf8))
}

// MARK: The reference model

/// A position in the log: an index and the term of the entry there.
struct LogPoint: Hashable {
    var index: LogIndex
    var term: Term
}

/// The contents of the hard-state file.
struct TermVote: Hashable {
    var term: Term
    var vote: NodeID
}

/// What the write-ahead log describes after some records: entries (after overwrites), the commit
/// index and the snapshot the log was last reset to.
struct LogModel: Hashable {
    var base: LogPoint?
    var entries: [Entry] = []
    var commit: LogIndex = 0

    var lastIndex: LogIndex { entries.last?.index ?? base?.index ?? 0 }

    /// Appends an entry, first dropping any entries at or after its index (a follower's overwrite).
    mutating func append(_ entry: Entry) {
        if let first = entries.first, entry.index < first.index {
            entries.removeAll()
        } else if entry.index <= lastIndex, !entries.isEmpty {
            entries.removeLast(Int(lastIndex - entry.index + 1))
        }
        precondition(entry.index == lastIndex + 1 || entries.isEmpty, "test workload appends a gap at \(entry.index)")
        entries.append(entry)
    }

    /// The log is replaced by a snapshot.
    mutating func reset(to snapshot: Snapshot) {
        entries.removeAll()
        base = LogPoint(index: snapshot.index, term: snapshot.term)
        commit = max(commit, snapshot.index)
    }
}

/// The state a node must restore from a snapshot file, a hard-state file and a log: the entries
/// after the snapshot when the log continues it (the entry at the snapshot's index has the
/// snapshot's term), none otherwise (Raft's rule for installing a snapshot).
func expectedRecovery(term: Term, vote: NodeID, snapshot: Snapshot?, log: LogModel) -> PersistentState {
    var entries = log.entries
    if let snapshot, let first = entries.first, first.index <= snapshot.index {
        let position = Int(snapshot.index - first.index)
        if position < entries.count && entries[position].term == snapshot.term {
            entries.removeFirst(position + 1)
        } else {
            entries = []
        }
    }
    let commit = max(log.commit, snapshot?.index ?? 0)
    return PersistentState(hardState: HardState(term: term, vote: vote, commit: commit), snapshot: snapshot, entries: entries)
}

/// A short description of a recovered state: hard state, snapshot and entries as runs of one term.
func summary(_ state: PersistentState) -> String {
    var runs: [String] = []
    var start: Entry?
    var previous: Entry?
    for entry in state.entries {
        let continues = previous.map { entry.term == $0.term && entry.index == $0.index + 1 } ?? false
        if !continues {
            if let first = start, let last = previous { runs.append("\(first.index)-\(last.index)@\(last.term)") }
            start = entry
        }
        previous = entry
    }
    if let first = start, let last = previous { runs.append("\(first.index)-\(last.index)@\(last.term)") }
    let snapshot = state.snapshot.map { "\($0.index)@\($0.term)" } ?? "none"
    let hard = state.hardState
    return "term \(hard.term) vote \(hard.vote) commit \(hard.commit) snapshot \(snapshot) entries [\(runs.joined(separator: ", "))]"
}

// MARK: Driving storage while tracking what was acknowledged

/// Collects the lines storage logs.
final class LogLines: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []

    var lines: [String] { lock.withLock { stored } }

    func append(_ line: String) { lock.withLock { stored.append(line) } }

    func contains(_ text: String) -> Bool { lines.contains { $0.contains(text) } }
}

/// Drives a `NodeStorage` and tracks, record by record, what it was asked to write, what reached
/// the file system (flushed) and what a successful sync acknowledged. After a crash, recovery may
/// produce the state after any record between the acknowledged one and the last flushed one, with
/// the hard state and snapshot that were durable (or, when their write failed, either version).
final class StorageTracker {
    let fileSystem: any FileSystem
    let directory: String
    let options: StorageOptions
    let logLines = LogLines()
    private(set) var storage: NodeStorage
    /// `states[k]` is the log after the first k records written since the last (re)open.
    private(set) var states: [LogModel] = []
    private(set) var synced = 0
    private(set) var flushed = 0
    private var commitWritten: LogIndex = 0
    private(set) var hardChoices: [TermVote] = []
    private(set) var snapshotChoices: [Snapshot?] = []
    private var nextReadyID: UInt64 = 1

    init(fileSystem: any FileSystem, directory: String = "/data/node-1", options: StorageOptions = StorageOptions()) throws {
        self.fileSystem = fileSystem
        self.directory = directory
        self.options = options
        let lines = logLines
        storage = try NodeStorage(directory: directory, fileSystem: fileSystem, options: options, log: { lines.append($0) })
        rebase(on: storage.recovered)
    }

    /// The node's current term and vote as last written.
    var term: Term { hardChoices.last!.term }
    var vote: NodeID { hardChoices.last!.vote }
    /// The last index of the log as written (acknowledged or not).
    var lastIndex: LogIndex { states.last!.lastIndex }
    var currentSnapshot: Snapshot? { snapshotChoices.last! }

    /// The state an acknowledged-only recovery yields.
    var acknowledged: PersistentState {
        expectedRecovery(term: term, vote: vote, snapshot: currentSnapshot, log: states[synced])
    }

    /// The states an acknowledged-only recovery may yield: one per hard state that may be durable.
    var acknowledgedStates: [PersistentState] {
        hardChoices.flatMap { hard in
            snapshotChoices.map { expectedRecovery(term: hard.term, vote: hard.vote, snapshot: $0, log: states[synced]) }
        }
    }

    /// The state recovery yields when every written record survives.
    var written: PersistentState {
        expectedRecovery(term: term, vote: vote, snapshot: currentSnapshot, log: states.last!)
    }

    /// Every state recovery may produce now.
    var allowedStates: [PersistentState] {
        var result: [PersistentState] = []
        for hard in hardChoices {
            for snapshot in snapshotChoices {
                for position in synced...flushed {
                    result.append(expectedRecovery(term: hard.term, vote: hard.vote, snapshot: snapshot, log: states[position]))
                }
            }
        }
        return result
    }

    private func rebase(on state: PersistentState) {
        states = [LogModel(base: state.snapshot.map { LogPoint(index: $0.index, term: $0.term) },
                           entries: state.entries, commit: state.hardState.commit)]
        synced = 0
        flushed = 0
        commitWritten = state.hardState.commit
        hardChoices = [TermVote(term: state.hardState.term, vote: state.hardState.vote)]
        snapshotChoices = [state.snapshot]
    }

    /// Writes one Ready's state.
    func write(snapshot: Snapshot? = nil, entries: [Entry] = [], hardState: HardState? = nil) throws(StorageError) {
        var model = states.last!
        var added: [LogModel] = []
        var commitAfter = commitWritten
        if let snapshot {
            model.reset(to: snapshot)
            added.append(model)
            commitAfter = max(commitAfter, snapshot.index)
        }
        for entry in entries {
            model.append(entry)
            added.append(model)
        }
        if let hardState, hardState.commit > commitAfter {
            model.commit = max(model.commit, hardState.commit)
            added.append(model)
            commitAfter = hardState.commit
        }
        let write = StorageWrite(readyID: nextReadyID, snapshot: snapshot, entries: entries, hardState: hardState)
        nextReadyID += 1
        let newHard = hardState.map { TermVote(term: $0.term, vote: $0.vote) }
        do {
            try storage.write(write)
        } catch {
            states += added
            commitWritten = commitAfter
            if let snapshot { snapshotChoices.append(snapshot) }
            if let newHard, newHard != hardChoices.last { hardChoices.append(newHard) }
            throw error
        }
        states += added
        commitWritten = commitAfter
        if let snapshot { snapshotChoices = [snapshot] }
        if let newHard { hardChoices = [newHard] }
    }

    /// Appends entries of the current term, continuing the log.
    func append(_ count: Int, term entryTerm: Term? = nil, size: Int? = nil, commit: LogIndex? = nil) throws(StorageError) {
        let first = lastIndex + 1
        let entries = makeEntries(first...(first + LogIndex(count) - 1), term: entryTerm ?? term, size: size)
        try write(entries: entries, hardState: commit.map { HardState(term: term, vote: vote, commit: $0) })
    }

    func flush() throws(StorageError) {
        do {
            try storage.flush()
        } catch {
            flushed = states.count - 1
            throw error
        }
        flushed = states.count - 1
    }

    func sync() throws(StorageError) {
        do {
            try storage.sync()
        } catch {
            flushed = states.count - 1
            throw error
        }
        flushed = states.count - 1
        synced = flushed
    }

    func saveSnapshot(_ snapshot: Snapshot) throws(StorageError) {
        do {
            try storage.saveSnapshot(snapshot)
        } catch {
            snapshotChoices.append(snapshot)
            throw error
        }
        snapshotChoices = [snapshot]
    }

    /// Closes the storage and opens it again (after a crash, or not), failing the test unless the
    /// recovered state is one of `allowedStates`. From then on the recovered state is the baseline.
    @discardableResult
    func reopen(file: StaticString = #filePath, line: UInt = #line) throws(StorageError) -> PersistentState {
        storage.close()
        let allowed = allowedStates
        let lines = logLines
        storage = try NodeStorage(directory: directory, fileSystem: fileSystem, options: options, log: { lines.append($0) })
        let recovered = storage.recovered
        if !allowed.contains(recovered) {
            let expected = allowed.map(summary).joined(separator: "\n  ")
            XCTFail("recovered \(summary(recovered))\nwhich is none of the allowed states:\n  \(expected)", file: file, line: line)
        }
        rebase(on: recovered)
        return recovered
    }

    func close() { storage.close() }

    /// A known workload, acknowledged step by step: entries with payloads of varied sizes, term and
    /// vote changes, commits, a follower overwriting a suffix, an application snapshot that releases
    /// segments and a leader's snapshot that replaces the log. Ends synced at term 4, snapshot 63,
    /// entries 64...75, commit 70.
    func runStandardWorkload() throws(StorageError) {
        try write(entries: makeEntries(1...12, term: 1), hardState: HardState(term: 1, vote: 1, commit: 0))
        try sync()
        try write(entries: makeEntries(13...20, term: 1), hardState: HardState(term: 1, vote: 1, commit: 8))
        try sync()
        try write(hardState: HardState(term: 2, vote: 3, commit: 8))
        try write(entries: makeEntries(21...30, term: 2), hardState: HardState(term: 2, vote: 3, commit: 20))
        try flush()
        try sync()
        // A new leader of term 3 overwrites the uncommitted suffix 26...30.
        try write(entries: makeEntries(26...28, term: 3), hardState: HardState(term: 3, vote: noNode, commit: 25))
        try sync()
        try saveSnapshot(makeSnapshot(index: 18, term: 1))
        try write(entries: makeEntries(29...40, term: 3), hardState: HardState(term: 3, vote: noNode, commit: 35))
        try sync()
        // A leader of term 4 sends a snapshot that replaces the whole log.
        try write(snapshot: makeSnapshot(index: 60, term: 4), hardState: HardState(term: 4, vote: noNode, commit: 60))
        try write(entries: makeEntries(61...66, term: 4))
        try sync()
        try saveSnapshot(makeSnapshot(index: 63, term: 4))
        try write(entries: makeEntries(67...75, term: 4), hardState: HardState(term: 4, vote: noNode, commit: 70))
        try sync()
    }
}

/// The state the standard workload leaves acknowledged.
let standardWorkloadResult = PersistentState(
    hardState: HardState(term: 4, vote: noNode, commit: 70),
    snapshot: makeSnapshot(index: 63, term: 4),
    entries: makeEntries(64...75, term: 4)
)

// MARK: Looking at the files

/// Paths of the log segments of a node directory, in sequence order.
func segmentPaths(_ fileSystem: any FileSystem, directory: String) throws -> [String] {
    let wal = joinPath(directory, "wal")
    return try fileSystem.listDirectory(wal).filter { $0.hasSuffix(".wal") }.sorted().map { joinPath(wal, $0) }
}

/// Paths of the snapshot files of a node directory, newest first.
func snapshotPaths(_ fileSystem: any FileSystem, directory: String) throws -> [String] {
    let snapshots = joinPath(directory, "snapshots")
    return try fileSystem.listDirectory(snapshots).filter { $0.hasSuffix(".snap") }.sorted(by: >).map { joinPath(snapshots, $0) }
}

/// One complete record found in a segment.
struct RecordInfo {
    var offset: Int
    var size: Int
    var record: WALRecord

    var entryIndex: LogIndex? {
        if case .entry(let entry) = record { return entry.index }
        return nil
    }
}

/// The complete, valid records of a segment's bytes, in order.
func records(in bytes: [UInt8]) -> [RecordInfo] {
    var result: [RecordInfo] = []
    var offset = WALSegment.headerSize
    while offset < bytes.count, case .record(let record, let size) = WALRecord.read(bytes, at: offset) {
        result.append(RecordInfo(offset: offset, size: size, record: record))
        offset += size
    }
    return result
}

/// The encoded bytes of one record.
func encoded(_ record: WALRecord) -> [UInt8] {
    var writer = ByteWriter()
    record.encode(into: &writer)
    return writer.bytes
}

// MARK: Assertions

/// What a `.corrupt` error must say about the log index.
enum IndexExpectation {
    case any
    case none
    case some(LogIndex)
}

/// Fails unless `body` throws `StorageError.corrupt` for `path` (and `offset` and `index` when
/// given) whose description names the file, the byte offset, the index and `--rebuild`.
@discardableResult
func assertCorrupt<T>(
    path: String, offset: Int? = nil, index: IndexExpectation = .any,
    _ body: () throws(StorageError) -> T, file: StaticString = #filePath, line: UInt = #line
) -> StorageError? {
    do {
        _ = try body()
        XCTFail("expected StorageError.corrupt for \(path), nothing was thrown", file: file, line: line)
        return nil
    } catch {
        guard case .corrupt(let gotPath, let gotOffset, let gotIndex, _) = error else {
            XCTFail("expected StorageError.corrupt for \(path), got \(error)", file: file, line: line)
            return error
        }
        XCTAssertEqual(gotPath, path, "\(error)", file: file, line: line)
        if let offset { XCTAssertEqual(gotOffset, offset, "\(error)", file: file, line: line) }
        switch index {
        case .any: break
        case .none: XCTAssertNil(gotIndex, "\(error)", file: file, line: line)
        case .some(let expected): XCTAssertEqual(gotIndex, expected, "\(error)", file: file, line: line)
        }
        let text = error.description
        XCTAssertTrue(text.contains(gotPath), "description does not name the file: \(text)", file: file, line: line)
        XCTAssertTrue(text.contains("at byte \(gotOffset)"), "description does not name the offset: \(text)", file: file, line: line)
        if let gotIndex {
            XCTAssertTrue(text.contains("log index \(gotIndex)"), "description does not name the index: \(text)", file: file, line: line)
        }
        XCTAssertTrue(text.contains("--rebuild"), "description does not mention --rebuild: \(text)", file: file, line: line)
        return error
    }
}

/// Fails unless `body` throws `StorageError.failed`.
func assertFailedState<T>(_ body: () throws(StorageError) -> T, file: StaticString = #filePath, line: UInt = #line) {
    do {
        _ = try body()
        XCTFail("expected StorageError.failed, nothing was thrown", file: file, line: line)
    } catch {
        guard case .failed = error else {
            XCTFail("expected StorageError.failed, got \(error)", file: file, line: line)
            return
        }
    }
}

/// Fails unless `body` throws `StorageError.io` with `errno`.
func assertIOError<T>(errno code: Int32, _ body: () throws(StorageError) -> T, file: StaticString = #filePath, line: UInt = #line) {
    do {
        _ = try body()
        XCTFail("expected an I/O error \(code), nothing was thrown", file: file, line: line)
    } catch {
        guard case .io(_, _, let got) = error, got == code else {
            XCTFail("expected an I/O error with errno \(code), got \(error)", file: file, line: line)
            return
        }
    }
}

// MARK: A file system that stops at a chosen operation

/// Wraps an `InMemoryFileSystem` and numbers the operations that change files (directory
/// creation, opening, appends, syncs, removals, renames, directory syncs, truncation). Once
/// `stopAfter` operations have run, every further one throws EIO without effect: the machine lost
/// power there, and the test calls `crash` on the inner file system. `syncDelayMicroseconds` slows
/// every file sync down, so that writers queue up behind it; `onOperation` lets a test act at a
/// chosen operation.
final class ControlledFileSystem: FileSystem, @unchecked Sendable {
    let inner: InMemoryFileSystem
    private let lock = NSLock()
    private var performed: [String] = []
    private var limit: Int?
    private var delay: UInt32 = 0
    private var observer: (@Sendable (String) -> Void)?

    init(_ inner: InMemoryFileSystem = InMemoryFileSystem()) {
        self.inner = inner
    }

    /// The operations performed so far, as "name path" lines.
    var operations: [String] { lock.withLock { performed } }

    /// Lets `count` more operations run, then stops; nil runs everything.
    func stop(afterMore count: Int?) {
        lock.withLock { limit = count.map { performed.count + $0 } }
    }

    var syncDelayMicroseconds: UInt32 {
        get { lock.withLock { delay } }
        set { lock.withLock { delay = newValue } }
    }

    /// Called with each operation ("name path") just before it runs, on the calling thread.
    var onOperation: (@Sendable (String) -> Void)? {
        get { lock.withLock { observer } }
        set { lock.withLock { observer = newValue } }
    }

    func admit(_ operation: String, _ path: String) throws(StorageError) {
        let allowed = lock.withLock { () -> Bool in
            if let limit, performed.count >= limit { return false }
            performed.append("\(operation) \(path)")
            return true
        }
        if !allowed { throw .io(operation: "\(operation) (after power loss)", path: path, errno: 5) }
        onOperation?("\(operation) \(path)")
    }

    func createDirectory(_ path: String) throws(StorageError) {
        try admit("mkdir", path)
        try inner.createDirectory(path)
    }

    func listDirectory(_ path: String) throws(StorageError) -> [String] { try inner.listDirectory(path) }

    func fileExists(_ path: String) -> Bool { inner.fileExists(path) }

    func readFile(_ path: String) throws(StorageError) -> [UInt8] { try inner.readFile(path) }

    func openForAppend(_ path: String, create: Bool) throws(StorageError) -> any AppendableFile {
        try admit("open", path)
        return ControlledFile(fileSystem: self, file: try inner.openForAppend(path, create: create), path: path)
    }

    func openForWriting(_ path: String, at offset: Int) throws(StorageError) -> any AppendableFile {
        try admit("open", path)
        return ControlledFile(fileSystem: self, file: try inner.openForWriting(path, at: offset), path: path)
    }

    func createZeroFilled(_ path: String, size: Int, paced: Bool) throws(StorageError) {
        try admit("zero-fill", path)
        try inner.createZeroFilled(path, size: size, paced: paced)
    }

    func removeFile(_ path: String) throws(StorageError) {
        try admit("unlink", path)
        try inner.removeFile(path)
    }

    func rename(_ from: String, to: String) throws(StorageError) {
        try admit("rename", "\(from) -> \(to)")
        try inner.rename(from, to: to)
    }

    func syncDirectory(_ path: String) throws(StorageError) {
        try admit("fsyncdir", path)
        try inner.syncDirectory(path)
    }

    func truncateFile(_ path: String, to size: Int) throws(StorageError) {
        try admit("truncate", path)
        try inner.truncateFile(path, to: size)
    }
}

/// A handle of a `ControlledFileSystem`.
final class ControlledFile: AppendableFile {
    let fileSystem: ControlledFileSystem
    let file: any AppendableFile
    let path: String

    init(fileSystem: ControlledFileSystem, file: any AppendableFile, path: String) {
        self.fileSystem = fileSystem
        self.file = file
        self.path = path
    }

    var size: Int { file.size }

    func append(_ bytes: [UInt8]) throws(StorageError) {
        try fileSystem.admit("append", path)
        try file.append(bytes)
    }

    func sync() throws(StorageError) {
        try fileSystem.admit("fsync", path)
        let delay = fileSystem.syncDelayMicroseconds
        if delay > 0 { usleep(delay) }
        try file.sync()
    }

    func close() { file.close() }
}
