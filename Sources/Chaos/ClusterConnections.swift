import GRPCCore
import GRPCNIOTransportHTTP2Posix
import RaftProto

/// One long-lived gRPC connection to the gateway and one to each node, shared by every client
/// and the nemesis (HTTP/2 multiplexes the calls). Closed with `close()`.
public final class ClusterConnections: Sendable {
    public typealias Transport = HTTP2ClientTransport.Posix
    public typealias KV = Raftkv_V1_KV.Client<Transport>
    public typealias Control = Raftkv_V1_Control.Client<Transport>

    private let gatewayClient: GRPCClient<Transport>
    private let nodeClients: [Int: GRPCClient<Transport>]
    private let tasks: [Task<Void, Never>]

    /// Connects to the gateway and to every node of `cluster`.
    public init(cluster: LocalCluster) throws {
        func connect(_ host: String, _ port: Int) throws -> GRPCClient<Transport> {
            let transport = try Transport(target: .ipv4(address: host, port: port), transportSecurity: .plaintext)
            return GRPCClient(transport: transport)
        }
        gatewayClient = try connect(cluster.gatewayHost, cluster.gatewayPort)
        var nodes: [Int: GRPCClient<Transport>] = [:]
        for id in cluster.nodeIDs { nodes[id] = try connect(cluster.host(of: id), cluster.port(of: id)) }
        nodeClients = nodes
        tasks = ([gatewayClient] + Array(nodes.values)).map { client in
            Task { try? await client.runConnections() }
        }
    }

    public var nodeIDs: [Int] { nodeClients.keys.sorted() }
    public var gateway: KV { KV(wrapping: gatewayClient) }
    public func kv(_ node: Int) -> KV { KV(wrapping: nodeClients[node]!) }
    public func control(_ node: Int) -> Control { Control(wrapping: nodeClients[node]!) }

    /// Call options with `timeout`, failing at once instead of waiting for a connection.
    public static func options(timeout: Duration) -> CallOptions {
        var options = CallOptions.defaults
        options.timeout = timeout
        options.waitForReady = false
        return options
    }

    public func close() async {
        gatewayClient.beginGracefulShutdown()
        for client in nodeClients.values { client.beginGracefulShutdown() }
        for task in tasks { await task.value }
    }
}
