import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import Logging
import RaftEngine
import RaftProto

/// One outgoing stream to one peer. While connected, messages are queued to the stream in order;
/// while not, they are dropped. A failed or closed stream is reopened with exponential backoff
/// (50 ms doubling to 1 s).
final class PeerLink: @unchecked Sendable {
    let peer: NodeID
    let address: String
    private let logger: Logger
    private let lock = NSLock()
    private var sink: AsyncStream<Raftkv_V1_RaftMessage>.Continuation?
    private var task: Task<Void, Never>?
    private var wasConnected = false

    init(peer: NodeID, address: String, logger: Logger) {
        self.peer = peer
        self.address = address
        self.logger = logger
    }

    func start() {
        task = Task { [self] in await runLoop() }
    }

    func stop() {
        task?.cancel()
        lock.withLock { sink?.finish() }
    }

    func send(_ message: Message) {
        lock.withLock {
            guard let sink else { return }
            for wire in WireMessages.encode(message) { sink.yield(wire) }
        }
    }

    private func runLoop() async {
        var backoff = Duration.milliseconds(50)
        let (host, port) = PeerLink.split(address)
        while !Task.isCancelled {
            let (stream, continuation) = AsyncStream<Raftkv_V1_RaftMessage>.makeStream(bufferingPolicy: .bufferingNewest(16_384))
            lock.withLock { sink = continuation }
            do {
                let transport = try HTTP2ClientTransport.Posix(
                    target: .ipv4(address: host, port: port), transportSecurity: .plaintext)
                try await withGRPCClient(transport: transport) { client in
                    let raft = Raftkv_V1_RaftTransport.Client(wrapping: client)
                    let request = StreamingClientRequest<Raftkv_V1_RaftMessage> { [self] writer in
                        for await message in stream {
                            try await writer.write(message)
                            markConnected()
                        }
                    }
                    _ = try await raft.stream(request: request) { response in try response.message }
                }
            } catch {
                if lock.withLock({ wasConnected }) {
                    logger.warning("lost stream to peer", metadata: ["peer": "\(peer)", "error": "\(error)"])
                }
            }
            lock.withLock {
                sink?.finish()
                sink = nil
            }
            if lock.withLock({ wasConnected }) { backoff = .milliseconds(50) }
            lock.withLock { wasConnected = false }
            try? await Task.sleep(for: backoff)
            backoff = min(backoff * 2, .seconds(1))
        }
    }

    private func markConnected() {
        let first = lock.withLock {
            defer { wasConnected = true }
            return !wasConnected
        }
        if first { logger.info("connected to peer", metadata: ["peer": "\(peer)", "address": "\(address)"]) }
    }

    static func split(_ address: String) -> (String, Int) {
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]) else {
            return (address, 0)
        }
        return (String(address[..<colon]), port)
    }
}
