/// Log replication: AppendEntries, heartbeats, snapshots and the commit rule.
extension RaftNode {
    // MARK: Leader side

    /// Sends the next batch of entries to the follower in `slot`, respecting its flow state.
    /// Returns true when a message was sent.
    @discardableResult
    mutating func sendAppend(slot: Int, sendIfEmpty: Bool) -> Bool {
        let peer = voters[slot]
        precondition(peer != id, "a leader does not send to itself")
        if progress[slot].isPaused { return false }
        let prevIndex = progress[slot].next - 1
        guard let prevTerm = log.term(at: prevIndex),
              let entries = log.slice(from: progress[slot].next, through: log.lastIndex, maxBytes: config.maxMessageBytes)
        else {
            sendSnapshot(slot: slot)
            return true
        }
        if entries.isEmpty && !sendIfEmpty { return false }
        let request = AppendRequest(prevIndex: prevIndex, prevTerm: prevTerm, entries: entries, commit: log.committed)
        send(to: peer, .append(request))
        if let last = entries.last {
            switch progress[slot].state {
            case .replicate:
                progress[slot].next = last.index + 1
                progress[slot].inflights.add(lastIndex: last.index, bytes: entries.reduce(0) { $0 + $1.byteSize })
            case .probe:
                progress[slot].probeSent = true
            case .snapshot:
                preconditionFailure("append sent in snapshot state")
            }
        } else if progress[slot].state == .probe {
            progress[slot].probeSent = true
        }
        return true
    }

    /// Sends as many appends as the follower's flow control allows.
    mutating func sendAppends(slot: Int) {
        while sendAppend(slot: slot, sendIfEmpty: false) {}
    }

    private mutating func sendSnapshot(slot: Int) {
        guard let snapshot else {
            preconditionFailure("log compacted to \(log.snapshotIndex) but no snapshot is held")
        }
        progress[slot].becomeSnapshot(index: snapshot.index)
        send(to: voters[slot], .snapshot(snapshot))
    }

    /// Sends new entries to every follower (an empty append to one that has nothing new to get).
    mutating func broadcastAppend() {
        for slot in voters.indices where voters[slot] != id {
            if !sendAppend(slot: slot, sendIfEmpty: true) { continue }
            sendAppends(slot: slot)
        }
    }

    mutating func broadcastHeartbeat() {
        let round = reads.latestSentRound
        for slot in voters.indices where voters[slot] != id {
            sendHeartbeat(slot: slot, readRound: round)
        }
    }

    /// Sends the follower in `slot` a heartbeat carrying the commit index, capped at what it is
    /// known to hold (a follower must never commit an entry it may not have from this leader).
    mutating func sendHeartbeat(slot: Int, readRound: UInt64) {
        send(to: voters[slot], .heartbeat(commit: min(progress[slot].match, log.committed), readRound: readRound))
    }

    /// The transfer target holds our whole log: it can win an election right away.
    func transferTargetIsCaughtUp(_ from: NodeID, slot: Int) -> Bool {
        leadTransferee == from && progress[slot].match == log.lastIndex
    }

    mutating func handleAppendResponse(from: NodeID, _ response: AppendResponse) {
        let slot = slot(of: from)!
        progress[slot].recentActive = true
        if response.rejected {
            var hint = response.hintIndex
            if response.hintTerm > 0 {
                hint = log.lastIndex(atOrBelow: response.hintIndex, withTermAtMost: response.hintTerm).index
            }
            guard progress[slot].handleRejection(rejected: response.index, hint: hint) else { return }
            if progress[slot].state == .replicate { progress[slot].becomeProbe() }
            sendAppend(slot: slot, sendIfEmpty: true)
            return
        }
        precondition(response.index <= log.lastIndex,
                     "node \(from) acknowledged index \(response.index) beyond leader \(id)'s last index \(log.lastIndex) in term \(term)")
        let wasProbe = progress[slot].state == .probe
        let grew = progress[slot].acknowledge(response.index)
        if grew {
            switch progress[slot].state {
            case .probe:
                progress[slot].becomeReplicate()
            case .snapshot:
                if progress[slot].match >= progress[slot].pendingSnapshot { progress[slot].becomeReplicate() }
            case .replicate:
                progress[slot].inflights.free(upTo: response.index)
            }
            maybeCommit()
            sendAppends(slot: slot)
        } else if wasProbe && progress[slot].match == response.index {
            progress[slot].probeSent = false
            sendAppends(slot: slot)
        }
        if transferTargetIsCaughtUp(from, slot: slot) {
            send(to: from, .timeoutNow)
        }
    }

    mutating func handleHeartbeatResponse(from: NodeID, readRound: UInt64) {
        let slot = slot(of: from)!
        progress[slot].recentActive = true
        progress[slot].probeSent = false
        if progress[slot].state == .replicate && progress[slot].inflights.isFull {
            progress[slot].inflights.freeFirst()
        }
        if progress[slot].match < log.lastIndex {
            sendAppend(slot: slot, sendIfEmpty: true)
        }
        if readRound > 0 {
            progress[slot].readRoundConfirmed = max(progress[slot].readRoundConfirmed, readRound)
            acknowledgeReadRound(readRound, from: from)
        }
        if transferTargetIsCaughtUp(from, slot: slot) {
            send(to: from, .timeoutNow)
        }
    }

    /// Advances the commit index to the highest index a quorum holds durably, but only for an entry
    /// of the current term (Raft §5.4.2, "Figure 8"); earlier entries commit with it.
    @discardableResult
    mutating func maybeCommit() -> Bool {
        let me = slot(of: id)!
        progress[me].match = max(progress[me].match, log.persisted)
        progress[me].next = max(progress[me].next, log.persisted + 1)
        let matches = progress.map(\.match).sorted(by: >)
        let candidate = matches[quorum - 1]
        guard candidate > log.committed, log.term(at: candidate) == term else { return false }
        log.commit(to: candidate)
        releaseReadsWaitingForCommit()
        return true
    }

    // MARK: Follower side

    mutating func handleAppend(from leader: NodeID, _ request: AppendRequest) {
        if request.prevIndex < log.committed {
            send(to: leader, .appendResponse(AppendResponse(index: log.committed)))
            return
        }
        if let lastNew = log.appendIfMatching(prevIndex: request.prevIndex, prevTerm: request.prevTerm, newEntries: request.entries) {
            log.commit(to: min(request.commit, lastNew))
            send(to: leader, .appendResponse(AppendResponse(index: lastNew)))
            return
        }
        let hint = log.lastIndex(atOrBelow: request.prevIndex, withTermAtMost: request.prevTerm)
        send(to: leader, .appendResponse(AppendResponse(
            index: request.prevIndex, rejected: true, hintIndex: hint.index, hintTerm: hint.term)))
    }

    mutating func handleHeartbeat(from leader: NodeID, commit: LogIndex, readRound: UInt64) {
        log.commit(to: commit)
        send(to: leader, .heartbeatResponse(readRound: readRound))
    }

    mutating func handleSnapshot(from leader: NodeID, _ incoming: Snapshot) {
        if incoming.index <= log.committed {
            send(to: leader, .appendResponse(AppendResponse(index: log.committed)))
            return
        }
        if log.matches(index: incoming.index, term: incoming.term) {
            log.commit(to: incoming.index)
            send(to: leader, .appendResponse(AppendResponse(index: incoming.index)))
            return
        }
        log.restore(incoming)
        snapshot = incoming
        snapshotToPersist = incoming
        send(to: leader, .appendResponse(AppendResponse(index: incoming.index)))
    }
}
