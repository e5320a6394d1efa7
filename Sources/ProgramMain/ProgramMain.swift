import ArgumentParser
import Foundation

/// The entry point of raftd and raftctl. It parses the command line before any task starts,
/// because a command may run its tasks on event loops that must be installed first
/// (`EventLoopExecutor`); then it runs the command as a task and exits as
/// `AsyncParsableCommand.main()` would: help, version, usage errors and exit codes are the same.
public enum ProgramMain {
    /// Parses `arguments` (the process's own by default) with `root`; if `eventLoops` gives a
    /// count for the parsed command, installs that many event loops as the executor; then runs the
    /// command and exits.
    public static func run<Root: ParsableCommand>(
        _ root: Root.Type, arguments: [String]? = nil, eventLoops: (ParsableCommand) -> Int?
    ) -> Never {
        let command: ParsableCommand
        do {
            command = try root.parseAsRoot(arguments)
        } catch {
            root.exit(withError: error)
        }
        if let threads = eventLoops(command) {
            EventLoopExecutor.install(threads, program: root.configuration.commandName ?? "raftkv")
        }
        let parsed = ParsedCommand<Root>(command)
        Task.detached { await parsed.run() }
        dispatchMain()
    }
}

/// A parsed command on its way from `main` to the task that runs it; nothing else touches it.
private struct ParsedCommand<Root: ParsableCommand>: @unchecked Sendable {
    var command: ParsableCommand

    init(_ command: ParsableCommand) {
        self.command = command
    }

    func run() async -> Never {
        do {
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                // ArgumentParser's own help command, for `help` and help with other flags.
                var helpCommand = command
                try helpCommand.run()
            }
            Root.exit()
        } catch {
            Root.exit(withError: error)
        }
    }
}
