import Foundation
import RaftProto

/// The messages waiting for one connection of a peer stream. Posting never blocks; the stream's
/// writer takes everything queued at once, so a burst of messages goes out as one write and one
/// flush instead of one per message. Beyond `limit` queued messages the oldest are dropped (Raft
/// retries what matters). Closed when the connection ends or its writer is cancelled.
final class PeerMailbox: @unchecked Sendable {
    private let lock = NSLock()
    private var queued: [Raftkv_V1_RaftMessage] = []
    private var waiter: CheckedContinuation<[Raftkv_V1_RaftMessage]?, Never>?
    private var closed = false
    private let limit: Int

    init(limit: Int) {
        self.limit = limit
    }

    func post(_ messages: [Raftkv_V1_RaftMessage]) {
        let woken: (CheckedContinuation<[Raftkv_V1_RaftMessage]?, Never>, [Raftkv_V1_RaftMessage])? = lock.withLock {
            guard !closed else { return nil }
            queued += messages
            if queued.count > limit { queued.removeFirst(queued.count - limit) }
            guard let waiter else { return nil }
            self.waiter = nil
            defer { queued = [] }
            return (waiter, queued)
        }
        if let (waiter, batch) = woken { waiter.resume(returning: batch) }
    }

    /// Everything queued, waiting for at least one message; nil once closed.
    func takeAll() async -> [Raftkv_V1_RaftMessage]? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let ready: [Raftkv_V1_RaftMessage]?? = lock.withLock {
                    if closed { return .some(nil) }
                    if !queued.isEmpty {
                        defer { queued = [] }
                        return .some(queued)
                    }
                    waiter = continuation
                    return .none
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            close()
        }
    }

    func close() {
        let waiting = lock.withLock {
            closed = true
            queued = []
            defer { waiter = nil }
            return waiter
        }
        waiting?.resume(returning: nil)
    }
}
