import Foundation

/// A real cluster of `raftd node` processes and one `raftd gateway`, started directly by the
/// runner (not through `raftd cluster`) so that it holds every pid and can SIGKILL, SIGSTOP and
/// restart nodes itself, and can start each node inside its own network namespace. Everything
/// lives in `directory`: config.ini, `logs/`, `state/node-N/`. Processes get `--parent-pid`, so
/// they exit by themselves if the runner dies.
public final class LocalCluster: @unchecked Sendable {
    public let directory: URL
    public let nodeIDs: [Int]
    public let basePort: Int
    public let gatewayPort: Int
    /// The namespaces the nodes run in, or `nil` for plain loopback.
    public let network: NamespaceNetwork?
    private let raftd: URL
    private let lock = NSLock()
    private var nodes: [Int: Process] = [:]
    private var paused: Set<Int> = []
    private var gateway: Process?

    /// Writes config.ini into `directory` (created if needed) for `nodeCount` nodes on free ports,
    /// on loopback or, with `network`, each at its namespace's address.
    public init(directory: URL, raftd: URL, nodeCount: Int = 5, network: NamespaceNetwork? = nil) throws {
        self.directory = directory
        self.raftd = raftd
        self.network = network
        nodeIDs = Array(1...nodeCount)
        let first = try FreePorts.consecutive(nodeCount + 1)
        basePort = first
        gatewayPort = first + nodeCount
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("logs"), withIntermediateDirectories: true)
        let nodeSections = network.map { network in
            nodeIDs.map { "[node.\($0)]\naddress = \(network.address(of: $0)):\(first + $0 - 1)\n" }.joined(separator: "\n")
        } ?? ""
        let config = """
            ; written by raft-chaos for one schedule
            [cluster]
            node_count = \(nodeCount)
            base_address = \(network?.hostAddress ?? "127.0.0.1")
            base_port = \(basePort)
            gateway_port = \(gatewayPort)
            persistent_state_path = \(directory.path)/state/
            fault_injection = true

            [storage]
            ; small, so that snapshots and segment rollover happen during a schedule
            snapshot_entries = 2000
            segment_bytes = 4MiB

            \(nodeSections)
            """
        try config.write(to: configPath, atomically: true, encoding: .utf8)
    }

    public var configPath: URL { directory.appendingPathComponent("config.ini") }
    /// The IPv4 address node `node` listens on.
    public func host(of node: Int) -> String { network?.address(of: node) ?? "127.0.0.1" }
    public func port(of node: Int) -> Int { basePort + node - 1 }
    /// The IPv4 address the gateway listens on.
    public var gatewayHost: String { network?.hostAddress ?? "127.0.0.1" }

    /// Starts every node and the gateway.
    public func startAll() throws {
        for id in nodeIDs { try start(id) }
        let process = try launch(["gateway"], log: "gateway.log", prefix: [])
        lock.withLock { gateway = process }
    }

    /// Starts (or restarts after a kill) node `id` from its data directory.
    public func start(_ id: Int) throws {
        let process = try launch(["node", "--id", "\(id)"], log: "node-\(id).log", prefix: try network?.launchPrefix(for: id) ?? [])
        lock.withLock {
            nodes[id] = process
            paused.remove(id)
        }
    }

    /// SIGKILL: only what the node has fsynced survives.
    public func kill(_ id: Int) {
        guard let process = lock.withLock({ nodes.removeValue(forKey: id) }) else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        lock.withLock { _ = paused.remove(id) }
    }

    /// SIGSTOP: the node keeps its sockets open but answers nothing.
    public func pause(_ id: Int) {
        guard let pid = lock.withLock({ nodes[id]?.processIdentifier }) else { return }
        Foundation.kill(pid, SIGSTOP)
        lock.withLock { _ = paused.insert(id) }
    }

    /// SIGCONT after `pause`.
    public func resume(_ id: Int) {
        guard let pid = lock.withLock({ nodes[id]?.processIdentifier }) else { return }
        Foundation.kill(pid, SIGCONT)
        lock.withLock { _ = paused.remove(id) }
    }

    /// Nodes that are not running (killed, or exited by themselves).
    public var stoppedNodes: [Int] {
        lock.withLock { nodeIDs.filter { !(nodes[$0]?.isRunning ?? false) } }
    }

    /// Nodes currently stopped with SIGSTOP.
    public var pausedNodes: [Int] { lock.withLock { paused.sorted() } }

    /// Kills every process, paused or not. Safe to call more than once.
    public func stopAll() {
        for id in nodeIDs {
            if let pid = lock.withLock({ nodes[id]?.processIdentifier }) { Foundation.kill(pid, SIGCONT) }
            kill(id)
        }
        if let gateway = lock.withLock({ () -> Process? in defer { self.gateway = nil }; return self.gateway }) {
            Foundation.kill(gateway.processIdentifier, SIGKILL)
            gateway.waitUntilExit()
        }
    }

    /// Starts raftd with `arguments`; a `prefix` such as `ip netns exec NS` execs into raftd, so
    /// the pid is raftd's either way.
    private func launch(_ arguments: [String], log: String, prefix: [String]) throws -> Process {
        let command = prefix + [raftd.path] + arguments + ["--config", configPath.path, "--parent-pid", "\(getpid())"]
        let logURL = directory.appendingPathComponent("logs").appendingPathComponent(log)
        return try LoggedProcess.start(URL(fileURLWithPath: command[0]), arguments: Array(command.dropFirst()), log: logURL)
    }
}
