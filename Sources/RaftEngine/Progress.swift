/// A leader's view of one follower's log.
///
/// - probe: one AppendEntries at a time until the follower's match point is found;
/// - replicate: optimistic pipelining, `next` runs ahead of `match` within the in-flight limits;
/// - snapshot: a snapshot is on its way; nothing else is sent until it is acknowledged or retried.
public struct Progress: Sendable {
    /// How the leader currently replicates to the follower.
    public enum State: String, Sendable {
        case probe, replicate, snapshot
    }

    public internal(set) var match: LogIndex = 0
    public internal(set) var next: LogIndex
    public internal(set) var state: State = .probe
    /// In probe state: an append is outstanding, wait for its answer or the next heartbeat answer.
    var probeSent = false
    var pendingSnapshot: LogIndex = 0
    var snapshotTicks = 0
    /// The follower answered since the last CheckQuorum round.
    var recentActive = false
    /// The newest read round the follower has confirmed, for choosing whom to ask next.
    var readRoundConfirmed: UInt64 = 0
    var inflights: Inflights

    init(next: LogIndex, maxInflight: Int, maxInflightBytes: Int) {
        self.next = next
        self.inflights = Inflights(maxCount: maxInflight, maxBytes: maxInflightBytes)
    }

    /// Whether the leader should hold back further appends.
    var isPaused: Bool {
        switch state {
        case .probe: return probeSent
        case .replicate: return inflights.isFull
        case .snapshot: return true
        }
    }

    mutating func becomeProbe() {
        if state == .snapshot {
            next = max(match + 1, pendingSnapshot + 1)
        } else {
            next = match + 1
        }
        state = .probe
        probeSent = false
        pendingSnapshot = 0
        inflights.reset()
    }

    mutating func becomeReplicate() {
        state = .replicate
        next = match + 1
        probeSent = false
        pendingSnapshot = 0
        inflights.reset()
    }

    mutating func becomeSnapshot(index: LogIndex) {
        state = .snapshot
        pendingSnapshot = index
        snapshotTicks = 0
        probeSent = false
        inflights.reset()
    }

    /// Records an acknowledgement up to `index`; returns true when `match` grew.
    mutating func acknowledge(_ index: LogIndex) -> Bool {
        var grew = false
        if index > match {
            match = index
            grew = true
            probeSent = false
        }
        next = max(next, index + 1)
        return grew
    }

    /// Handles a rejection of the append at `rejected`; `hint` is the highest index that may match.
    /// Returns false when the rejection is stale (answers an append the leader no longer cares about).
    mutating func handleRejection(rejected: LogIndex, hint: LogIndex) -> Bool {
        if state == .replicate {
            if rejected <= match { return false }
            next = match + 1
            return true
        }
        if next == 0 || next - 1 != rejected { return false }
        next = max(min(rejected, hint + 1), match + 1)
        probeSent = false
        return true
    }
}
