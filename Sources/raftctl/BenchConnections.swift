import ClusterConfig
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import RaftClient

/// Long-lived gRPC connections for a benchmark: `count` clients, spread round-robin over the
/// addresses, each running its connection for the whole run (unlike `Remote.call`, which connects
/// per call). The connections are closed when `body` returns or throws.
enum BenchConnections {
    static func with<Result: Sendable>(
        _ addresses: [NodeAddress], count: Int,
        _ body: @Sendable ([GRPCClient<HTTP2ClientTransport.Posix>]) async throws -> Result
    ) async throws -> Result {
        var clients: [GRPCClient<HTTP2ClientTransport.Posix>] = []
        for index in 0..<count {
            // No flush coalescing: each request leaves when it is written, with no timer delay,
            // for both systems (as with etcd's Go client).
            let transport = try HTTP2ClientTransport.Posix(
                target: Remote.resolverTarget(addresses[index % addresses.count]), transportSecurity: .plaintext,
                config: .defaults { $0.connection.flushCoalescing = nil })
            clients.append(GRPCClient(transport: transport))
        }
        let opened = clients
        return try await withThrowingTaskGroup(of: Void.self) { group in
            for client in opened {
                group.addTask { try await client.runConnections() }
            }
            defer { for client in opened { client.beginGracefulShutdown() } }
            return try await body(opened)
        }
    }
}
