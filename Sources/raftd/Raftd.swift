import ArgumentParser
// Imported for its link: jemalloc becomes the allocator of every raftd process.
import CJemalloc
import Foundation

/// The raftkv daemon.
struct Raftd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "raftd",
        abstract: "The raftkv daemon: a Raft node, the client gateway, or a whole local cluster.",
        version: "0.1.0",
        subcommands: [NodeCommand.self, GatewayCommand.self, ClusterCommand.self])
}

/// raftd's entry point. It parses the command line before any task starts, because a node runs
/// its tasks on threads that must be chosen first (`NodeThreads`); then it runs the command as a
/// task and exits as `AsyncParsableCommand.main()` would.
@main
enum RaftdMain {
    static func main() {
        let command: ParsedCommand
        do {
            command = ParsedCommand(try Raftd.parseAsRoot())
        } catch {
            Raftd.exit(withError: error)
        }
        if let node = command.command as? NodeCommand { NodeThreads.install(node.threads()) }
        Task.detached { await command.run() }
        dispatchMain()
    }
}

/// A parsed command on its way from `main` to the task that runs it; nothing else touches it.
private struct ParsedCommand: @unchecked Sendable {
    var command: ParsableCommand

    init(_ command: ParsableCommand) {
        self.command = command
    }

    func run() async -> Never {
        do {
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                // ArgumentParser's own help command, for `raftd help` and help with other flags.
                var helpCommand = command
                try helpCommand.run()
            }
            Raftd.exit()
        } catch {
            Raftd.exit(withError: error)
        }
    }
}
