import ArgumentParser

/// The operator CLI. It talks to a running cluster, which this build cannot start yet, so it offers
/// no commands and says so.
@main
struct Raftctl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "raftctl",
        abstract: "Operate a raftkv cluster.",
        discussion: "This build contains no cluster commands yet (get, put, status and the rest need `raftd`).",
        version: "0.1.0")

    mutating func run() throws {
        throw ValidationError("no cluster commands in this build; see `raftctl --help`")
    }
}
