import DequeModule

/// One Raft participant as a pure, deterministic state machine.
///
/// The node driver owns a `RaftNode` value and feeds it inputs: `tick()` for the passage of time,
/// `step(_:)` for messages from peers, `propose(_:)`, `readIndex(requestID:)`,
/// `transferLeadership(to:)`, `compact(upTo:snapshotData:)` and `storageDidPersist(through:)`.
/// After any inputs it calls `ready()` and carries out the returned `Ready`. The engine performs no
/// I/O, reads no clock, starts no thread and touches no global state; its only randomness is a
/// generator seeded from `RaftConfig.randomSeed`. The same inputs therefore always give the same
/// outputs, which is what makes deterministic simulation possible.
///
/// Durability contract:
/// - Nothing that depends on unpersisted state leaves the node: vote grants and append
///   acknowledgements are in `Ready.messagesAfterPersist` and may only be sent after that Ready's
///   hard state, snapshot and entries are durable. (A heartbeat acknowledgement promises nothing
///   durable and goes at once, so a slow disk does not delay reads or CheckQuorum.)
/// - A candidate counts its own vote, and a leader counts its own log toward a quorum, only after
///   storage acknowledged them with `storageDidPersist(through:)`.
/// - Requests (AppendEntries, heartbeats, vote requests, snapshots) go out at once: the leader
///   writes its log in parallel with replicating it.
/// - Committed entries are handed to the application only once they are durable locally.
/// - A restarted node passes everything it had made durable to `init(config:restoring:)`.
public struct RaftNode: Sendable {
    public let config: RaftConfig
    public var id: NodeID { config.id }

    public internal(set) var term: Term = 0
    public internal(set) var vote: NodeID = noNode
    public internal(set) var role: Role = .follower
    public internal(set) var leader: NodeID = noNode

    var log: RaftLog
    /// The newest snapshot this node holds, sent to followers that need compacted entries.
    public internal(set) var snapshot: Snapshot?

    /// Voters in a fixed order, so that every iteration is deterministic.
    let voters: [NodeID]
    /// Per-voter replication progress (leader only), parallel to `voters`.
    var progress: [Progress] = []
    var votesReceived: [NodeID: Bool] = [:]

    var electionElapsed = 0
    var heartbeatElapsed = 0
    var randomizedElectionTimeout = 0
    var random: SeededRandom

    var leadTransferee: NodeID?

    /// New entries not yet broadcast: they are sent when `ready()` is called, so that every proposal
    /// made since the last one reaches each follower in one append. A new commit index alone is
    /// never broadcast; followers learn it from the next append or heartbeat.
    var appendsPendingBroadcast = false
    var reads = ReadIndexQueue()

    // Output accumulated until the next `ready()`.
    var outMessages: [Message] = []
    var outMessagesAfterPersist: [Message] = []
    var outReadStates: [ReadState] = []
    var snapshotToPersist: Snapshot?
    var handedHardState: HardState
    var durableHardState: HardState
    var handedSoftState: SoftState
    var nextReadyID: UInt64 = 1
    /// Readies handed out and not yet acknowledged: their id, last entry and hard state.
    var unacknowledged: Deque<(id: UInt64, lastEntry: (index: LogIndex, term: Term)?, hardState: HardState?)> = []

    /// Creates a node from its durable state (empty for a brand-new node).
    public init(config: RaftConfig, restoring state: PersistentState = PersistentState()) throws(RaftConfigError) {
        try config.validate()
        self.config = config
        self.voters = config.voters.sorted()
        self.random = SeededRandom(seed: config.randomSeed ^ (config.id &* 0x9E37_79B9_7F4A_7C15))
        let snapshotIndex = state.snapshot?.index ?? 0
        let snapshotTerm = state.snapshot?.term ?? 0
        self.log = RaftLog(
            snapshotIndex: snapshotIndex, snapshotTerm: snapshotTerm,
            entries: state.entries, committed: state.hardState.commit)
        self.snapshot = state.snapshot
        self.term = state.hardState.term
        self.vote = state.hardState.vote
        self.handedHardState = state.hardState
        self.durableHardState = state.hardState
        self.handedSoftState = SoftState(role: .follower, leader: noNode)
        precondition(log.lastTerm <= term || term == 0 && log.lastIndex == 0, "restored log has term \(log.lastTerm) above the hard state's term \(term)")
        resetElectionTimer()
    }

    // MARK: Inputs

    /// Advances logical time by one tick.
    public mutating func tick() {
        if role == .leader {
            tickLeader()
        } else {
            electionElapsed += 1
            if electionElapsed >= randomizedElectionTimeout {
                startElection(leadershipTransfer: false)
            }
        }
    }

    /// Appends commands to the log (leader only). They are sent to followers with the next `ready()`,
    /// batched with every other proposal made since the last one.
    @discardableResult
    public mutating func propose(_ commands: [[UInt8]]) throws(ProposalError) -> ProposalReceipt {
        guard role == .leader else { throw .notLeader(leaderHint: leader == noNode ? nil : leader) }
        guard leadTransferee == nil else { throw .leadershipTransferInProgress }
        precondition(!commands.isEmpty, "propose needs at least one command")
        let first = log.lastIndex + 1
        log.append(commands.enumerated().map { offset, data in
            Entry(term: term, index: first + LogIndex(offset), kind: .command, data: data)
        })
        appendsPendingBroadcast = true
        return ProposalReceipt(term: term, firstIndex: first, lastIndex: log.lastIndex)
    }

    /// Asks for a linearizable read point. The answer arrives as a `ReadState` with the same id, on
    /// this node (a follower forwards the request to its leader).
    public mutating func readIndex(requestID: UInt64) {
        if role == .leader {
            handleReadRequest(ReadIndexQueue.Request(requestID: requestID, from: id))
        } else if leader != noNode {
            send(to: leader, .readIndexRequest(requestID: requestID))
        } else {
            outReadStates.append(ReadState(requestID: requestID, outcome: .rejected(leaderHint: nil)))
        }
    }

    /// Hands leadership to `target`: it is brought up to date, then told to campaign at once.
    /// Proposals are refused until the transfer completes or times out (one election timeout).
    public mutating func transferLeadership(to target: NodeID) throws(ProposalError) {
        guard role == .leader else { throw .notLeader(leaderHint: leader == noNode ? nil : leader) }
        guard let slot = slot(of: target) else { throw .unknownNode(target) }
        if target == id || leadTransferee == target { return }
        leadTransferee = target
        electionElapsed = 0
        if progress[slot].match == log.lastIndex {
            send(to: target, .timeoutNow)
        } else {
            sendAppend(slot: slot, sendIfEmpty: true)
        }
    }

    /// Records that the application has made a snapshot of its state at `index` (at most the applied
    /// index, and already durable) and drops the log entries it covers.
    public mutating func compact(upTo index: LogIndex, snapshotData: [UInt8]) {
        precondition(index <= log.applied, "snapshot index \(index) is beyond the applied index \(log.applied)")
        guard index > log.snapshotIndex else { return }
        let snapshotTerm = log.term(at: index)!
        snapshot = Snapshot(index: index, term: snapshotTerm, data: snapshotData)
        log.compact(upTo: index)
    }

    /// Storage made every Ready up to and including `readyID` durable.
    public mutating func storageDidPersist(through readyID: UInt64) {
        var persistedEntry: (index: LogIndex, term: Term)?
        while let first = unacknowledged.first, first.id <= readyID {
            unacknowledged.removeFirst()
            if let entry = first.lastEntry { persistedEntry = entry }
            if let hardState = first.hardState { durableHardState = hardState }
        }
        if let entry = persistedEntry, entry.index <= log.handedOff, log.term(at: entry.index) == entry.term {
            log.persisted = max(log.persisted, entry.index)
        }
        if role == .candidate, durableHardState.term == term, durableHardState.vote == id {
            recordVote(from: id, granted: true, prevote: false)
        }
        if role == .leader { maybeCommit() }
    }

    /// Gives up leadership at once (same term), for example because this node's storage failed and
    /// it can no longer acknowledge anything. Pending reads are rejected; a follower is unaffected.
    public mutating func stepDown() {
        if role == .leader || role == .candidate || role == .preCandidate {
            becomeFollower(term: term, leader: noNode)
        }
    }

    /// The transport could not reach `peer`; a leader stops pipelining to it and probes instead.
    public mutating func reportUnreachable(_ peer: NodeID) {
        guard role == .leader, let slot = slot(of: peer), peer != id else { return }
        if progress[slot].state == .replicate { progress[slot].becomeProbe() }
    }

    /// The transport finished (or failed) sending a snapshot to `peer`.
    public mutating func reportSnapshot(to peer: NodeID, succeeded: Bool) {
        guard role == .leader, let slot = slot(of: peer), progress[slot].state == .snapshot else { return }
        if !succeeded { progress[slot].pendingSnapshot = 0 }
        progress[slot].becomeProbe()
        progress[slot].probeSent = succeeded
    }

    // MARK: Introspection

    public var status: RaftStatus {
        RaftStatus(
            id: id, role: role, term: term, vote: vote, leader: leader,
            lastIndex: log.lastIndex, lastTerm: log.lastTerm, commitIndex: log.committed,
            appliedIndex: log.applied, persistedIndex: log.persisted, snapshotIndex: log.snapshotIndex,
            electionElapsed: electionElapsed, electionTimeout: randomizedElectionTimeout,
            followers: role == .leader ? zip(voters, progress).filter { $0.0 != id }.map { ($0.0, $0.1) } : [],
            leadTransferee: leadTransferee)
    }

    public var commitIndex: LogIndex { log.committed }
    public var snapshotIndex: LogIndex { log.snapshotIndex }
    public var lastIndex: LogIndex { log.lastIndex }

    /// The term of the entry at `index`, or nil when compacted or absent.
    public func term(at index: LogIndex) -> Term? { log.term(at: index) }

    /// Log entries in `from...through` still held in memory, or nil if any were compacted.
    public func entries(from: LogIndex, through: LogIndex) -> [Entry]? {
        log.slice(from: from, through: through)
    }

    // MARK: Helpers shared by the other files

    func slot(of node: NodeID) -> Int? {
        voters.firstIndex(of: node)
    }

    var quorum: Int { config.quorum }

    mutating func send(to: NodeID, _ body: Message.Body, term messageTerm: Term? = nil) {
        let message = Message(from: id, to: to, term: messageTerm ?? term, body: body)
        switch body {
        case .appendResponse, .voteResponse:
            outMessagesAfterPersist.append(message)
        default:
            outMessages.append(message)
        }
    }

    mutating func resetElectionTimer() {
        electionElapsed = 0
        randomizedElectionTimeout = Int.random(in: config.electionTimeoutMin...config.electionTimeoutMax, using: &random)
    }

    /// A leader that has heard from a follower within the last election timeout "holds the lease":
    /// its followers ignore vote requests from would-be candidates (unless the leader asked for it).
    var inLeaderLease: Bool {
        config.checkQuorum && leader != noNode && electionElapsed < config.electionTimeoutMin
    }
}
