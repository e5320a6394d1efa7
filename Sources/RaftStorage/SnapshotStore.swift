import Foundation
import RaftEngine

/// Snapshot files under `snapshots/`, named `<index>-<term>.snap` (16 hex digits each).
///
/// Format: magic `RKVSNAP\u{1}`, index (u64), term (u64), data length (u64), the data, then a
/// CRC-32C of everything before it (u32). Files are written atomically (temp file, fsync, rename,
/// fsync of the directory); the newest two are kept.
///
/// Changes to the directory are serialised by a lock, so that a snapshot the application took can
/// be saved on a thread of its own while the log's owner installs one from a leader.
struct SnapshotStore {
    static let magic: [UInt8] = Array("RKVSNAP".utf8) + [1]
    let directory: String
    let fileSystem: any FileSystem
    var keep = 2
    private let directoryLock = NSLock()

    static func fileName(index: LogIndex, term: Term) -> String { "\(hex16(index))-\(hex16(term)).snap" }

    static func encode(_ snapshot: Snapshot) -> [UInt8] {
        var writer = ByteWriter()
        writer.raw(magic)
        writer.u64(snapshot.index)
        writer.u64(snapshot.term)
        writer.u64(UInt64(snapshot.data.count))
        writer.raw(snapshot.data)
        writer.u32(CRC32C.checksum(writer.bytes))
        return writer.bytes
    }

    static func decode(_ bytes: [UInt8]) -> Snapshot? {
        guard bytes.count >= 36 else { return nil }
        var reader = ByteReader(bytes)
        guard reader.raw(8)! == magic, let index = reader.u64(), let term = reader.u64(), let length = reader.u64(),
              length == UInt64(bytes.count - 36), let data = reader.raw(Int(length)), let crc = reader.u32(),
              crc == CRC32C.checksum(bytes[0..<(bytes.count - 4)]) else { return nil }
        return Snapshot(index: index, term: term, data: data)
    }

    /// Writes a snapshot durably, then deletes all but the newest `keep`.
    func save(_ snapshot: Snapshot) throws(StorageError) {
        let name = SnapshotStore.fileName(index: snapshot.index, term: snapshot.term)
        directoryLock.lock()
        defer { directoryLock.unlock() }
        try fileSystem.createDirectory(directory)
        try AtomicFile.write(SnapshotStore.encode(snapshot), to: joinPath(directory, name), directory: directory, fileSystem: fileSystem)
        try pruneOld()
    }

    /// `save` for a snapshot the application took, safe to run while the owner of the storage goes
    /// on writing: the file is written under a temporary name of its own outside the lock, paced
    /// (see `PacedWrite`) so that the log's fsyncs do not wait behind it. One such save at a time.
    func saveTaken(_ snapshot: Snapshot) throws(StorageError) {
        let name = SnapshotStore.fileName(index: snapshot.index, term: snapshot.term)
        let temporary = joinPath(directory, name + ".taken.tmp")
        try fileSystem.createDirectory(directory)
        try AtomicFile.writeDurably(SnapshotStore.encode(snapshot), to: temporary, fileSystem: fileSystem, paced: true)
        directoryLock.lock()
        defer { directoryLock.unlock() }
        try AtomicFile.replace(joinPath(directory, name), with: temporary, directory: directory, fileSystem: fileSystem)
        try pruneOld()
    }

    private func pruneOld() throws(StorageError) {
        let old = try snapshotNames().dropFirst(keep)
        for name in old { try fileSystem.removeFile(joinPath(directory, name)) }
        if !old.isEmpty { try fileSystem.syncDirectory(directory) }
    }

    /// Snapshot file names, newest (highest index) first.
    private func snapshotNames() throws(StorageError) -> [String] {
        guard fileSystem.fileExists(directory) else { return [] }
        return try fileSystem.listDirectory(directory).filter { $0.hasSuffix(".snap") }.sorted(by: >)
    }

    /// The newest snapshot, or nil when there is none. A damaged newest snapshot is an error: the
    /// log below it may already be released, so an older one cannot stand in for it.
    func loadNewest(log: (String) -> Void) throws(StorageError) -> Snapshot? {
        guard fileSystem.fileExists(directory) else { return nil }
        for name in try fileSystem.listDirectory(directory) where name.hasSuffix(".tmp") {
            log("removing unfinished snapshot \(joinPath(directory, name))")
            try fileSystem.removeFile(joinPath(directory, name))
        }
        guard let newest = try snapshotNames().first else { return nil }
        let path = joinPath(directory, newest)
        guard let snapshot = SnapshotStore.decode(try fileSystem.readFile(path)) else {
            throw .corrupt(path: path, offset: 0, index: nil, reason: "snapshot file is damaged (checksum or length mismatch)")
        }
        return snapshot
    }
}
