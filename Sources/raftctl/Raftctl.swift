import ArgumentParser
import ProgramMain
import RaftClient

/// The operator CLI for a raftkv cluster, modelled on etcdctl.
struct Raftctl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "raftctl",
        abstract: "Operate a raftkv cluster.",
        discussion: """
            Key-value commands go to the gateway from config.ini (gateway_port on base_address) unless \
            --endpoints names nodes to talk to directly; a node that is not the leader answers with a \
            hint, which raftctl follows once. Cluster commands (status, transfer, partition, heal) \
            talk to every node. kill, start, pause and resume use the Supervisor service that \
            `raftd cluster` serves on the gateway port.

            Results go to stdout, errors to stderr as "Error: ...". Exit codes: 0 success, 1 failure \
            (unreachable, no leader, rejected request), 64 bad command-line usage.
            """,
        version: "0.1.0",
        subcommands: [
            PutCommand.self, GetCommand.self, DeleteCommand.self, CompareAndSwapCommand.self,
            StatusCommand.self, TransferCommand.self, PartitionCommand.self, HealCommand.self,
            KillCommand.self, StartCommand.self, PauseCommand.self, ResumeCommand.self,
            BenchCommand.self,
        ])
}

/// raftctl's entry point. It accepts the global options before the command name too
/// (`raftctl --endpoints ... put k v`); `bench` runs its clients on `--threads` event loops, chosen
/// before any task starts (see `ProgramMain`).
@main
enum RaftctlMain {
    static func main() {
        let arguments = GlobalOptionOrder.commandFirst(Array(CommandLine.arguments.dropFirst()))
        ProgramMain.run(Raftctl.self, arguments: arguments) { command in (command as? BenchCommand)?.threads }
    }
}

/// Options every command accepts.
struct GlobalOptions: ParsableArguments {
    @Option(help: "The configuration file naming the gateway and the nodes.")
    var config = "config.ini"

    @Option(help: ArgumentHelp(
        "Talk to these nodes directly instead of the gateway.", valueName: "host:port[,host:port...]"))
    var endpoints: String?

    @Option(help: ArgumentHelp("Deadline of each request: 500ms, 5s, 1m, or plain seconds.", valueName: "duration"))
    var timeout: TimeoutValue = TimeoutValue(duration: .seconds(5), text: "5s")

    @Option(name: [.customShort("w"), .customLong("write-out")], help: "Output format.")
    var writeOut: OutputFormat = .simple

    func validate() throws {
        guard timeout.duration > .zero else { throw ValidationError("--timeout must be positive, e.g. 500ms or 5s") }
        if let endpoints {
            do {
                _ = try EndpointList.parse(endpoints)
            } catch {
                throw ValidationError("--endpoints: \(error.description)")
            }
        }
    }
}

/// How results are printed (`-w`).
enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case simple, table, json
}

/// A duration option such as `--timeout` (zero parses; commands reject it where it makes no sense).
struct TimeoutValue: ExpressibleByArgument, Sendable {
    var duration: Duration
    var text: String

    init(duration: Duration, text: String) {
        self.duration = duration
        self.text = text
    }

    init?(argument: String) {
        guard let duration = DurationText.parse(argument, allowingZero: true) else { return nil }
        self.init(duration: duration, text: argument)
    }

    var defaultValueDescription: String { text }
}
