#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The real file system, through POSIX calls. Every failure throws `StorageError.io` with the
/// operation, the path and the errno of the failed call.
public final class PosixFileSystem: FileSystem {
    public init() {}

    public func createDirectory(_ path: String) throws(StorageError) {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            let parent = prefix.isEmpty ? "." : prefix
            prefix += component
            if mkdir(prefix, 0o755) == 0 {
                try syncDirectory(parent)
            } else {
                let code = errno
                guard code == EEXIST, isDirectory(prefix) else {
                    throw .io(operation: "mkdir", path: prefix, errno: code == EEXIST ? ENOTDIR : code)
                }
            }
            prefix += "/"
        }
    }

    public func listDirectory(_ path: String) throws(StorageError) -> [String] {
        guard let directory = opendir(path) else {
            throw .io(operation: "opendir", path: path, errno: errno)
        }
        defer { closedir(directory) }
        var names: [String] = []
        while true {
            errno = 0
            guard let entry = readdir(directory) else {
                if errno != 0 { throw .io(operation: "readdir", path: path, errno: errno) }
                break
            }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    public func fileExists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    public func readFile(_ path: String) throws(StorageError) -> [UInt8] {
        let fd = try openFile(path, flags: O_RDONLY, operation: "open")
        defer { closeDescriptor(fd) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .io(operation: "read", path: path, errno: errno)
            }
            if count == 0 { return result }
            result.append(contentsOf: chunk[0..<count])
        }
    }

    public func openForAppend(_ path: String, create: Bool) throws(StorageError) -> any AppendableFile {
        let fd = try openFile(path, flags: O_WRONLY | (create ? O_CREAT : 0), operation: "open")
        var status = stat()
        if fstat(fd, &status) != 0 {
            let code = errno
            closeDescriptor(fd)
            throw .io(operation: "fstat", path: path, errno: code)
        }
        return PosixAppendableFile(fd: fd, path: path, size: Int(status.st_size))
    }

    public func openForWriting(_ path: String, at offset: Int) throws(StorageError) -> any AppendableFile {
        PosixAppendableFile(fd: try openFile(path, flags: O_WRONLY, operation: "open"), path: path, size: offset)
    }

    public func createZeroFilled(_ path: String, size: Int, paced: Bool) throws(StorageError) {
        let file = PosixAppendableFile(fd: try openFile(path, flags: O_WRONLY | O_CREAT | O_TRUNC, operation: "open"),
                                       path: path, size: 0)
        defer { file.close() }
        let chunk = [UInt8](repeating: 0, count: min(size, paced ? PacedWrite.partBytes : 1 << 20))
        while file.size < size {
            let part = chunk[..<min(chunk.count, size - file.size)]
            if paced {
                try PacedWrite.appendPart(part, to: file, afterAnother: file.size > 0)
            } else {
                try file.append(Array(part))
            }
        }
        try file.sync()
    }

    public func removeFile(_ path: String) throws(StorageError) {
        if unlink(path) != 0 { throw .io(operation: "unlink", path: path, errno: errno) }
    }

    public func rename(_ from: String, to: String) throws(StorageError) {
        if renamePath(from, to) != 0 { throw .io(operation: "rename", path: from, errno: errno) }
    }

    public func syncDirectory(_ path: String) throws(StorageError) {
        let fd = try openFile(path, flags: O_RDONLY | O_DIRECTORY, operation: "open")
        defer { closeDescriptor(fd) }
        if fsync(fd) != 0 { throw .io(operation: "fsync", path: path, errno: errno) }
    }

    public func truncateFile(_ path: String, to size: Int) throws(StorageError) {
        let fd = try openFile(path, flags: O_WRONLY, operation: "open")
        defer { closeDescriptor(fd) }
        if ftruncate(fd, off_t(size)) != 0 { throw .io(operation: "ftruncate", path: path, errno: errno) }
        if fsync(fd) != 0 { throw .io(operation: "fsync", path: path, errno: errno) }
    }

    private func openFile(_ path: String, flags: Int32, operation: String) throws(StorageError) -> Int32 {
        while true {
            let fd = open(path, flags | O_CLOEXEC, 0o644)
            if fd >= 0 { return fd }
            if errno != EINTR { throw .io(operation: operation, path: path, errno: errno) }
        }
    }

    private func isDirectory(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR
    }
}

/// A file descriptor written with `pwrite` at `size`, the offset it was opened at plus every byte
/// appended through it.
final class PosixAppendableFile: AppendableFile {
    private var fd: Int32
    private let path: String
    private(set) var size: Int

    init(fd: Int32, path: String, size: Int) {
        self.fd = fd
        self.path = path
        self.size = size
    }

    deinit { close() }

    func append(_ bytes: [UInt8]) throws(StorageError) {
        guard fd >= 0 else { throw .io(operation: "write", path: path, errno: EBADF) }
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { raw in
                pwrite(fd, raw.baseAddress! + written, raw.count - written, off_t(size))
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw .io(operation: "write", path: path, errno: errno)
            }
            written += count
            size += count
        }
    }

    func sync() throws(StorageError) {
        guard fd >= 0 else { throw .io(operation: "fdatasync", path: path, errno: EBADF) }
        if fdatasync(fd) != 0 { throw .io(operation: "fdatasync", path: path, errno: errno) }
    }

    func close() {
        guard fd >= 0 else { return }
        closeDescriptor(fd)
        fd = -1
    }
}

/// The C `close`, which the methods named `close` shadow.
private func closeDescriptor(_ fd: Int32) {
    _ = close(fd)
}

/// The C `rename`, which `FileSystem.rename` shadows.
private func renamePath(_ from: String, _ to: String) -> Int32 {
    rename(from, to)
}
