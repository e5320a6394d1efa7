import Foundation
import Logging
import RaftEngine
import RaftProto

/// The node's links to its peers: one long-lived outgoing stream per peer (reconnected with
/// backoff, without holding up the others), plus fault injection that cuts chosen peers off or
/// delays and drops outgoing messages (`LinkDegradation`).
/// Messages to a peer that is not connected are dropped; Raft retries what matters.
final class PeerNetwork: @unchecked Sendable {
    private let selfID: NodeID
    private let links: [NodeID: PeerLink]
    private let lock = NSLock()
    private var blocked: Set<NodeID> = []
    private var degradation = LinkDegradation.none

    init(selfID: NodeID, addresses: [NodeID: String], logger: Logger) {
        self.selfID = selfID
        var links: [NodeID: PeerLink] = [:]
        for (id, address) in addresses where id != selfID {
            links[id] = PeerLink(peer: id, address: address, logger: logger)
        }
        self.links = links
    }

    /// Starts every outgoing link. Incoming messages arrive through the RaftTransport service.
    func start() {
        for link in links.values { link.start() }
    }

    func stop() {
        for link in links.values { link.stop() }
    }

    func send(_ messages: [Message]) {
        guard !messages.isEmpty else { return }
        let (cut, faults): (Set<NodeID>, LinkDegradation) = lock.withLock { (self.blocked, self.degradation) }
        for message in messages where !cut.contains(message.to) {
            guard let link = links[message.to] else { continue }
            guard faults != .none else {
                link.send(message)
                continue
            }
            var random = SystemRandomNumberGenerator()
            guard let wait = faults.fate(using: &random) else { continue }
            if wait == .zero {
                link.send(message)
            } else {
                Task { [self] in
                    try? await Task.sleep(for: wait)
                    if !isBlocked(message.to) { link.send(message) }
                }
            }
        }
    }

    func isBlocked(_ peer: NodeID) -> Bool {
        lock.withLock { blocked.contains(peer) }
    }

    var blockedPeers: [NodeID] {
        lock.withLock { blocked.sorted() }
    }

    func block(_ peers: [NodeID]) {
        lock.withLock { blocked.formUnion(peers.filter { $0 != selfID }) }
    }

    func degrade(_ degradation: LinkDegradation) {
        lock.withLock { self.degradation = degradation }
    }

    /// Removes every cut and every degradation.
    func healAll() {
        lock.withLock {
            blocked.removeAll()
            degradation = .none
        }
    }
}
