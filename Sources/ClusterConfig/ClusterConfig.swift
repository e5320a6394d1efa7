/// The settings of a raftkv cluster, read from `config.ini` (see `load(path:overrides:)`).
///
/// Every value has a default, so an empty file describes the standard local five-node cluster.
/// Times are in milliseconds here; the engine counts them in ticks of `tickMs`.
public struct ClusterConfig: Sendable, Equatable {
    // [cluster]

    /// Number of voting nodes, ids 1...nodeCount (`node_count`, 1...9; odd counts tolerate the most failures).
    public var nodeCount: Int = 5
    /// Host every listener binds, and the host of nodes without an address override (`base_address`).
    public var baseAddress: String = "127.0.0.1"
    /// Node i listens on `basePort + i - 1` unless `[node.i]` overrides its address (`base_port`).
    public var basePort: Int = 9001
    /// Port of the client gateway on `baseAddress` (`gateway_port`).
    public var gatewayPort: Int = 8001
    /// Directory holding each node's `node-<id>/` state, relative to the working directory (`persistent_state_path`).
    public var persistentStatePath: String = "raft_state/"
    /// Whether the Control service accepts Partition, Heal and Kill (`fault_injection`; off when absent).
    public var faultInjection: Bool = false
    /// Threads each node process runs its network I/O and Raft work on (`node_threads`, 1...256);
    /// nil (`auto`) shares the machine's cores among the nodes configured on the same host (see
    /// `threads(ofNode:cores:)`). The write-ahead log has threads of its own besides these.
    public var nodeThreads: Int?
    /// Addresses from `[node.N]` sections (`address = host:port`), by node id.
    public var nodeAddressOverrides: [Int: NodeAddress] = [:]

    // [raft]

    /// Length of one engine tick (`tick_ms`).
    public var tickMs: Int = 10
    /// Lower bound of the randomised election timeout (`election_timeout_min_ms`).
    public var electionTimeoutMinMs: Int = 150
    /// Upper bound of the randomised election timeout (`election_timeout_max_ms`).
    public var electionTimeoutMaxMs: Int = 300
    /// A leader sends heartbeats this often (`heartbeat_interval_ms`).
    public var heartbeatIntervalMs: Int = 50
    /// Run a pre-vote round before each election (`prevote`).
    public var preVote: Bool = true
    /// A leader steps down when a quorum stops answering (`check_quorum`).
    public var checkQuorum: Bool = true

    // [storage]

    /// Take a snapshot after this many entries applied since the last one (`snapshot_entries`).
    public var snapshotEntries: Int = 100_000
    /// Take a snapshot once the log since the last one holds this many bytes (`snapshot_bytes`).
    public var snapshotBytes: Int = 64 << 20
    /// Start a new write-ahead log segment at this size (`segment_bytes`).
    public var segmentBytes: Int = 64 << 20

    // [limits]

    /// Largest key a client may write (`max_key_bytes`).
    public var maxKeyBytes: Int = 4096
    /// The highest `max_key_bytes` and `max_value_bytes` config.ini accepts.
    public static let largestKeyBytes = 64 << 10
    public static let largestValueBytes = 64 << 20

    /// Largest value a client may write (`max_value_bytes`).
    public var maxValueBytes: Int = 1 << 20

    /// Where each value came from, for error messages; not part of the configuration's identity.
    var origins = ValueOrigins(file: "configuration")

    /// The defaults: five local nodes on 127.0.0.1:9001...9005, gateway on 8001.
    public init() {}
}

extension ClusterConfig {
    /// Node ids, 1...nodeCount.
    public var nodeIDs: [Int] { Array(1...max(nodeCount, 1)) }

    /// The address node `id` listens on: its `[node.N]` override, else `baseAddress` and
    /// `basePort + id - 1`.
    public func address(ofNode id: Int) -> (host: String, port: Int) {
        precondition(nodeIDs.contains(id), "node \(id) is not in 1...\(nodeCount)")
        let address = nodeAddress(id)
        return (address.host, address.port)
    }

    /// The address the gateway listens on: `baseAddress` and `gatewayPort`.
    public var gatewayAddress: (host: String, port: Int) { (baseAddress, gatewayPort) }

    /// The election timeout range in ticks, for `RaftConfig.electionTimeoutMin`/`Max`.
    public var electionTimeoutTicks: (min: Int, max: Int) {
        (electionTimeoutMinMs / tickMs, electionTimeoutMaxMs / tickMs)
    }

    /// The heartbeat interval in ticks, for `RaftConfig.heartbeatInterval`.
    public var heartbeatTicks: Int { heartbeatIntervalMs / tickMs }

    /// The threads node `id` runs its network I/O and Raft work on: `node_threads`, or with `auto`
    /// the `cores` of its machine divided among the nodes configured on its host, at least one.
    /// Five local nodes on two cores get one thread each, which is fastest there: a message
    /// handed between two threads of one process costs a wake-up, and every thread of five busy
    /// processes competes for the same two cores. Nodes share a host when their addresses name
    /// the same host, every loopback address (`localhost`, 127.x.x.x, ::1) counting as one.
    public func threads(ofNode id: Int, cores: Int) -> Int {
        if let nodeThreads { return nodeThreads }
        let host = Self.machine(of: nodeAddress(id).host)
        let sharing = nodeIDs.filter { Self.machine(of: nodeAddress($0).host) == host }.count
        return max(1, cores / sharing)
    }

    /// `host`, with every loopback name and address written the same way.
    private static func machine(of host: String) -> String {
        host == "localhost" || host == "::1" || host.hasPrefix("127.") ? "loopback" : host
    }

    func nodeAddress(_ id: Int) -> NodeAddress {
        nodeAddressOverrides[id] ?? NodeAddress(host: baseAddress, port: basePort + id - 1)
    }
}
