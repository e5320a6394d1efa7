import GRPCCore
import GRPCNIOTransportHTTP2Posix
import Logging
import RaftProto

/// Runs the client gateway: serves the KV API on one address and forwards each call to the
/// cluster's leader over one long-lived connection per node, until the task is cancelled.
public enum GatewayServer {
    /// Serves on `listenHost:port`; `nodes` maps each node id to its "host:port". Throws
    /// `GatewayStartError` when the address cannot be bound (for example, the port is in use).
    public static func run(listenHost: String, port: Int, nodes: [UInt64: String], logger: Logger) async throws {
        try await run(listenHost: listenHost, port: port, nodes: nodes, options: GatewayOptions(), logger: logger)
    }

    /// As `run(listenHost:port:nodes:logger:)`, with explicit retry timing and further services to
    /// serve on the same port (the cluster supervisor); `onListening` is told the bound address
    /// once the gateway accepts calls.
    public static func run(
        listenHost: String, port: Int, nodes: [UInt64: String], options: GatewayOptions, logger: Logger,
        additionalServices: [any RegistrableRPCService] = [],
        onListening: (@Sendable (_ host: String, _ port: Int) -> Void)? = nil
    ) async throws {
        guard !nodes.isEmpty else { throw GatewayStartError(message: "the gateway needs at least one node address") }
        var clients: [GRPCClient<HTTP2ClientTransport.Posix>] = []
        var members: [Gateway.Node] = []
        for (id, address) in nodes.sorted(by: { $0.key < $1.key }) {
            let (host, nodePort) = PeerLink.split(address)
            guard nodePort > 0 else { throw GatewayStartError(message: "node \(id) has no port in its address '\(address)'") }
            let transport = try HTTP2ClientTransport.Posix(
                target: .ipv4(address: host, port: nodePort), transportSecurity: .plaintext)
            let client = GRPCClient(transport: transport)
            clients.append(client)
            members.append(Gateway.Node(id: id, address: address, kv: Raftkv_V1_KV.Client(wrapping: client)))
        }
        let gateway = Gateway(nodes: members, options: options, logger: logger)
        let transport = HTTP2ServerTransport.Posix(
            address: .ipv4(host: listenHost, port: port), transportSecurity: .plaintext,
            config: .defaults { $0.rpc.maxRequestPayloadSize = options.maxRequestBytes })
        let server = GRPCServer(transport: transport, services: [gateway] + additionalServices)

        // The server and the node connections run in their own tasks so that cancelling this one
        // shuts them down gracefully: the listener closes and new streams are refused first, calls
        // in flight get `shutdownGracePeriod` to finish, then whatever is left is cancelled.
        // (Cancelling a NIO server outright while streams still arrive can trap in NIOAsyncWriter.)
        let connections = clients.map { client in Task { try await client.runConnections() } }
        let serving = Task { try await server.serve() }
        let grace = options.shutdownGracePeriod
        do {
            try await withTaskCancellationHandler {
                let bound: (host: String, port: Int)
                do {
                    guard let address = try await transport.listeningAddress.ipv4 else {
                        throw GatewayStartError(message: "the gateway could not listen on \(listenHost):\(port): not an IPv4 address")
                    }
                    bound = (address.host, address.port)
                } catch let error as GatewayStartError {
                    throw error
                } catch {
                    let reason = await serving.result.failure.map(Self.reason) ?? Self.reason(error)
                    throw GatewayStartError(message: "the gateway could not listen on \(listenHost):\(port): \(reason)")
                }
                logger.info("gateway listening", metadata: [
                    "address": "\(bound.host):\(bound.port)",
                    "nodes": "\(nodes.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ","))",
                ])
                onListening?(bound.host, bound.port)
                do {
                    try await serving.value
                } catch {
                    throw GatewayStartError(message: "the gateway on \(listenHost):\(port) failed: \(Self.reason(error))")
                }
            } onCancel: {
                server.beginGracefulShutdown()
                Task {
                    try? await Task.sleep(for: grace)
                    serving.cancel()
                }
            }
        } catch {
            server.beginGracefulShutdown()
            serving.cancel()
            _ = await serving.result
            for client in clients { client.beginGracefulShutdown() }
            for task in connections { _ = await task.result }
            throw error
        }
        for client in clients { client.beginGracefulShutdown() }
        for task in connections { _ = await task.result }
        logger.info("gateway stopped")
    }

    private static func reason(_ error: any Error) -> String {
        let text = "\(error)"
        if text.localizedCaseInsensitiveContains("address already in use") || text.contains("EADDRINUSE") {
            return "the address is already in use (is another gateway running?)"
        }
        return text
    }
}

/// A gateway that could not start, with the reason.
public struct GatewayStartError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

extension Result {
    fileprivate var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
