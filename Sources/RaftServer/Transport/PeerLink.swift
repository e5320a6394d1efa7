import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import Logging
import RaftEngine
import RaftProto

/// One outgoing stream to one peer. While connected, messages are queued to the stream in order
/// and written in batches (see `PeerMailbox`); while not, they are dropped. A failed or closed stream is reopened with exponential backoff
/// (50 ms doubling to 1 s).
final class PeerLink: @unchecked Sendable {
    let peer: NodeID
    let address: String
    private let logger: Logger
    private let lock = NSLock()
    private var mailbox: PeerMailbox?
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
        lock.withLock { mailbox }?.close()
    }

    func send(_ message: Message) {
        guard let mailbox = lock.withLock({ mailbox }) else { return }
        mailbox.post(WireMessages.encode(message))
    }

    private func runLoop() async {
        var backoff = Duration.milliseconds(50)
        let (host, port) = PeerLink.split(address)
        while !Task.isCancelled {
            let outgoing = PeerMailbox(limit: 16_384)
            lock.withLock { mailbox = outgoing }
            do {
                // Messages are already batched per write (`PeerMailbox`); gRPC's flush coalescing
                // would only hold each batch back by up to its delay.
                let transport = try HTTP2ClientTransport.Posix(
                    target: .ipv4(address: host, port: port), transportSecurity: .plaintext,
                    config: .defaults { $0.connection.flushCoalescing = nil })
                try await withGRPCClient(transport: transport) { client in
                    let raft = Raftkv_V1_RaftTransport.Client(wrapping: client)
                    let request = StreamingClientRequest<Raftkv_V1_RaftMessage> { [self] writer in
                        while let batch = await outgoing.takeAll() {
                            try await writer.write(contentsOf: batch)
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
            outgoing.close()
            lock.withLock { mailbox = nil }
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
