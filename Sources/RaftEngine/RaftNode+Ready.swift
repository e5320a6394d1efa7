/// Producing `Ready` values: the engine's only output.
extension RaftNode {
    /// True when `ready()` would return something to do.
    public var hasReady: Bool {
        appendsPendingBroadcast || reads.hasUnsentRound
            || !outMessages.isEmpty || !outMessagesAfterPersist.isEmpty || !outReadStates.isEmpty
            || snapshotToPersist != nil || log.handedOff < log.lastIndex
            || currentHardState.mustBePersisted(since: handedHardState) || currentSoftState != handedSoftState
            || log.applied < applyLimit
    }

    /// Collects everything pending: batched broadcasts are sent now, and what is returned is handed
    /// over (it will not be returned again). See `Ready` for how to carry it out.
    public mutating func ready() -> Ready {
        if appendsPendingBroadcast {
            appendsPendingBroadcast = false
            if role == .leader { broadcastAppend() }
        }
        if reads.hasUnsentRound {
            reads.markSent()
            sendReadRound()
        }
        let hardState = currentHardState
        let softState = currentSoftState
        let newEntries = log.slice(from: log.handedOff + 1, through: log.lastIndex) ?? []
        log.handedOff = log.lastIndex
        let limit = applyLimit
        let committed = log.slice(from: log.applied + 1, through: limit) ?? []
        precondition(committed.count == Int(limit - min(limit, log.applied)), "committed entries to apply were compacted")
        log.applied = max(log.applied, limit)

        // A new commit index alone is not worth a sync (a restarted node learns it again from the
        // leader): it is written with the next entries, snapshot, term or vote.
        let writesHardState = hardState != handedHardState
            && (hardState.mustBePersisted(since: handedHardState) || !newEntries.isEmpty || snapshotToPersist != nil)
        let ready = Ready(
            id: nextReadyID,
            hardState: writesHardState ? hardState : nil,
            snapshot: snapshotToPersist,
            entries: newEntries,
            messages: outMessages,
            messagesAfterPersist: outMessagesAfterPersist,
            committedEntries: committed,
            readStates: outReadStates,
            softState: softState != handedSoftState ? softState : nil)
        nextReadyID += 1
        if ready.needsPersistence {
            let lastWritten = newEntries.last.map { ($0.index, $0.term) } ?? ready.snapshot.map { ($0.index, $0.term) }
            unacknowledged.append((ready.id, lastWritten, ready.hardState))
        }
        if writesHardState { handedHardState = hardState }
        handedSoftState = softState
        snapshotToPersist = nil
        outMessages = []
        outMessagesAfterPersist = []
        outReadStates = []
        return ready
    }

    var currentHardState: HardState { HardState(term: term, vote: vote, commit: log.committed) }
    var currentSoftState: SoftState { SoftState(role: role, leader: leader) }

    /// Entries may be applied once committed and durable here.
    var applyLimit: LogIndex { min(log.committed, log.persisted) }
}
