/// Replaces a small file atomically and durably: write a temp file, fsync it, rename it over the
/// old one, fsync the directory. A crash at any point leaves either the old or the new file.
enum AtomicFile {
    static func write(_ bytes: [UInt8], to path: String, directory: String, fileSystem: any FileSystem) throws(StorageError) {
        let temporary = path + ".tmp"
        try writeDurably(bytes, to: temporary, fileSystem: fileSystem)
        try replace(path, with: temporary, directory: directory, fileSystem: fileSystem)
    }

    /// Writes `bytes` as the whole of a new file at `path` (removing a stale one first) and fsyncs it,
    /// a part at a time when `paced` (see `PacedWrite`).
    static func writeDurably(_ bytes: [UInt8], to path: String, fileSystem: any FileSystem, paced: Bool = false) throws(StorageError) {
        if fileSystem.fileExists(path) { try fileSystem.removeFile(path) }
        let file = try fileSystem.openForAppend(path, create: true)
        do {
            if paced {
                try PacedWrite.append(bytes, to: file)
            } else {
                try file.append(bytes)
            }
            try file.sync()
        } catch {
            file.close()
            throw error
        }
        file.close()
    }

    /// Renames a durable `temporary` file over `path` and fsyncs the directory holding both.
    static func replace(_ path: String, with temporary: String, directory: String, fileSystem: any FileSystem) throws(StorageError) {
        try fileSystem.rename(temporary, to: path)
        try fileSystem.syncDirectory(directory)
    }
}
