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
        // Answers leave as soon as they are written: a node's latency is a client's latency, and
        // pipelined answers are already batched per write (`PipelineStream`).
        let transport = HTTP2ServerTransport.Posix(
            address: .ipv4(host: host, port: port), transportSecurity: .plaintext,
            config: .defaults {
                $0.connection.flushCoalescing = nil
                $0.rpc.maxRequestPayloadSize = RequestSizeLimit.bytes(maxKeyBytes: options.maxKeyBytes, maxValueBytes: options.maxValueBytes)
                // A large entry must reach a follower well within an election timeout, and the
                // heartbeats queued behind it on the same stream with it. With HTTP/2's default
                // 64 KiB window and 16 KiB frames, a 10 MiB append took hundreds of round trips of
                // flow control and leadership changed on every attempt to replicate it.
                $0.http2.targetWindowSize = 16 << 20
                $0.http2.maxFrameSize = 1 << 20
            })
        let server = GRPCServer(transport: transport, services: [
            KVService(node: node), ControlService(node: node), RaftTransportService(node: node),
        ])
        // The server runs in its own task so that cancelling this one shuts down gracefully: the
        // node stops its peer links, the listener closes, and after a grace period whatever is
        // left is cancelled. (Cancelling a NIO server outright while streams still arrive can trap.)
        let serving = Task { try await server.serve() }
        try await withTaskCancellationHandler {
            do {
                guard let bound = try await transport.listeningAddress.ipv4 else {
                    throw NodeStartError(message: "node \(options.id) could not listen on \(options.address): not an IPv4 address")
                }
                logger.info("listening", metadata: ["address": "\(bound.host):\(bound.port)"])
            } catch {
                serving.cancel()
                let reason = "\(error)".contains("in use") ? "the address is already in use (is another raftd node running?)" : "\(error)"
                await node.stop()
                throw NodeStartError(message: "node \(options.id) could not listen on \(options.address): \(reason)")
            }
            await node.start()
            try await serving.value
        } onCancel: {
            Task {
                await node.stop()
                server.beginGracefulShutdown()
                try? await Task.sleep(for: .seconds(1))
                serving.cancel()
            }
        }
        await node.stop()
    }
}

/// A node that could not start, with the reason.
public struct NodeStartError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
