import RaftEngine

/// Settings of a node's storage.
public struct StorageOptions: Sendable {
    /// A log segment is closed and a new one started once it reaches this size.
    public var segmentBytes: Int
    /// Whether segments are zero-filled to `segmentBytes` before records are written into them.
    public var preallocation: SegmentPreallocation

    public init(segmentBytes: Int = 64 << 20, preallocation: SegmentPreallocation = .off) {
        self.segmentBytes = segmentBytes
        self.preallocation = preallocation
    }
}

/// One node's durable state in its own directory: `hardstate` (term and vote), `wal/` (the
/// segmented write-ahead log of entries, commit records and snapshot markers) and `snapshots/`.
///
/// Not thread-safe: one writer (see `GroupCommitWriter`) owns it.
public final class NodeStorage {
    public let directory: String
    let fileSystem: any FileSystem
    let wal: WriteAheadLog
    let snapshots: SnapshotStore
    private var term: Term
    private var vote: NodeID
    private var commitWritten: LogIndex
    private var failure: StorageError?
    private let log: (String) -> Void
    /// What the node had made durable when it was opened: pass it to `RaftNode(config:restoring:)`.
    public let recovered: PersistentState

    var walDirectory: String { joinPath(directory, "wal") }

    /// Opens (creating if needed) and recovers the storage in `directory`: the newest snapshot,
    /// then the log replayed on top of it. A torn final record is cut off and logged; any other
    /// damage throws `StorageError.corrupt` naming the file, offset and index.
    public init(directory: String, fileSystem: any FileSystem, options: StorageOptions = StorageOptions(),
                log: @escaping (String) -> Void = { _ in }) throws(StorageError) {
        self.directory = directory
        self.fileSystem = fileSystem
        self.log = log
        let walDirectory = joinPath(directory, "wal")
        try fileSystem.createDirectory(directory)
        try fileSystem.createDirectory(walDirectory)
        snapshots = SnapshotStore(directory: joinPath(directory, "snapshots"), fileSystem: fileSystem)
        let snapshot = try snapshots.loadNewest(log: log)
        let replayed = try WALReplay.replay(directory: walDirectory, fileSystem: fileSystem, log: log)
        let hard = try HardStateFile.read(directory: directory, fileSystem: fileSystem)
        let entries = try NodeStorage.entriesAfter(snapshot, replayed, walDirectory: walDirectory)
        let lastIndex = entries.last?.index ?? snapshot?.index ?? 0
        let commit = max(replayed.commit, snapshot?.index ?? 0)
        guard commit <= lastIndex else {
            throw .corrupt(path: walDirectory, offset: 0, index: commit,
                           reason: "commit index \(commit) is beyond the last entry \(lastIndex): entries are missing")
        }
        let lastTerm = entries.last?.term ?? snapshot?.term ?? 0
        guard lastTerm <= hard.term else {
            throw .corrupt(path: joinPath(directory, HardStateFile.name), offset: 0, index: lastIndex,
                           reason: "the log holds term \(lastTerm) but the hard state says term \(hard.term)")
        }
        term = hard.term
        vote = hard.vote
        commitWritten = commit
        recovered = PersistentState(hardState: HardState(term: hard.term, vote: hard.vote, commit: commit), snapshot: snapshot, entries: entries)
        wal = try WriteAheadLog(directory: walDirectory, fileSystem: fileSystem, segmentBytes: options.segmentBytes,
                                preallocation: options.preallocation, replayed: replayed, log: log)
        // A crash after a leader's snapshot file was saved but before the log recorded it: the
        // log still ends elsewhere, so record the reset now, before anything is appended after it.
        if let snapshot, entries.isEmpty, replayed.lastIndex != snapshot.index {
            log("recording the snapshot at \(snapshot.index) in the log: it replaced the log before a crash")
            do {
                try wal.append(.snapshotMarker(index: snapshot.index, term: snapshot.term))
                try wal.sync()
            } catch {
                wal.close()
                throw error
            }
        }
    }

    /// The replayed entries that follow the snapshot. A log that does not continue the snapshot
    /// (a crash after a leader's snapshot was saved but before the log was reset) is dropped, as the
    /// engine itself does when it installs a snapshot.
    private static func entriesAfter(_ snapshot: Snapshot?, _ replayed: WALContents, walDirectory: String) throws(StorageError) -> [Entry] {
        var entries = replayed.entries
        guard let snapshot else {
            if let marker = replayed.snapshotMarker {
                throw .corrupt(path: walDirectory, offset: 0, index: marker.index,
                               reason: "the log was reset to a snapshot at \(marker.index) but no snapshot file exists")
            }
            if let first = entries.first, first.index != 1 {
                throw .corrupt(path: walDirectory, offset: 0, index: first.index,
                               reason: "the log starts at index \(first.index) and there is no snapshot before it")
            }
            return entries
        }
        if let marker = replayed.snapshotMarker, marker.index > snapshot.index {
            throw .corrupt(path: walDirectory, offset: 0, index: marker.index,
                           reason: "the log was reset to a snapshot at \(marker.index) but the newest snapshot file ends at \(snapshot.index)")
        }
        guard let first = entries.first else { return [] }
        if first.index > snapshot.index + 1 {
            throw .corrupt(path: walDirectory, offset: 0, index: first.index,
                           reason: "the log starts at index \(first.index) but the snapshot ends at \(snapshot.index)")
        }
        if first.index == snapshot.index + 1 { return entries }
        let position = Int(snapshot.index - first.index)
        if position < entries.count && entries[position].term == snapshot.term {
            entries.removeFirst(position + 1)
            return entries
        }
        return []
    }

    /// Writes one Ready's state: a changed term or vote first (durable when this returns, so no
    /// file ever holds a term the hard state lacks), then the snapshot (durable when this returns),
    /// the entries and the commit index (durable only after `sync()`). After any error storage
    /// stops: this and every later call fail, so nothing written after a failure is acknowledged.
    public func write(_ write: StorageWrite) throws(StorageError) {
        if let failure { throw .failed(failure.description) }
        do {
            try writeRecords(write)
        } catch {
            failure = error
            log("storage stopped: \(error)")
            throw error
        }
    }

    private func writeRecords(_ write: StorageWrite) throws(StorageError) {
        if let hardState = write.hardState, hardState.term != term || hardState.vote != vote {
            precondition(hardState.term >= term, "durable term must not go backwards (\(term) -> \(hardState.term))")
            try HardStateFile.write(term: hardState.term, vote: hardState.vote, directory: directory, fileSystem: fileSystem)
            term = hardState.term
            vote = hardState.vote
        }
        if let snapshot = write.snapshot {
            try snapshots.save(snapshot)
            try wal.append(.snapshotMarker(index: snapshot.index, term: snapshot.term))
            commitWritten = max(commitWritten, snapshot.index)
        }
        for entry in write.entries {
            try wal.append(.entry(entry))
        }
        if let hardState = write.hardState, hardState.commit > commitWritten {
            try wal.append(.commit(hardState.commit))
            commitWritten = hardState.commit
        }
    }

    /// Passes written records to the file system without waiting for the disk (they are not
    /// durable yet; a crash may keep any prefix of them).
    public func flush() throws(StorageError) {
        if let failure { throw .failed(failure.description) }
        try wal.flush()
    }

    /// Makes every record written so far durable with one fdatasync (group commit).
    public func sync() throws(StorageError) {
        if let failure { throw .failed(failure.description) }
        try wal.sync()
    }

    /// Keeps a snapshot the application took of its own state (durable when this returns) and
    /// releases the log segments it covers.
    public func saveSnapshot(_ snapshot: Snapshot) throws(StorageError) {
        try putSnapshotInPlace(snapshot)
        try releaseLog(upTo: snapshot.index)
    }

    /// The first half of `saveSnapshot`: writes the snapshot file, durable and in place. Unlike
    /// every other method this one may run on another thread while the owner goes on writing the
    /// log; one at a time.
    public func putSnapshotInPlace(_ snapshot: Snapshot) throws(StorageError) {
        try snapshots.saveTaken(snapshot)
    }

    /// The second half of `saveSnapshot`, on the owner's thread once the snapshot is in place:
    /// releases the log segments it covers.
    public func releaseLog(upTo index: LogIndex) throws(StorageError) {
        try wal.release(upTo: index)
    }

    /// Number of log segment files in use.
    public var segmentCount: Int { wal.segmentCount }

    public func close() {
        wal.close()
    }

    /// Recovery from a damaged log (`raftd node --rebuild`): keeps the term and vote, moves the
    /// log and snapshots aside (to `wal.damaged-N` and `snapshots.damaged-N`, never deleting them)
    /// so that the node restarts empty and catches up from the leader. Safe only while the other
    /// nodes hold a healthy majority; see docs/storage.md.
    public static func rebuild(directory: String, fileSystem: any FileSystem, log: (String) -> Void = { _ in }) throws(StorageError) {
        let hard = try HardStateFile.read(directory: directory, fileSystem: fileSystem)
        var generation = 1
        while fileSystem.fileExists(joinPath(directory, "wal.damaged-\(generation)"))
                || fileSystem.fileExists(joinPath(directory, "snapshots.damaged-\(generation)")) {
            generation += 1
        }
        for name in ["wal", "snapshots"] where fileSystem.fileExists(joinPath(directory, name)) {
            let source = joinPath(directory, name)
            let aside = joinPath(directory, "\(name).damaged-\(generation)")
            try fileSystem.createDirectory(aside)
            for file in try fileSystem.listDirectory(source) {
                try fileSystem.rename(joinPath(source, file), to: joinPath(aside, file))
            }
            try fileSystem.syncDirectory(aside)
            try fileSystem.syncDirectory(source)
            log("moved the files of \(source) to \(aside)")
        }
        try fileSystem.syncDirectory(directory)
        log("rebuilt \(directory): kept term \(hard.term) and vote \(hard.vote); the node will catch up from the leader")
    }
}
