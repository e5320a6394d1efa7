import ArgumentParser
import ClusterConfig
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import RaftClient
import RaftProto

/// Renders a ServerInfo answer.
func renderServerInfo(_ info: Raftkv_V1_ServerInfo, as format: OutputFormat) -> String {
    let pid = info.pid > 0 ? "\(info.pid)" : ""
    switch format {
    case .simple: return "node \(info.id): \(info.state)" + (pid.isEmpty ? "" : " (pid \(pid))")
    case .table:
        return TextTable.render(header: ["ID", "ADDRESS", "STATE", "PID"], rows: [["\(info.id)", info.address, info.state, pid]])
    case .json:
        return JSONValue.object([("id", .number(info.id)), ("address", .string(info.address)), ("state", .string(info.state)),
                                 ("pid", info.pid > 0 ? .number(UInt64(info.pid)) : .null)]).rendered()
    }
}

/// Shared body of kill, start, pause and resume.
protocol SupervisorCommand: AsyncParsableCommand {
    static var action: SupervisorAction { get }
    var globals: GlobalOptions { get }
    var node: Int { get }
}

extension SupervisorCommand {
    func validate() throws {
        if node < 1 { throw ValidationError("node ids start at 1 (got \(node))") }
    }

    func run() async throws {
        let context = Context(globals: globals)
        let config = try context.config()
        guard config.nodeIDs.contains(node) else {
            throw CommandFailure("node \(node) is not in this cluster (node_count = \(config.nodeCount) in \(globals.config))")
        }
        let gateway = try context.gateway()
        var id = Raftkv_V1_ServerID()
        id.id = UInt64(node)
        let action = Self.action
        do throws(RemoteFailure) {
            let info = try await Remote.call(gateway, timeout: context.timeout) { client, options in
                try await action.call(SupervisorClient(wrapping: client), id, options)
            }
            context.emit(renderServerInfo(info, as: context.format))
        } catch {
            throw CommandFailure(action.explanation(error, gateway: gateway))
        }
    }
}

struct KillCommand: SupervisorCommand {
    static let configuration = CommandConfiguration(
        commandName: "kill", abstract: "SIGKILL a node (needs `raftd cluster`).")
    static let action = SupervisorAction.kill
    @OptionGroup var globals: GlobalOptions
    @Argument(help: "The node id.") var node: Int
}

struct StartCommand: SupervisorCommand {
    static let configuration = CommandConfiguration(
        commandName: "start", abstract: "Restart a stopped node from its state directory (needs `raftd cluster`).")
    static let action = SupervisorAction.start
    @OptionGroup var globals: GlobalOptions
    @Argument(help: "The node id.") var node: Int
}

struct PauseCommand: SupervisorCommand {
    static let configuration = CommandConfiguration(
        commandName: "pause", abstract: "SIGSTOP a node (needs `raftd cluster`).")
    static let action = SupervisorAction.pause
    @OptionGroup var globals: GlobalOptions
    @Argument(help: "The node id.") var node: Int
}

struct ResumeCommand: SupervisorCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume", abstract: "SIGCONT a paused node (needs `raftd cluster`).")
    static let action = SupervisorAction.resume
    @OptionGroup var globals: GlobalOptions
    @Argument(help: "The node id.") var node: Int
}
