/// Linearizable reads by ReadIndex (Raft thesis §6.4).
extension RaftNode {
    mutating func handleReadRequest(_ request: ReadIndexQueue.Request) {
        guard log.term(at: log.committed) == term else {
            reads.awaitingCommit.append(request)
            return
        }
        if quorum == 1 {
            completeRead(request, index: log.committed, leaderHint: id)
            return
        }
        reads.add(request, commitIndex: log.committed, leader: id)
    }

    /// Called when the commit index moves: reads that waited for this term's first commit can start.
    mutating func releaseReadsWaitingForCommit() {
        guard !reads.awaitingCommit.isEmpty, log.term(at: log.committed) == term else { return }
        let waiting = reads.awaitingCommit
        reads.awaitingCommit = []
        for request in waiting { handleReadRequest(request) }
    }

    /// Sends the newest read round to just enough followers to confirm it with this node's own
    /// vote: those that confirmed a read round most recently (ties by position), so that a
    /// follower that stopped answering is left out from the next round on. Asking every follower
    /// would double the work of a five-node cluster's reads for no gain while all are healthy.
    /// Every periodic heartbeat carries the newest sent round to all followers as well, so a
    /// round whose chosen followers do not answer is confirmed by the others within one
    /// heartbeat interval.
    mutating func sendReadRound() {
        let round = reads.latestSentRound
        let followers = voters.indices.filter { voters[$0] != id }
        let chosen = followers.sorted { a, b in
            (progress[a].readRoundConfirmed, b) > (progress[b].readRoundConfirmed, a)
        }.prefix(quorum - 1)
        for slot in chosen.sorted() {
            sendHeartbeat(slot: slot, readRound: round)
        }
    }

    /// Confirms the reads a quorum has now answered for. A follower whose read is confirmed
    /// answers it only once it has applied up to the read index; as a commit index is never sent
    /// on its own, each such follower also gets a heartbeat carrying it.
    mutating func acknowledgeReadRound(_ round: UInt64, from: NodeID) {
        var followersServed: Set<NodeID> = []
        for (request, index) in reads.acknowledge(round, from: from, quorum: quorum) {
            completeRead(request, index: index, leaderHint: id)
            if request.from != id { followersServed.insert(request.from) }
        }
        for follower in followersServed.sorted() {
            sendHeartbeat(slot: slot(of: follower)!, readRound: 0)
        }
    }

    /// Answers a read: locally as a `ReadState`, or to the follower that forwarded it.
    mutating func completeRead(_ request: ReadIndexQueue.Request, index: LogIndex?, leaderHint: NodeID?) {
        if request.from == id {
            let outcome: ReadState.Outcome = index.map { .confirmed(index: $0) } ?? .rejected(leaderHint: leaderHint)
            outReadStates.append(ReadState(requestID: request.requestID, outcome: outcome))
        } else {
            send(to: request.from, .readIndexResponse(requestID: request.requestID, index: index))
        }
    }
}
