import ArgumentParser
// Imported for its link: jemalloc becomes the allocator of every raftd process.
import CJemalloc
import ProgramMain

/// The raftkv daemon.
struct Raftd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "raftd",
        abstract: "The raftkv daemon: a Raft node, the client gateway, or a whole local cluster.",
        version: "0.1.0",
        subcommands: [NodeCommand.self, GatewayCommand.self, ClusterCommand.self])
}

/// raftd's entry point: a node runs its tasks on its `node_threads` event loops, chosen before
/// any task starts (see `ProgramMain`).
@main
enum RaftdMain {
    static func main() {
        ProgramMain.run(Raftd.self) { command in (command as? NodeCommand)?.threads() }
    }
}
