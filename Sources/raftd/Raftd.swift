import ArgumentParser
// Imported for its link: jemalloc becomes the allocator of every raftd process.
import CJemalloc

/// The raftkv daemon.
@main
struct Raftd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "raftd",
        abstract: "The raftkv daemon: a Raft node, the client gateway, or a whole local cluster.",
        version: "0.1.0",
        subcommands: [NodeCommand.self, GatewayCommand.self, ClusterCommand.self])
}
