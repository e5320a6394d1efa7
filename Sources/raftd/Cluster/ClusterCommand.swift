import ArgumentParser
import ClusterConfig
import Foundation
import Logging
import RaftServer

/// `raftd cluster`: the whole local cluster for development and demos: every node as a child
/// process (logs in `<state>/logs/`), and the gateway in this process, which also serves the
/// Supervisor service (start, kill, pause, resume nodes) on the gateway port.
struct ClusterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster",
        abstract: "Run a local cluster: every node as a child process, plus the gateway.",
        discussion: "Ctrl-C stops everything. Node logs go to <persistent_state_path>/logs/node-<id>.log.")

    @OptionGroup var configOptions: ConfigOptions

    func run() async throws {
        let config = try configOptions.load()
        let logger = DaemonLogging.logger(label: "raftd.cluster", metadata: [:])
        var addresses: [Int: String] = [:]
        for id in config.nodeIDs {
            let address = config.address(ofNode: id)
            addresses[id] = "\(address.host):\(address.port)"
        }
        let gateway = config.gatewayAddress
        for (name, host, port) in [("gateway", gateway.host, gateway.port)] + config.nodeIDs.map({ ("node \($0)", config.address(ofNode: $0).host, config.address(ofNode: $0).port) }) {
            if let problem = PortCheck.problem(host: host, port: port) {
                throw DaemonError(message: "\(name) cannot listen on \(host):\(port): \(problem) (is another raftd cluster running? stop it, or change base_port / gateway_port)")
            }
        }
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let configPath = configOptions.config
        let overrides = configOptions.overrides.flatMap { ["--set", $0] }
        let parent = getpid()
        let base = config.persistentStatePath.hasSuffix("/") ? config.persistentStatePath : config.persistentStatePath + "/"
        let processes = NodeProcesses(
            executable: executable,
            arguments: { id in ["node", "--id", "\(id)", "--config", configPath, "--parent-pid", "\(parent)"] + overrides },
            logDirectory: base + "logs", addresses: addresses, logger: logger)
        for id in config.nodeIDs { try processes.start(id) }
        let nodes = Dictionary(uniqueKeysWithValues: addresses.map { (UInt64($0.key), $0.value) })
        defer { processes.stopAll() }
        let options = GatewayOptions(maxKeyBytes: config.maxKeyBytes, maxValueBytes: config.maxValueBytes)
        try await DaemonSignals.runUntilInterrupted(logger: logger) {
            try await GatewayServer.run(
                listenHost: gateway.host, port: gateway.port, nodes: nodes, options: options, logger: logger,
                additionalServices: [SupervisorService(processes: processes)])
        }
        logger.info("cluster stopped")
    }
}
