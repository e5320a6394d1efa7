import Chaos
import Foundation
import XCTest

/// A real cluster of `raftd node` processes for one test: free loopback ports, its own temporary
/// directory and config.ini, and every process killed (and the directory removed) at teardown,
/// whatever the test's outcome. Nodes also exit by themselves if the test process dies.
final class ProcessCluster: @unchecked Sendable {
    let nodeCount: Int
    let directory: URL
    let basePort: Int
    let gatewayPort: Int
    private var nodes: [Int: Process] = [:]
    private var gateway: Process?
    private var supervisor: Process?
    private let lock = NSLock()

    /// Writes config.ini with `settings` (lines added to the sections named by their keys).
    init(nodes nodeCount: Int = 5, cluster: [String] = [], storage: [String] = [], raft: [String] = [], limits: [String] = []) throws {
        self.nodeCount = nodeCount
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("raftkv-it-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        (basePort, gatewayPort) = try ProcessCluster.freePorts(count: nodeCount)
        let config = """
            [cluster]
            node_count = \(nodeCount)
            base_address = 127.0.0.1
            base_port = \(basePort)
            gateway_port = \(gatewayPort)
            persistent_state_path = \(directory.path)/state/
            fault_injection = true
            \(cluster.joined(separator: "\n"))

            [raft]
            \(raft.joined(separator: "\n"))

            [storage]
            \(storage.joined(separator: "\n"))

            [limits]
            \(limits.joined(separator: "\n"))
            """
        try config.write(to: configPath, atomically: true, encoding: .utf8)
    }

    var configPath: URL { directory.appendingPathComponent("config.ini") }
    var nodeIDs: [Int] { Array(1...nodeCount) }

    func address(of node: Int) -> String { "127.0.0.1:\(basePort + node - 1)" }
    var gatewayAddress: String { "127.0.0.1:\(gatewayPort)" }

    static var binaries: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    }

    func startAll() throws {
        for id in nodeIDs { try start(id) }
    }

    func start(_ id: Int) throws {
        let process = try launch(["node", "--id", "\(id)"], log: "node-\(id).log")
        lock.withLock { nodes[id] = process }
    }

    func startGateway() throws {
        let process = try launch(["gateway"], log: "gateway.log")
        lock.withLock { gateway = process }
    }

    /// `raftd cluster` instead of separate processes: it starts every node as its child and serves
    /// the gateway and the Supervisor service. Stopped with SIGTERM at teardown.
    func startSupervisedCluster() throws {
        let process = try launch(["cluster"], log: "cluster.log", watchingParent: false)
        lock.withLock { supervisor = process }
    }

    private func launch(_ arguments: [String], log: String, watchingParent: Bool = true) throws -> Process {
        let arguments = arguments + ["--config", configPath.path] + (watchingParent ? ["--parent-pid", "\(getpid())"] : [])
        return try LoggedProcess.start(ProcessCluster.binaries.appendingPathComponent("raftd"), arguments: arguments,
                                       log: directory.appendingPathComponent(log))
    }

    /// SIGKILL: nothing beyond what the node has fsynced survives.
    func kill(_ id: Int) {
        guard let process = lock.withLock({ nodes.removeValue(forKey: id) }) else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    func killAll() {
        for id in nodeIDs { kill(id) }
    }

    /// The process id of node `id`, while it runs.
    func pid(of id: Int) -> Int32? {
        lock.withLock { nodes[id]?.processIdentifier }
    }

    func isRunning(_ id: Int) -> Bool {
        lock.withLock { nodes[id]?.isRunning ?? false }
    }

    /// Kills everything and removes the directory (unless RAFTKV_KEEP_TEST_DIRS is set).
    func tearDown() {
        killAll()
        if let gateway = lock.withLock({ self.gateway }) {
            Foundation.kill(gateway.processIdentifier, SIGKILL)
            gateway.waitUntilExit()
        }
        if let supervisor = lock.withLock({ self.supervisor }) {
            supervisor.terminate()
            let deadline = Date().addingTimeInterval(15)
            while supervisor.isRunning, Date() < deadline { usleep(50_000) }
            if supervisor.isRunning { Foundation.kill(supervisor.processIdentifier, SIGKILL) }
            supervisor.waitUntilExit()
        }
        if ProcessInfo.processInfo.environment["RAFTKV_KEEP_TEST_DIRS"] == nil {
            try? FileManager.default.removeItem(at: directory)
        } else {
            print("kept test directory \(directory.path)")
        }
    }

    /// The tail of a node's log, for failure messages.
    func logTail(_ name: String, lines: Int = 30) -> String {
        let text = (try? String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }

    /// A run of `count` consecutive free ports (for the nodes) and one more (the gateway), chosen
    /// at random above 20000 and checked by binding, never the shipped 9001-9005 and 8001.
    static func freePorts(count: Int) throws -> (Int, Int) {
        do {
            let base = try FreePorts.consecutive(count + 1)
            return (base, base + count)
        } catch {
            throw XCTSkip(error.description)
        }
    }
}
