/// Everything the engine asks its driver to do after a batch of inputs.
///
/// The driver handles each `Ready` in the order they were produced:
/// 1. Send `messages` at once; they depend on nothing unpersisted.
/// 2. Make durable, in this order and in one sync: `snapshot` (which replaces the whole stored
///    log), then `entries` (first dropping any stored entries at or after `entries.first.index`),
///    then `hardState`.
/// 3. Only after that sync returns, and the syncs of every earlier Ready too, send
///    `messagesAfterPersist` and call `RaftNode.storageDidPersist(through: id)`. Readies are
///    acknowledged in order; acknowledging an id acknowledges every earlier one too.
/// 4. Install `snapshot` in the state machine (if any), then apply `committedEntries` in order. They
///    are already durable locally and committed by a quorum. Serve `readStates` once the state
///    machine has applied up to their index.
///
/// Steps 1 and 4 may overlap with the sync of step 2; a driver may also call `ready()` again before
/// an earlier Ready is durable (pipelining), as long as it persists and acknowledges them in order.
public struct Ready: Sendable {
    /// Identifies this Ready for `storageDidPersist(through:)`.
    public var id: UInt64
    /// New hard state to persist, or nil when there is none to write. A commit index that changed
    /// alone is not handed out: it is written with the next entries, snapshot, term or vote, so the
    /// commit index on disk may lag behind (a restarted node learns it again from the leader).
    public var hardState: HardState?
    /// A snapshot received from the leader: persist it in place of the whole stored log and install
    /// it in the state machine.
    public var snapshot: Snapshot?
    /// Entries to persist; any stored entry at or after the first of these is replaced.
    public var entries: [Entry]
    /// Messages that may be sent immediately.
    public var messages: [Message]
    /// Messages that may only be sent after this Ready's state is durable.
    public var messagesAfterPersist: [Message]
    /// Committed, locally durable entries to apply, in index order.
    public var committedEntries: [Entry]
    /// Outcomes of ReadIndex requests.
    public var readStates: [ReadState]
    /// Role and leader, when they changed since the last Ready.
    public var softState: SoftState?

    /// True when the driver has anything to write before acknowledging.
    public var needsPersistence: Bool {
        hardState != nil || snapshot != nil || !entries.isEmpty
    }
}

/// The part of a node's state that is not persisted but that drivers and dashboards watch.
public struct SoftState: Sendable, Hashable {
    public var role: Role
    public var leader: NodeID
}

/// The outcome of a ReadIndex request.
///
/// `.confirmed(index)`: once the local state machine has applied `index`, a read of it is
/// linearizable. `.rejected(leaderHint)`: this node could not serve the read (not leader, or lost
/// leadership before a quorum confirmed it); retry, preferably at the hinted leader.
public struct ReadState: Sendable, Hashable {
    /// How a read request ended.
    public enum Outcome: Sendable, Hashable {
        case confirmed(index: LogIndex)
        case rejected(leaderHint: NodeID?)
    }

    public var requestID: UInt64
    public var outcome: Outcome

    public init(requestID: UInt64, outcome: Outcome) {
        self.requestID = requestID
        self.outcome = outcome
    }
}

/// Why a proposal or a leadership transfer was refused.
public enum ProposalError: Error, Sendable, Hashable, CustomStringConvertible {
    case notLeader(leaderHint: NodeID?)
    case leadershipTransferInProgress
    case unknownNode(NodeID)

    public var description: String {
        switch self {
        case .notLeader(let hint):
            return hint.map { "not the leader; the leader is node \($0)" } ?? "not the leader; no leader is known"
        case .leadershipTransferInProgress:
            return "leadership transfer in progress; retry shortly"
        case .unknownNode(let id):
            return "node \(id) is not a voter in this cluster"
        }
    }
}

/// Where proposed commands landed in the log. A command took effect exactly when the entry applied
/// at its index has `term`; if another term's entry is applied there, the proposal was lost.
public struct ProposalReceipt: Sendable, Hashable {
    public var term: Term
    public var firstIndex: LogIndex
    public var lastIndex: LogIndex
}

/// What a node restores from durable storage when it starts.
public struct PersistentState: Sendable, Hashable {
    public var hardState: HardState
    public var snapshot: Snapshot?
    /// Entries after the snapshot, contiguous.
    public var entries: [Entry]

    public init(hardState: HardState = HardState(), snapshot: Snapshot? = nil, entries: [Entry] = []) {
        self.hardState = hardState
        self.snapshot = snapshot
        self.entries = entries
    }
}
