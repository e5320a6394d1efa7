import GRPCCore
import RaftProto

/// Receives the streams peers open to this node and feeds their messages to the engine.
struct RaftTransportService: Raftkv_V1_RaftTransport.SimpleServiceProtocol {
    let node: NodeHost

    func stream(
        request: RPCAsyncSequence<Raftkv_V1_RaftMessage, any Error>,
        context: ServerContext
    ) async throws -> Raftkv_V1_StreamClosed {
        var decoder = WireDecoder()
        for try await wire in request {
            do {
                if let message = try decoder.decode(wire) { await node.receive(message) }
            } catch {
                throw RPCError(code: .invalidArgument, message: "\(error)")
            }
        }
        return Raftkv_V1_StreamClosed()
    }
}
