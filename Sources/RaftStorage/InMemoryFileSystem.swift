#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file system in memory that models durability precisely, for crash and fault tests.
///
/// Each file is an inode holding `content` (the bytes written to it) and `durableContent` (the
/// content as of the last successful `sync()` on a handle of that file). `durableContent` is always
/// a prefix of `content`: appends only extend `content`, and everything else that changes bytes
/// (`sync`, `truncateFile`, `setContent`, `crash`, `flipBit`) keeps the two in step. A file made
/// by `createZeroFilled` also has durable zeros after its content, up to `zeroFilledSize`: reads
/// see them, and appends write over them.
///
/// Each directory maps names to inodes twice: the current mapping, which `openForAppend(create:)`,
/// `removeFile` and `rename` change, and the durable mapping, which `syncDirectory` replaces with
/// the current one. `crash` throws away everything that is not durable. Directories themselves
/// are durable as soon as `createDirectory` returns and are never removed.
///
/// Paths are plain strings; a path's parent directory is everything before its last "/".
/// All state is behind one mutex, so the file system and its handles may be used from any thread.
public final class InMemoryFileSystem: FileSystem, @unchecked Sendable {
    final class Inode {
        var content: [UInt8] = []
        var durableContent: [UInt8] = []
        /// The size `createZeroFilled` gave the file: past `content`, zeros up to here.
        var zeroFilledSize = 0

        /// What reads see: the content, then the zeros left of the zero-filled size.
        var bytes: [UInt8] {
            content + repeatElement(0, count: max(zeroFilledSize - content.count, 0))
        }
    }

    /// The unit a disk writes whole: a crash keeps or loses each of these of a write into
    /// zero-filled space as a whole, never part of one.
    public static let sectorSize = 512

    struct Directory {
        var current: [String: Inode] = [:]
        var durable: [String: Inode] = [:]
    }

    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var directories: [String: Directory] = ["/": Directory(), "": Directory()]
    /// Increases at every crash; handles opened in an earlier generation are dead.
    private var generation = 0
    /// Bytes that may still be appended before appends fail, when `failWrites` is active.
    private var writeBudget: Int?
    private var writeErrno: Int32 = 28
    private var syncErrno: Int32?
    private var successfulSyncs = 0

    public init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    func locked<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }

    // MARK: FileSystem

    public func createDirectory(_ path: String) throws(StorageError) {
        try locked { () throws(StorageError) in
            let target = Self.normalized(path)
            var prefix = target.hasPrefix("/") ? "/" : ""
            for component in target.split(separator: "/") {
                prefix = prefix.isEmpty || prefix == "/" ? prefix + component : prefix + "/" + component
                if directories[prefix] != nil { continue }
                let (parent, name) = Self.split(prefix)
                if directories[parent]?.current[name] != nil {
                    throw .io(operation: "mkdir", path: prefix, errno: 20)
                }
                directories[prefix] = Directory()
            }
        }
    }

    public func listDirectory(_ path: String) throws(StorageError) -> [String] {
        try locked { () throws(StorageError) in
            let target = Self.normalized(path)
            guard let directory = directories[target] else {
                throw .io(operation: "opendir", path: path, errno: 2)
            }
            var names = Array(directory.current.keys)
            for key in directories.keys where key != target && !key.isEmpty {
                let (parent, name) = Self.split(key)
                if parent == target { names.append(name) }
            }
            return names.sorted()
        }
    }

    public func fileExists(_ path: String) -> Bool {
        locked {
            directories[Self.normalized(path)] != nil || currentInode(path) != nil
        }
    }

    public func readFile(_ path: String) throws(StorageError) -> [UInt8] {
        try locked { () throws(StorageError) in
            if directories[Self.normalized(path)] != nil { throw .io(operation: "read", path: path, errno: 21) }
            guard let inode = currentInode(path) else { throw .io(operation: "open", path: path, errno: 2) }
            return inode.bytes
        }
    }

    public func openForAppend(_ path: String, create: Bool) throws(StorageError) -> any AppendableFile {
        try locked { () throws(StorageError) -> any AppendableFile in
            if directories[Self.normalized(path)] != nil { throw .io(operation: "open", path: path, errno: 21) }
            let (parent, name) = Self.split(path)
            guard directories[parent] != nil else { throw .io(operation: "open", path: path, errno: 2) }
            let inode: Inode
            if let existing = directories[parent]!.current[name] {
                inode = existing
            } else if create {
                inode = Inode()
                directories[parent]!.current[name] = inode
            } else {
                throw .io(operation: "open", path: path, errno: 2)
            }
            return InMemoryAppendableFile(fileSystem: self, inode: inode, path: path, generation: generation)
        }
    }

    /// Needs every byte from `offset` on to be zero.
    public func openForWriting(_ path: String, at offset: Int) throws(StorageError) -> any AppendableFile {
        try locked { () throws(StorageError) -> any AppendableFile in
            guard let inode = currentInode(path) else { throw .io(operation: "open", path: path, errno: 2) }
            let bytes = inode.bytes
            precondition(offset <= bytes.count && bytes[offset...].allSatisfy { $0 == 0 },
                         "\(path) is not zero from offset \(offset)")
            inode.content = Array(bytes.prefix(offset))
            inode.durableContent = Array(inode.durableContent.prefix(offset))
            return InMemoryAppendableFile(fileSystem: self, inode: inode, path: path, generation: generation)
        }
    }

    public func createZeroFilled(_ path: String, size: Int, paced: Bool) throws(StorageError) {
        try locked { () throws(StorageError) in
            if directories[Self.normalized(path)] != nil { throw .io(operation: "open", path: path, errno: 21) }
            let (parent, name) = Self.split(path)
            guard directories[parent] != nil else { throw .io(operation: "open", path: path, errno: 2) }
            if let code = syncErrno { throw .io(operation: "fdatasync", path: path, errno: code) }
            if let budget = writeBudget {
                guard size <= budget else { throw .io(operation: "write", path: path, errno: writeErrno) }
                writeBudget = budget - size
            }
            let inode = Inode()
            inode.zeroFilledSize = size
            directories[parent]!.current[name] = inode
        }
    }

    public func removeFile(_ path: String) throws(StorageError) {
        try locked { () throws(StorageError) in
            if directories[Self.normalized(path)] != nil { throw .io(operation: "unlink", path: path, errno: 21) }
            let (parent, name) = Self.split(path)
            guard directories[parent]?.current.removeValue(forKey: name) != nil else {
                throw .io(operation: "unlink", path: path, errno: 2)
            }
        }
    }

    /// Renames files only; a directory as source or destination throws EISDIR.
    public func rename(_ from: String, to: String) throws(StorageError) {
        try locked { () throws(StorageError) in
            if directories[Self.normalized(from)] != nil || directories[Self.normalized(to)] != nil {
                throw .io(operation: "rename", path: from, errno: 21)
            }
            let (fromParent, fromName) = Self.split(from)
            let (toParent, toName) = Self.split(to)
            guard let inode = directories[fromParent]?.current[fromName], directories[toParent] != nil else {
                throw .io(operation: "rename", path: from, errno: 2)
            }
            directories[fromParent]!.current[fromName] = nil
            directories[toParent]!.current[toName] = inode
        }
    }

    /// Fails with the `failSyncs` errno while that fault is active.
    public func syncDirectory(_ path: String) throws(StorageError) {
        try locked { () throws(StorageError) in
            let target = Self.normalized(path)
            guard directories[target] != nil else { throw .io(operation: "open", path: path, errno: 2) }
            if let code = syncErrno { throw .io(operation: "fsync", path: path, errno: code) }
            directories[target]!.durable = directories[target]!.current
        }
    }

    /// Makes the whole file durable, like ftruncate followed by fsync; growing pads with zeros.
    public func truncateFile(_ path: String, to size: Int) throws(StorageError) {
        try locked { () throws(StorageError) in
            guard let inode = currentInode(path) else { throw .io(operation: "open", path: path, errno: 2) }
            guard size >= 0 else { throw .io(operation: "ftruncate", path: path, errno: 22) }
            let bytes = inode.bytes
            inode.content = Array(bytes.prefix(size)) + repeatElement(0, count: max(size - bytes.count, 0))
            inode.durableContent = inode.content
            inode.zeroFilledSize = 0
        }
    }

    // MARK: Crashes and faults

    /// Simulates power loss. Every directory's current mapping becomes its durable mapping, and
    /// every surviving file keeps its durable content plus the first `keepUnsyncedBytes(path)`
    /// bytes (clamped to what exists) of what was appended since its last sync, modelling a torn
    /// write; in zero-filled space only whole sectors of it (`sectorSize`) survive. What survives
    /// is then durable. Handles opened before the crash fail with EIO.
    public func crash(keepUnsyncedBytes: (String) -> Int = { _ in 0 }) {
        locked {
            generation += 1
            var seen: Set<ObjectIdentifier> = []
            for directoryPath in directories.keys.sorted() {
                directories[directoryPath]!.current = directories[directoryPath]!.durable
                let entries = directories[directoryPath]!.durable
                for name in entries.keys.sorted() {
                    let inode = entries[name]!
                    guard seen.insert(ObjectIdentifier(inode)).inserted else { continue }
                    let durableCount = inode.durableContent.count
                    let unsynced = inode.content.count - durableCount
                    var end = durableCount + min(max(keepUnsyncedBytes(Self.join(directoryPath, name)), 0), unsynced)
                    if end < inode.zeroFilledSize {
                        end = max(durableCount, end / Self.sectorSize * Self.sectorSize)
                    }
                    inode.content.removeSubrange(end...)
                    inode.durableContent = inode.content
                }
            }
        }
    }

    /// From now on appends fail with `errno` once the bytes appended since this call would exceed
    /// `bytes`; the append that crosses the limit first writes the bytes that still fit.
    public func failWrites(after bytes: Int, errno: Int32 = 28) {
        locked {
            writeBudget = max(bytes, 0)
            writeErrno = errno
        }
    }

    /// From now on every `sync()` and `syncDirectory` fails with `errno`, making nothing durable.
    public func failSyncs(errno: Int32 = 5) {
        locked { syncErrno = errno }
    }

    /// Ends the faults set by `failWrites` and `failSyncs`.
    public func clearFaults() {
        locked {
            writeBudget = nil
            syncErrno = nil
        }
    }

    /// Flips one bit (0...7) of a file's byte, in both its content and its durable content.
    public func flipBit(path: String, byteOffset: Int, bit: Int) throws(StorageError) {
        try locked { () throws(StorageError) in
            guard let inode = currentInode(path) else { throw .io(operation: "open", path: path, errno: 2) }
            precondition(byteOffset >= 0 && byteOffset < inode.content.count, "byte offset outside the file")
            precondition((0..<8).contains(bit), "bit must be 0...7")
            inode.content[byteOffset] ^= 1 << UInt8(bit)
            if byteOffset < inode.durableContent.count {
                inode.durableContent[byteOffset] ^= 1 << UInt8(bit)
            }
        }
    }

    /// Replaces a file's content, durably. A missing file is created with a durable directory
    /// entry; its parent directory must exist.
    public func setContent(path: String, bytes: [UInt8]) throws(StorageError) {
        try locked { () throws(StorageError) in
            if directories[Self.normalized(path)] != nil { throw .io(operation: "open", path: path, errno: 21) }
            let inode: Inode
            if let existing = currentInode(path) {
                inode = existing
            } else {
                let (parent, name) = Self.split(path)
                guard directories[parent] != nil else { throw .io(operation: "open", path: path, errno: 2) }
                inode = Inode()
                directories[parent]!.current[name] = inode
                directories[parent]!.durable[name] = inode
            }
            inode.content = bytes
            inode.durableContent = bytes
            inode.zeroFilledSize = 0
        }
    }

    /// The bytes written to the file (without the zeros of a zero-filled file after them), or nil
    /// when there is no such file.
    public func content(of path: String) -> [UInt8]? {
        locked { currentInode(path)?.content }
    }

    /// The size of the file as reads see it, zeros included, or nil when there is no such file.
    public func readableSize(of path: String) -> Int? {
        locked { currentInode(path).map { max($0.content.count, $0.zeroFilledSize) } }
    }

    /// The content of the file at `path` as of its last sync, or nil when there is no such file.
    /// (Whether the file itself survives a crash depends on its directory entry being synced.)
    public func durableContent(of path: String) -> [UInt8]? {
        locked { currentInode(path)?.durableContent }
    }

    /// The number of successful `sync()` calls on file handles.
    public var syncCount: Int {
        locked { successfulSyncs }
    }

    // MARK: Handle operations (called by InMemoryAppendableFile)

    func append(_ bytes: [UInt8], to handle: InMemoryAppendableFile) throws(StorageError) {
        try locked { () throws(StorageError) in
            try checkLive(handle, operation: "write")
            if let budget = writeBudget, bytes.count > budget {
                handle.inode.content.append(contentsOf: bytes.prefix(budget))
                writeBudget = 0
                throw .io(operation: "write", path: handle.path, errno: writeErrno)
            }
            if let budget = writeBudget { writeBudget = budget - bytes.count }
            handle.inode.content.append(contentsOf: bytes)
        }
    }

    func sync(_ handle: InMemoryAppendableFile) throws(StorageError) {
        try locked { () throws(StorageError) in
            try checkLive(handle, operation: "fdatasync")
            if let code = syncErrno { throw .io(operation: "fdatasync", path: handle.path, errno: code) }
            handle.inode.durableContent = handle.inode.content
            successfulSyncs += 1
        }
    }

    func size(of handle: InMemoryAppendableFile) -> Int {
        locked { handle.inode.content.count }
    }

    private func checkLive(_ handle: InMemoryAppendableFile, operation: String) throws(StorageError) {
        if handle.isClosed { throw .io(operation: operation, path: handle.path, errno: 9) }
        if handle.generation != generation { throw .io(operation: operation, path: handle.path, errno: 5) }
    }

    // MARK: Paths

    private func currentInode(_ path: String) -> Inode? {
        let (parent, name) = Self.split(path)
        return directories[parent]?.current[name]
    }

    /// Drops trailing slashes, keeping "/" itself.
    static func normalized(_ path: String) -> String {
        var path = Substring(path)
        while path.count > 1 && path.hasSuffix("/") { path = path.dropLast() }
        return String(path)
    }

    /// The parent directory (everything before the last "/", or "/" for a top-level entry) and
    /// the name.
    static func split(_ path: String) -> (parent: String, name: String) {
        let path = normalized(path)
        guard let slash = path.lastIndex(of: "/") else { return ("", path) }
        let parent = slash == path.startIndex ? "/" : String(path[..<slash])
        return (parent, String(path[path.index(after: slash)...]))
    }

    static func join(_ directory: String, _ name: String) -> String {
        directory.isEmpty ? name : joinPath(directory, name)
    }
}

/// A handle on an inode of an `InMemoryFileSystem`. It outlives a removal or rename of its file,
/// like a file descriptor, but not a crash.
final class InMemoryAppendableFile: AppendableFile {
    let fileSystem: InMemoryFileSystem
    let inode: InMemoryFileSystem.Inode
    let path: String
    let generation: Int
    /// Read and written only under the file system's mutex.
    var isClosed = false

    init(fileSystem: InMemoryFileSystem, inode: InMemoryFileSystem.Inode, path: String, generation: Int) {
        self.fileSystem = fileSystem
        self.inode = inode
        self.path = path
        self.generation = generation
    }

    var size: Int { fileSystem.size(of: self) }

    func append(_ bytes: [UInt8]) throws(StorageError) {
        try fileSystem.append(bytes, to: self)
    }

    func sync() throws(StorageError) {
        try fileSystem.sync(self)
    }

    func close() {
        fileSystem.locked { isClosed = true }
    }
}
