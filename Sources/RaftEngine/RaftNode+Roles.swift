/// Role changes and elections: PreVote, votes, becoming leader, CheckQuorum.
extension RaftNode {
    mutating func becomeFollower(term newTerm: Term, leader newLeader: NodeID) {
        precondition(newTerm >= term, "term must never go backwards (\(term) -> \(newTerm))")
        if role == .leader { abandonLeadership(newLeader: newLeader) }
        if newTerm > term {
            term = newTerm
            vote = noNode
        }
        role = .follower
        leader = newLeader
        leadTransferee = nil
        votesReceived = [:]
        resetElectionTimer()
    }

    /// Fails every read a leader still holds, so no deposed leader ever confirms one.
    private mutating func abandonLeadership(newLeader: NodeID) {
        for request in reads.drainAll() {
            completeRead(request, index: nil, leaderHint: newLeader == noNode ? nil : newLeader)
        }
        progress = []
        appendsPendingBroadcast = false
    }

    /// Starts a pre-vote round (when enabled and not asked by the leader) or a real election.
    mutating func startElection(leadershipTransfer: Bool) {
        if config.preVote && !leadershipTransfer {
            becomePreCandidate()
        } else {
            becomeCandidate(leadershipTransfer: leadershipTransfer)
        }
    }

    private mutating func becomePreCandidate() {
        precondition(role != .leader, "a leader cannot start a pre-vote")
        role = .preCandidate
        leader = noNode
        votesReceived = [id: true]
        resetElectionTimer()
        if votesReceived.count >= quorum {
            becomeCandidate(leadershipTransfer: false)
            return
        }
        requestVotes(prevote: true, leadershipTransfer: false)
    }

    private mutating func becomeCandidate(leadershipTransfer: Bool) {
        precondition(role != .leader, "a leader cannot start an election")
        term += 1
        vote = id
        role = .candidate
        leader = noNode
        votesReceived = [:]
        resetElectionTimer()
        // Our own vote is counted once storage acknowledges it (see storageDidPersist).
        requestVotes(prevote: false, leadershipTransfer: leadershipTransfer)
    }

    private mutating func requestVotes(prevote: Bool, leadershipTransfer: Bool) {
        let request = VoteRequest(
            prevote: prevote, lastIndex: log.lastIndex, lastTerm: log.lastTerm,
            leadershipTransfer: leadershipTransfer)
        for voter in voters where voter != id {
            send(to: voter, .vote(request), term: prevote ? term + 1 : term)
        }
    }

    /// Counts a vote and moves on when a quorum granted or refused.
    mutating func recordVote(from voter: NodeID, granted: Bool, prevote: Bool) {
        guard (prevote && role == .preCandidate) || (!prevote && role == .candidate) else { return }
        if votesReceived[voter] == nil { votesReceived[voter] = granted }
        let grants = votesReceived.values.filter { $0 }.count
        let refusals = votesReceived.count - grants
        if grants >= quorum {
            if prevote {
                becomeCandidate(leadershipTransfer: false)
            } else {
                becomeLeader()
            }
        } else if refusals >= quorum {
            becomeFollower(term: term, leader: noNode)
        }
    }

    private mutating func becomeLeader() {
        precondition(role == .candidate, "only a candidate can become leader")
        role = .leader
        leader = id
        leadTransferee = nil
        votesReceived = [:]
        heartbeatElapsed = 0
        electionElapsed = 0
        progress = voters.map { _ in
            Progress(next: log.lastIndex + 1, maxInflight: config.maxInflightMessages, maxInflightBytes: config.maxInflightBytes)
        }
        let me = slot(of: id)!
        progress[me].match = log.persisted
        progress[me].becomeReplicate()
        progress[me].recentActive = true
        // A no-op in the new term lets the leader commit (and learn the commit point of) earlier terms.
        log.append([Entry(term: term, index: log.lastIndex + 1, kind: .noop)])
        appendsPendingBroadcast = true
    }

    /// Handles a vote or pre-vote request whose term is at least ours (lower ones are answered earlier).
    mutating func handleVoteRequest(_ message: Message, _ request: VoteRequest) {
        let canVote = vote == message.from
            || (vote == noNode && leader == noNode)
            || (request.prevote && message.term > term)
        if canVote && log.isUpToDate(lastIndex: request.lastIndex, lastTerm: request.lastTerm) {
            send(to: message.from, .voteResponse(prevote: request.prevote, granted: true), term: message.term)
            if !request.prevote {
                vote = message.from
                electionElapsed = 0
            }
        } else {
            send(to: message.from, .voteResponse(prevote: request.prevote, granted: false))
        }
    }

    mutating func tickLeader() {
        heartbeatElapsed += 1
        electionElapsed += 1
        if electionElapsed >= config.electionTimeoutMin {
            electionElapsed = 0
            if config.checkQuorum && !quorumRecentlyActive() {
                becomeFollower(term: term, leader: noNode)
                return
            }
            leadTransferee = nil
        }
        for slot in progress.indices where progress[slot].state == .snapshot {
            progress[slot].snapshotTicks += 1
            if progress[slot].snapshotTicks >= config.snapshotRetryTicks {
                progress[slot].pendingSnapshot = 0
                progress[slot].becomeProbe()
            }
        }
        if heartbeatElapsed >= config.heartbeatInterval {
            heartbeatElapsed = 0
            broadcastHeartbeat()
        }
    }

    /// CheckQuorum: did a quorum (counting ourselves) answer since the last check? Resets the marks.
    private mutating func quorumRecentlyActive() -> Bool {
        var active = 0
        for slot in progress.indices {
            if voters[slot] == id || progress[slot].recentActive { active += 1 }
            progress[slot].recentActive = false
        }
        return active >= quorum
    }
}
