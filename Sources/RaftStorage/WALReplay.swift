import RaftEngine

/// What replaying the write-ahead log found.
struct WALContents {
    /// Entries in index order, contiguous (after overwrites and snapshot markers are applied).
    var entries: [Entry] = []
    var commit: LogIndex = 0
    /// The latest snapshot marker: the log was replaced by a snapshot ending here.
    var snapshotMarker: (index: LogIndex, term: Term)?
    /// Segments in sequence order, with the highest entry index each holds (0 if none).
    var segments: [(segment: WALSegment, lastIndex: LogIndex)] = []
    /// Where the records of the last segment end: the next record goes there.
    var lastSegmentEnd = 0
    /// Whether the last segment's format whitens record payloads (version 2 on).
    var lastSegmentWhitened = true

    var lastIndex: LogIndex { entries.last?.index ?? snapshotMarker?.index ?? 0 }

    mutating func apply(_ record: WALRecord, path: String, offset: Int) throws(StorageError) {
        switch record {
        case .entry(let entry):
            if let first = entries.first {
                guard entry.index <= lastIndex + 1 else {
                    throw .corrupt(path: path, offset: offset, index: entry.index,
                                   reason: "entry \(entry.index) follows entry \(lastIndex): entries are missing")
                }
                if entry.index < first.index {
                    entries.removeAll()
                } else if entry.index <= lastIndex {
                    entries.removeLast(Int(lastIndex - entry.index + 1))
                }
            } else if let marker = snapshotMarker, entry.index != marker.index + 1 {
                throw .corrupt(path: path, offset: offset, index: entry.index,
                               reason: "entry \(entry.index) does not follow the snapshot at \(marker.index)")
            }
            entries.append(entry)
        case .commit(let index):
            commit = max(commit, index)
        case .snapshotMarker(let index, let term):
            entries.removeAll()
            snapshotMarker = (index, term)
            commit = max(commit, index)
        }
    }
}

/// Reads every segment in order and rebuilds the log.
///
/// A segment's records end where its file ends or, in the last segment, where only zeros follow
/// (the unwritten rest of a zero-filled segment; a roll cuts the segment before it to its
/// records). In the last segment, a write that a crash interrupted was never acknowledged, so it
/// is cut off (and logged): a record that runs past the end of the file, or a damaged record
/// holding a disk sector of zeros (the disk writes sectors whole, and one of them never arrived;
/// payloads are whitened, so a complete record holds no such run). Anything else that is wrong (a
/// checksum mismatch, an incomplete record before the end, zeros in a segment that is not the
/// last, a missing or misnumbered segment, a bad header) is damage, and replay refuses with the
/// file, offset and index.
enum WALReplay {
    static func replay(directory: String, fileSystem: any FileSystem, log: (String) -> Void) throws(StorageError) -> WALContents {
        var contents = WALContents()
        let names = try fileSystem.listDirectory(directory)
        var segments = names.compactMap(WALSegment.init(fileName:)).sorted { $0.sequence < $1.sequence }
        for (position, segment) in segments.enumerated() where position > 0 {
            let previous = segments[position - 1]
            if segment.sequence != previous.sequence + 1 {
                throw .corrupt(path: joinPath(directory, segment.fileName), offset: 0, index: segment.firstIndex,
                               reason: "segment \(previous.sequence + 1) is missing (found \(previous.sequence) then \(segment.sequence))")
            }
        }
        // A crash while creating a new segment can leave it without a complete header.
        if let last = segments.last {
            let path = joinPath(directory, last.fileName)
            let bytes = try fileSystem.readFile(path)
            if last.headerIsUnfinished(bytes) && segments.count > 1 {
                log("removing incomplete new log segment \(path) (\(bytes.count) bytes): interrupted while it was created")
                try fileSystem.removeFile(path)
                try fileSystem.syncDirectory(directory)
                segments.removeLast()
            }
        }
        for (position, segment) in segments.enumerated() {
            let isLast = position == segments.count - 1
            let path = joinPath(directory, segment.fileName)
            let bytes = try fileSystem.readFile(path)
            if let problem = segment.validateHeader(bytes) {
                if isLast && segment.headerIsUnfinished(bytes) && segments.count == 1 {
                    log("rewriting incomplete header of \(path): interrupted while it was created")
                    try fileSystem.truncateFile(path, to: 0)
                    let file = try fileSystem.openForAppend(path, create: false)
                    try file.append(segment.header)
                    try file.sync()
                    file.close()
                    contents.segments.append((segment, contents.lastIndex))
                    contents.lastSegmentEnd = WALSegment.headerSize
                    contents.lastSegmentWhitened = true
                    continue
                }
                throw .corrupt(path: path, offset: 0, index: segment.firstIndex, reason: problem)
            }
            if position > 0 && segment.firstIndex != contents.lastIndex + 1 {
                throw .corrupt(path: path, offset: 0, index: segment.firstIndex,
                               reason: "segment starts at index \(segment.firstIndex) but the log before it ends at \(contents.lastIndex)")
            }
            let whitened = WALSegment.payloadsAreWhitened(header: bytes)
            var offset = WALSegment.headerSize
            records: while offset < bytes.count {
                let problem: String
                let torn: Bool
                switch WALRecord.read(bytes, at: offset, whitened: whitened) {
                case .record(let record, let size):
                    try contents.apply(record, path: path, offset: offset)
                    offset += size
                    continue records
                case .incomplete:
                    problem = "record is cut short in a segment that is not the last"
                    torn = true
                case .damaged(let reason):
                    problem = reason
                    torn = WALRecord.holdsZeroSector(bytes, at: offset)
                }
                // Only the last segment has an unwritten rest: a roll cuts the one before it to its records.
                let onlyZeros = bytes[offset...].allSatisfy { $0 == 0 }
                if onlyZeros && isLast { break records }
                guard isLast && torn else {
                    if onlyZeros {
                        throw .corrupt(path: path, offset: offset, index: contents.lastIndex + 1,
                                       reason: "zeros instead of records up to the end of a segment that is not the last")
                    }
                    throw .corrupt(path: path, offset: offset, index: contents.lastIndex + 1, reason: problem)
                }
                log("cutting torn write at the end of \(path): \(bytes.count - offset) bytes at offset \(offset) (a write the crash interrupted; it was never acknowledged)")
                try fileSystem.truncateFile(path, to: offset)
                break records
            }
            contents.segments.append((segment, contents.lastIndex))
            contents.lastSegmentEnd = offset
            contents.lastSegmentWhitened = whitened
        }
        return contents
    }
}
