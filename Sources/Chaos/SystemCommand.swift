import Foundation

/// Runs short administrative commands (`ip ...`) to completion, for network namespace setup.
enum SystemCommand {
    /// A command that exited with a failure status.
    struct Failed: Error, CustomStringConvertible {
        var command: [String]
        var status: Int32
        var output: String
        var description: String { "`\(command.joined(separator: " "))` exited with \(status): \(output)" }
    }

    /// Runs `arguments[0]` (looked up in /usr/sbin, /sbin, /usr/bin, /bin) and returns its output.
    @discardableResult
    static func run(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try resolve(arguments[0]))
        process.arguments = Array(arguments.dropFirst())
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let output = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard process.terminationStatus == 0 else {
            throw Failed(command: arguments, status: process.terminationStatus, output: output)
        }
        return output
    }

    /// The full path of a system executable.
    static func resolve(_ name: String) throws -> String {
        for directory in ["/usr/sbin", "/sbin", "/usr/bin", "/bin"] {
            let path = directory + "/" + name
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        throw Failed(command: [name], status: 127, output: "\(name) not found in /usr/sbin, /sbin, /usr/bin or /bin (Debian package iproute2)")
    }
}
