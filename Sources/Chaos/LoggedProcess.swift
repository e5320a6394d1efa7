import Foundation

/// Starts a child process with its standard output and error appended to a log file and its
/// standard input empty.
public enum LoggedProcess {
    public static func start(_ executable: URL, arguments: [String], log logURL: URL) throws -> Process {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if !FileManager.default.fileExists(atPath: logURL.path) {
            _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        }
        let handle = try FileHandle(forWritingTo: logURL)
        handle.seekToEndOfFile()
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        try handle.close()
        return process
    }
}
