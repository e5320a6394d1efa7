import GRPCCore
import GRPCNIOTransportHTTP2Posix
import Logging
import RaftEngine

/// Runs a node: recovers it, serves KV, Control and the peer transport on its address, and ticks
/// until the task is cancelled.
public enum NodeServer {
    public static func run(options: NodeOptions, logger: Logger) async throws {
        let node = try NodeHost(options: options, logger: logger)
        let (host, port) = PeerLink.split(options.address)
        let transport = HTTP2ServerTransport.Posix(address: .ipv4(host: host, port: port), transportSecurity: .plaintext)
        let server = GRPCServer(transport: transport, services: [
            KVService(node: node), ControlService(node: node), RaftTransportService(node: node),
        ])
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await server.serve() }
            guard let bound = try await transport.listeningAddress.ipv4 else {
                throw NodeStartError(message: "node \(options.id) could not listen on \(options.address)")
            }
            logger.info("listening", metadata: ["address": "\(bound.host):\(bound.port)"])
            await node.start()
            // serve() returns once the surrounding task is cancelled (graceful shutdown).
        }
        await node.stop()
    }
}

/// A node that could not start, with the reason.
public struct NodeStartError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
