#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension ClusterConfig {
    /// Makes sure `persistentStatePath` is a directory this process can write: creates it (and its
    /// parents) when missing, then creates and removes a temporary file in it. Errors name the path
    /// and the OS's reason.
    public func prepareStateDirectory() throws(ConfigError) {
        let path = persistentStatePath
        let location = origins.location(of: "cluster.persistent_state_path")
        let shown = show("cluster.persistent_state_path", path)
        let fullPath = PathText.absolute(path)

        if let code = StateDirectory.createDirectories(path) {
            if code == EEXIST || code == ENOTDIR {
                throw ConfigError(.stateDirectory, at: location,
                                  problem: "\(shown): \(fullPath) is not a directory (\(PathText.reason(code)))",
                                  fix: "point persistent_state_path at a directory, or move the file that is in the way")
            }
            throw ConfigError(.stateDirectory, at: location,
                              problem: "\(shown): cannot create directory \(fullPath) (\(PathText.reason(code)))",
                              fix: "create it with write permission for this user, or choose another persistent_state_path")
        }
        if let code = StateDirectory.probeWrite(in: path) {
            throw ConfigError(.stateDirectory, at: location,
                              problem: "\(shown): cannot write in \(fullPath) (\(PathText.reason(code)))",
                              fix: "give this user write permission on it (chown or chmod), or choose another persistent_state_path")
        }
    }
}

/// File-system steps of `prepareStateDirectory()`, each returning the failing errno or nil.
enum StateDirectory {
    /// Creates `path` and any missing parents; fails with ENOTDIR if something on the way is not a directory.
    static func createDirectories(_ path: String) -> Int32? {
        var status = stat()
        if stat(path, &status) == 0 {
            return (status.st_mode & S_IFMT) == S_IFDIR ? nil : ENOTDIR
        }
        if errno != ENOENT { return errno }
        let trimmed = path.hasSuffix("/") && path.count > 1 ? String(path.dropLast()) : path
        if let slash = trimmed.lastIndex(of: "/"), slash != trimmed.startIndex {
            if let code = createDirectories(String(trimmed[..<slash])) { return code }
        }
        if mkdir(trimmed, 0o755) != 0 && errno != EEXIST { return errno }
        return nil
    }

    /// Creates and removes a temporary file in `directory`.
    static func probeWrite(in directory: String) -> Int32? {
        let base = directory.hasSuffix("/") ? directory : directory + "/"
        let probe = base + ".raftkv-write-check-\(getpid())"
        let descriptor = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if descriptor < 0 { return errno }
        close(descriptor)
        if unlink(probe) != 0 { return errno }
        return nil
    }
}
