import ArgumentParser
import ClusterConfig
import Foundation
import Logging
import NIOCore
import ProgramMain
import RaftEngine
import RaftServer
import RaftStorage

/// `raftd node --id N`: one Raft node.
struct NodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "node",
        abstract: "Run one node of the cluster.",
        discussion: """
            The node keeps its state in <persistent_state_path>/node-<id>/ and listens on its address \
            from config.ini (base_port + id - 1 unless a [node.N] section overrides it). With --rebuild it \
            first moves a damaged log aside, keeping term and vote (see docs/storage.md).
            """)

    @OptionGroup var configOptions: ConfigOptions

    @Option(help: "This node's id (1 to node_count).")
    var id: Int

    @Flag(help: "Move this node's log and snapshots aside (keeping term and vote) and rejoin empty.")
    var rebuild = false

    @Option(help: .hidden)
    var parentPid: Int32?

    /// The threads this node runs on (`node_threads`); one if the configuration cannot be read,
    /// which `run()` then reports.
    func threads() -> Int {
        guard let config = try? configOptions.read(), config.nodeIDs.contains(id) else { return 1 }
        return config.threads(ofNode: id, cores: System.coreCount)
    }

    func run() async throws {
        let config = try configOptions.load()
        guard config.nodeIDs.contains(id) else {
            throw ValidationError("--id \(id) is not a node of this cluster (node_count = \(config.nodeCount))")
        }
        let logger = DaemonLogging.logger(label: "raftd.node", metadata: ["node": "\(id)"])
        if let threads = EventLoopExecutor.threads { logger.info("running on \(threads) network and task threads") }
        let directory = config.stateDirectory(ofNode: id)
        if rebuild {
            do {
                try NodeStorage.rebuild(directory: directory, fileSystem: PosixFileSystem()) { logger.notice("\($0)") }
            } catch {
                throw DaemonError(message: "rebuild of \(directory) failed: \(error)")
            }
        }
        let options = config.nodeOptions(id: NodeID(id), stateDirectory: directory)
        if let parentPid { ParentWatch.exitWhenGone(parentPid, logger: logger) }
        try await DaemonSignals.runUntilInterrupted(logger: logger) {
            do {
                try await NodeServer.run(options: options, logger: logger)
            } catch let error as StorageError {
                throw DaemonError(message: "node \(id) cannot start: \(error)")
            }
        }
    }
}

extension ClusterConfig {
    func stateDirectory(ofNode id: Int) -> String {
        let base = persistentStatePath.hasSuffix("/") ? persistentStatePath : persistentStatePath + "/"
        return base + "node-\(id)"
    }

    func nodeOptions(id: NodeID, stateDirectory: String) -> NodeOptions {
        var peers: [NodeID: String] = [:]
        for node in nodeIDs {
            let address = address(ofNode: node)
            peers[NodeID(node)] = "\(address.host):\(address.port)"
        }
        let ticks = electionTimeoutTicks
        let raft = RaftConfig(
            id: id, voters: nodeIDs.map { NodeID($0) },
            electionTimeoutMin: ticks.min, electionTimeoutMax: ticks.max, heartbeatInterval: heartbeatTicks,
            preVote: preVote, checkQuorum: checkQuorum,
            randomSeed: UInt64.random(in: 1...UInt64.max))
        return NodeOptions(
            id: id, peers: peers, stateDirectory: stateDirectory, tickMs: tickMs, raft: raft,
            snapshotEntries: snapshotEntries, snapshotBytes: snapshotBytes, segmentBytes: segmentBytes,
            maxKeyBytes: maxKeyBytes, maxValueBytes: maxValueBytes, faultInjection: faultInjection)
    }
}
