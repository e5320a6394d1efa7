/// The file operations storage needs, so that tests can run the real storage code over an
/// in-memory file system that injects crashes, torn writes, bit flips and write errors.
///
/// Durability model: bytes written to a file are durable only after `sync()` on its handle; a
/// created, removed or renamed directory entry is durable only after `syncDirectory` on its parent.
public protocol FileSystem: AnyObject, Sendable {
    /// Creates `path` and any missing parents; each directory it creates is durable in its parent
    /// when this returns.
    func createDirectory(_ path: String) throws(StorageError)
    /// Names (not paths) of the entries in a directory, sorted.
    func listDirectory(_ path: String) throws(StorageError) -> [String]
    func fileExists(_ path: String) -> Bool
    /// The whole content of a file.
    func readFile(_ path: String) throws(StorageError) -> [UInt8]
    /// Opens a file for appending, creating it (empty) when `create` is set and it does not exist.
    func openForAppend(_ path: String, create: Bool) throws(StorageError) -> any AppendableFile
    /// Opens a file whose bytes from `offset` to its end are zeros (see `createZeroFilled`):
    /// appends go to `offset` and on, over those zeros and then past the end.
    func openForWriting(_ path: String, at offset: Int) throws(StorageError) -> any AppendableFile
    /// Creates `path` (replacing any file there) holding `size` zero bytes, durable when this
    /// returns; its directory entry is durable only after `syncDirectory`. Writing into such a file
    /// later changes no file size, so an fdatasync then writes only data. `paced` writes the zeros
    /// a little at a time, each part synced before a short pause, so that other files' fsyncs on
    /// the same disk never wait behind a large flush of zeros.
    func createZeroFilled(_ path: String, size: Int, paced: Bool) throws(StorageError)
    func removeFile(_ path: String) throws(StorageError)
    /// Atomically replaces `to` with `from`.
    func rename(_ from: String, to: String) throws(StorageError)
    /// Makes creations, removals and renames in `path` durable.
    func syncDirectory(_ path: String) throws(StorageError)
    /// Shortens a file to `size` bytes and makes that durable.
    func truncateFile(_ path: String, to size: Int) throws(StorageError)
}

/// An open file written only at its end: the end of what was written, which in a zero-filled
/// file lies before the end of the file itself.
public protocol AppendableFile: AnyObject {
    /// Where the next append goes: the bytes written before it, counted from the file's start.
    var size: Int { get }
    func append(_ bytes: [UInt8]) throws(StorageError)
    /// Makes everything appended so far durable (fdatasync).
    func sync() throws(StorageError)
    func close()
}

/// Joins path components with a single slash.
func joinPath(_ directory: String, _ name: String) -> String {
    directory.hasSuffix("/") ? directory + name : directory + "/" + name
}

/// Errors of the storage layer. Each names the file and, where it helps, the fix.
public enum StorageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A system call failed (`errno` kept: ENOSPC, EIO, EACCES...).
    case io(operation: String, path: String, errno: Int32)
    /// Damage that is not a torn final write: the node must not start on this log.
    case corrupt(path: String, offset: Int, index: UInt64?, reason: String)
    /// A previous write failed; nothing more is written until restart.
    case failed(String)

    public var description: String {
        switch self {
        case .io(let operation, let path, let errno):
            return "\(operation) \(path): \(errnoName(errno))" + (errno == 28 ? " (the disk is full; free space and restart the node)" : "")
        case .corrupt(let path, let offset, let index, let reason):
            let at = index.map { " near log index \($0)" } ?? ""
            return "corrupt write-ahead log: \(path) at byte \(offset)\(at): \(reason). "
                + "The log before the damage cannot be trusted as a whole; see docs/storage.md "
                + "(\"Recovering from a damaged log\") for `raftd node --rebuild`, which keeps term and vote, "
                + "drops this node's log and lets it catch up from the leader."
        case .failed(let reason):
            return "storage stopped after an earlier write error: \(reason)"
        }
    }
}

func errnoName(_ code: Int32) -> String {
    switch code {
    case 2: return "no such file or directory (ENOENT)"
    case 5: return "input/output error (EIO)"
    case 13: return "permission denied (EACCES)"
    case 17: return "file exists (EEXIST)"
    case 28: return "no space left on device (ENOSPC)"
    case 30: return "read-only file system (EROFS)"
    default: return "errno \(code)"
    }
}
