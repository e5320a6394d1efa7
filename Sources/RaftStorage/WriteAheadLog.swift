import RaftEngine

/// The append side of the segmented write-ahead log.
///
/// `append` only buffers and writes; nothing is durable until `sync()` returns, and one `sync()`
/// (one fdatasync) covers every record appended since the previous one: group commit. After any
/// write or sync error the log refuses all further work (`StorageError.failed`): the state of the
/// file after a failed write or fsync is unknown, so only a restart (which replays and cuts a torn
/// tail) may continue.
///
/// With preallocation each new segment is the zero-filled `SpareSegment`, renamed; records are
/// written over its zeros.
final class WriteAheadLog {
    let directory: String
    let fileSystem: any FileSystem
    let segmentBytes: Int
    private var file: any AppendableFile
    private var segments: [(segment: WALSegment, lastIndex: LogIndex)]
    private(set) var lastIndex: LogIndex
    private var pending = ByteWriter()
    /// True when bytes were handed to the file since the last sync.
    private var unsynced = false
    private var failure: StorageError?
    private let log: (String) -> Void
    private let spare: SpareSegment
    /// Whether records go into the current segment whitened: false only when it was opened as an
    /// existing segment of format version 1.
    private var whitenPayloads = true

    /// Opens the log after replay, appending to its last segment (creating the first one if none,
    /// zero-filled unless preallocation is off).
    init(directory: String, fileSystem: any FileSystem, segmentBytes: Int, preallocation: SegmentPreallocation,
         replayed: WALContents, log: @escaping (String) -> Void) throws(StorageError) {
        self.directory = directory
        self.fileSystem = fileSystem
        self.segmentBytes = segmentBytes
        self.log = log
        self.lastIndex = replayed.lastIndex
        spare = SpareSegment(directory: directory, size: segmentBytes, fileSystem: fileSystem, mode: preallocation, log: log)
        do {
            try spare.discardLeftover()
            if let last = replayed.segments.last {
                self.segments = replayed.segments
                self.file = try fileSystem.openForWriting(joinPath(directory, last.segment.fileName), at: replayed.lastSegmentEnd)
                self.whitenPayloads = replayed.lastSegmentWhitened
            } else {
                let first = WALSegment(sequence: 1, firstIndex: replayed.lastIndex + 1)
                spare.prepare(urgent: true)
                spare.waitUntilPrepared()
                self.file = try WriteAheadLog.createSegment(first, directory: directory, fileSystem: fileSystem, spare: spare)
                self.segments = [(first, replayed.lastIndex)]
            }
        } catch {
            spare.stop()
            throw error
        }
        spare.prepare()
    }

    /// Creates a segment, from the spare when it is ready, and makes it durable with its header.
    private static func createSegment(_ segment: WALSegment, directory: String, fileSystem: any FileSystem,
                                      spare: SpareSegment) throws(StorageError) -> any AppendableFile {
        let path = joinPath(directory, segment.fileName)
        let file: any AppendableFile
        if spare.take() {
            try fileSystem.rename(spare.path, to: path)
            file = try fileSystem.openForWriting(path, at: 0)
        } else {
            file = try fileSystem.openForAppend(path, create: true)
        }
        try file.append(segment.header)
        try file.sync()
        try fileSystem.syncDirectory(directory)
        return file
    }

    func append(_ record: WALRecord) throws(StorageError) {
        if let failure { throw .failed(failure.description) }
        record.encode(into: &pending, whitened: whitenPayloads)
        switch record {
        case .entry(let entry): lastIndex = entry.index
        case .snapshotMarker(let index, _): lastIndex = index
        case .commit: break
        }
        segments[segments.count - 1].lastIndex = lastIndex
    }

    /// Hands the appended records to the file system in one write, without waiting for the disk.
    func flush() throws(StorageError) {
        if let failure { throw .failed(failure.description) }
        guard !pending.bytes.isEmpty else { return }
        do {
            try file.append(pending.bytes)
            pending = ByteWriter()
            unsynced = true
        } catch {
            stop(error)
            throw error
        }
    }

    /// Writes what was appended and makes it durable with one fdatasync (none when nothing was
    /// written since the last one); rolls to a new segment when the current one is full.
    func sync() throws(StorageError) {
        try flush()
        guard unsynced else { return }
        do {
            try file.sync()
            unsynced = false
            if file.size >= segmentBytes { try roll() }
        } catch {
            stop(error)
            throw error
        }
    }

    private func stop(_ error: StorageError) {
        failure = error
        log("write-ahead log stopped: \(error)")
    }

    /// Starts the next segment, first cutting the full one to its records (a zero-filled segment
    /// may hold zeros past them when `segmentBytes` was lowered), so that only the last segment
    /// ever ends in zeros.
    private func roll() throws(StorageError) {
        try fileSystem.truncateFile(joinPath(directory, segments.last!.segment.fileName), to: file.size)
        let next = WALSegment(sequence: segments.last!.segment.sequence + 1, firstIndex: lastIndex + 1)
        let newFile = try WriteAheadLog.createSegment(next, directory: directory, fileSystem: fileSystem, spare: spare)
        file.close()
        file = newFile
        whitenPayloads = true
        segments.append((next, lastIndex))
        spare.prepare()
    }

    /// Deletes whole segments that hold only entries at or below `index` (a durable snapshot covers
    /// them). The segment being written is never deleted.
    func release(upTo index: LogIndex) throws(StorageError) {
        var removed = false
        while segments.count > 1, segments[0].lastIndex <= index {
            try fileSystem.removeFile(joinPath(directory, segments[0].segment.fileName))
            segments.removeFirst()
            removed = true
        }
        if removed { try fileSystem.syncDirectory(directory) }
    }

    var segmentCount: Int { segments.count }

    func close() {
        spare.stop()
        file.close()
    }
}
