import Foundation
import XCTest

/// A detached tmux server of its own (`tmux -L <unique socket>`) with one fixed-size pane running
/// a shell, driven with send-keys and read with capture-pane. `kill()` ends the server and
/// everything in it.
final class TmuxSession: @unchecked Sendable {
    let socket = "raftkv-e2e-\(UUID().uuidString.prefix(8))"
    let width: Int
    let height: Int

    /// Where tmux is, or nil when it is not installed.
    static var executable: URL? {
        ["/usr/bin/tmux", "/usr/local/bin/tmux", "/opt/homebrew/bin/tmux"]
            .map(URL.init(fileURLWithPath:))
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// Starts the server with a `/bin/sh` pane of `width` x `height` in `directory`.
    init(width: Int, height: Int, directory: URL) throws {
        self.width = width
        self.height = height
        try tmux(["-f", "/dev/null", "new-session", "-d", "-s", "main", "-x", "\(width)", "-y", "\(height)",
                  "-c", directory.path, "/bin/sh"])
    }

    /// Types `text` literally, then presses Enter.
    func typeLine(_ text: String) throws {
        try tmux(["send-keys", "-t", "main", "-l", text])
        try tmux(["send-keys", "-t", "main", "Enter"])
    }

    /// Presses keys by tmux name ("K", "Enter", "Escape").
    func press(_ keys: String...) throws {
        try tmux(["send-keys", "-t", "main"] + keys)
    }

    /// The pane's text, one string per row.
    func screen() throws -> [String] {
        try tmux(["capture-pane", "-p", "-t", "main"]).components(separatedBy: "\n")
    }

    /// Polls the screen until `match` returns a value, or fails after `timeout` with the last screen.
    func waitFor<T>(_ what: String, timeout: Duration = .seconds(30), _ match: ([String]) -> T?) async throws -> T {
        let deadline = ContinuousClock.now + timeout
        var last: [String] = []
        while ContinuousClock.now < deadline {
            last = try screen()
            if let found = match(last) { return found }
            try await Task.sleep(for: .milliseconds(250))
        }
        throw ScreenTimeout(description: "waited \(timeout) for \(what); the screen was:\n" + last.joined(separator: "\n"))
    }

    func kill() {
        _ = try? tmux(["kill-server"])
    }

    /// Runs one tmux command and returns its output. It uses posix_spawn and waitpid rather than
    /// Foundation's Process, whose exit monitoring missed the exit of the client that starts the
    /// tmux server (it forks the server and exits at once), leaving the test waiting forever. The
    /// child starts with no signals blocked and default handlers: the test's threads block most
    /// signals, and a tmux server that inherits that mask never sees SIGCHLD and cannot exit.
    @discardableResult
    private func tmux(_ arguments: [String]) throws -> String {
        guard let executable = Self.executable else { throw XCTSkip("tmux is not installed (make deps installs it)") }
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("\(socket)-\(UUID().uuidString).out").path
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var environment = ProcessInfo.processInfo.environment
        environment["LANG"] = "C.UTF-8"
        environment.removeValue(forKey: "TMUX")
        let argv = [executable.path, "-L", socket] + arguments
        let envp = environment.map { "\($0.key)=\($0.value)" }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        var allSignals = sigset_t()
        sigemptyset(&noSignals)
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let spawned = withCStrings(argv) { argvPointers in
            withCStrings(envp) { envPointers in posix_spawn(&pid, executable.path, &actions, &attributes, argvPointers, envPointers) }
        }
        guard spawned == 0 else { throw ScreenTimeout(description: "cannot run tmux: error \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1, errno == EINTR {}
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        guard status == 0 else {
            throw ScreenTimeout(description: "tmux \(arguments.joined(separator: " ")) failed (wait status \(status)): \(text)")
        }
        return text
    }

    private func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
        let pointers = strings.map { strdup($0) } + [nil]
        defer { pointers.forEach { free($0) } }
        return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}

/// The screen never showed what a test waited for.
struct ScreenTimeout: Error, CustomStringConvertible {
    let description: String
}
