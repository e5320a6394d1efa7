/// Replaces a small file atomically and durably: write a temp file, fsync it, rename it over the
/// old one, fsync the directory. A crash at any point leaves either the old or the new file.
enum AtomicFile {
    static func write(_ bytes: [UInt8], to path: String, directory: String, fileSystem: any FileSystem) throws(StorageError) {
        let temporary = path + ".tmp"
        if fileSystem.fileExists(temporary) { try fileSystem.removeFile(temporary) }
        let file = try fileSystem.openForAppend(temporary, create: true)
        do {
            try file.append(bytes)
            try file.sync()
        } catch {
            file.close()
            throw error
        }
        file.close()
        try fileSystem.rename(temporary, to: path)
        try fileSystem.syncDirectory(directory)
    }
}
