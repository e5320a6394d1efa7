import Foundation
import Logging
import RaftEngine
import RaftProto

/// The node's links to its peers: one long-lived outgoing stream per peer (reconnected with
/// backoff, without holding up the others), plus fault injection that cuts chosen peers off.
/// Messages to a peer that is not connected are dropped; Raft retries what matters.
final class PeerNetwork: @unchecked Sendable {
    private let selfID: NodeID
    private let links: [NodeID: PeerLink]
    private let lock = NSLock()
    private var blocked: Set<NodeID> = []

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
        let cut = lock.withLock { blocked }
        for message in messages where !cut.contains(message.to) {
            links[message.to]?.send(message)
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

    func unblockAll() {
        lock.withLock { blocked.removeAll() }
    }
}
