import KVStore
import RaftEngine

/// A leader's writes that wait to be proposed, and the batch proposed last. A new batch is
/// proposed only once the previous one is committed; writes arriving meanwhile gather into the next
/// batch. Under load this makes a batch hold every write that arrived during one commit round
/// (one append message per follower and one fsync per node for many writes); a write arriving
/// at an idle leader is proposed at once.
struct ProposalBatcher {
    typealias Waiter = (command: [UInt8], reply: WriteReply)

    private var waiting: [Waiter] = []
    /// The last log index of the batch in flight, if any.
    private var inFlightThrough: LogIndex?

    mutating func add(_ command: [UInt8], _ reply: @escaping WriteReply) {
        waiting.append((command, reply))
    }

    var canPropose: Bool { !waiting.isEmpty && inFlightThrough == nil }

    /// Removes and returns every waiting write.
    mutating func takeAll() -> [Waiter] {
        defer { waiting = [] }
        return waiting
    }

    mutating func proposed(through lastIndex: LogIndex) {
        inFlightThrough = lastIndex
    }

    /// The log is committed through `index`.
    mutating func committed(through index: LogIndex) {
        if let last = inFlightThrough, index >= last { inFlightThrough = nil }
    }

    /// Leadership was lost: what was proposed is no longer this node's to wait for.
    mutating func reset() {
        inFlightThrough = nil
    }
}
