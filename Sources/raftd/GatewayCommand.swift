import ArgumentParser
import ClusterConfig
import Foundation
import Logging
import RaftServer

/// `raftd gateway`: the client frontend that forwards to the leader.
struct GatewayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway",
        abstract: "Run the client gateway, which forwards KV calls to the cluster's leader.",
        discussion: """
            The gateway listens on base_address:gateway_port from config.ini and finds the nodes at \
            their configured addresses. It caches the leader, follows leader hints, and retries with \
            backoff within each call's deadline (5 s when the client sets none).
            """)

    @OptionGroup var configOptions: ConfigOptions

    @Option(help: .hidden)
    var parentPid: Int32?

    func run() async throws {
        let config = try configOptions.load()
        let logger = DaemonLogging.logger(label: "raftd.gateway", metadata: ["component": "gateway"])
        if let parentPid { ParentWatch.exitWhenGone(parentPid, logger: logger) }
        let nodes = Dictionary(uniqueKeysWithValues: config.nodeIDs.map { id in
            let address = config.address(ofNode: id)
            return (UInt64(id), "\(address.host):\(address.port)")
        })
        let listen = config.gatewayAddress
        try await DaemonSignals.runUntilInterrupted(logger: logger) {
            do {
                let options = GatewayOptions(maxKeyBytes: config.maxKeyBytes, maxValueBytes: config.maxValueBytes)
                try await GatewayServer.run(listenHost: listen.host, port: listen.port, nodes: nodes, options: options, logger: logger)
            } catch let error as GatewayStartError {
                throw DaemonError(message: error.message)
            }
        }
    }
}
