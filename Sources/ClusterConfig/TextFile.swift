#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a whole UTF-8 text file, reporting failures as configuration errors.
enum TextFile {
    static func contents(of path: String) throws(ConfigError) -> String {
        let location = SourceLocation(file: path)
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 {
            let code = errno
            let fullPath = PathText.absolute(path)
            if code == ENOENT {
                throw ConfigError(.unreadableFile, at: location,
                                  problem: "no configuration file at \(fullPath) (\(PathText.reason(code)))",
                                  fix: "create it by copying config.ini from the raftkv repository root (it lists every key with its default; an empty file means all defaults), or pass the path of an existing file")
            }
            throw ConfigError(.unreadableFile, at: location, problem: "cannot open \(fullPath): \(PathText.reason(code))",
                              fix: "make the file readable by this user or pass another path")
        }
        defer { close(descriptor) }

        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { break }
            if count < 0 {
                let code = errno
                if code == EINTR { continue }
                throw ConfigError(.unreadableFile, at: location,
                                  problem: "cannot read \(PathText.absolute(path)): \(PathText.reason(code))",
                                  fix: "pass the path of a regular, readable configuration file")
            }
            bytes.append(contentsOf: buffer[..<count])
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ConfigError(.unreadableFile, at: location, problem: "\(PathText.absolute(path)) is not UTF-8 text",
                              fix: "save the configuration as plain UTF-8 text")
        }
        return text
    }
}
