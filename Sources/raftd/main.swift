import ArgumentParser

/// The raftkv daemon. This build ships the consensus engine and its simulator only; the network
/// node, gateway and local cluster supervisor are not part of it yet, and saying so is better than
/// pretending to start a server.
@main
struct Raftd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "raftd",
        abstract: "The raftkv daemon.",
        discussion: """
            This build contains no server commands yet: `node`, `gateway` and `cluster` are not \
            available. The Raft engine can be exercised with `raft-sim` (see `make sim`).
            """,
        version: "0.1.0")

    mutating func run() throws {
        throw ValidationError("no server commands in this build; see `raftd --help`")
    }
}
