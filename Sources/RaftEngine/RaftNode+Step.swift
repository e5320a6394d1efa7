/// Message dispatch: term rules first, then the handler for the message type.
extension RaftNode {
    /// Delivers a message from a peer.
    public mutating func step(_ message: Message) {
        precondition(message.to == id, "message for node \(message.to) delivered to node \(id)")
        guard message.from != id, slot(of: message.from) != nil else { return }

        if message.term > term {
            if case .vote(let request) = message.body, !request.leadershipTransfer, inLeaderLease {
                // A leader we heard from recently is alive: ignore the would-be candidate entirely.
                return
            }
            switch message.body {
            case .vote(let request) where request.prevote:
                break
            case .voteResponse(prevote: true, granted: true):
                break
            case .append, .heartbeat, .snapshot:
                becomeFollower(term: message.term, leader: message.from)
            default:
                becomeFollower(term: message.term, leader: noNode)
            }
        } else if message.term < term {
            answerStaleMessage(message)
            return
        }

        switch message.body {
        case .vote(let request):
            handleVoteRequest(message, request)
        case .voteResponse(let prevote, let granted):
            let expectedTerm = prevote && granted ? term + 1 : term
            if message.term == expectedTerm {
                recordVote(from: message.from, granted: granted, prevote: prevote)
            }
        case .append(let request):
            acceptLeader(message.from)
            handleAppend(from: message.from, request)
        case .heartbeat(let commit, let readRound):
            acceptLeader(message.from)
            handleHeartbeat(from: message.from, commit: commit, readRound: readRound)
        case .snapshot(let snapshot):
            acceptLeader(message.from)
            handleSnapshot(from: message.from, snapshot)
        case .appendResponse(let response):
            if role == .leader { handleAppendResponse(from: message.from, response) }
        case .heartbeatResponse(let readRound):
            if role == .leader { handleHeartbeatResponse(from: message.from, readRound: readRound) }
        case .timeoutNow:
            if role != .leader { startElection(leadershipTransfer: true) }
        case .readIndexRequest(let requestID):
            if role == .leader {
                handleReadRequest(ReadIndexQueue.Request(requestID: requestID, from: message.from))
            } else {
                send(to: message.from, .readIndexResponse(requestID: requestID, index: nil))
            }
        case .readIndexResponse(let requestID, let index):
            let outcome: ReadState.Outcome = index.map { .confirmed(index: $0) } ?? .rejected(leaderHint: leader == noNode ? nil : leader)
            outReadStates.append(ReadState(requestID: requestID, outcome: outcome))
        }
    }

    /// A message from the current term's leader: follow it and restart the election timer.
    private mutating func acceptLeader(_ from: NodeID) {
        precondition(role != .leader, "two leaders in term \(term): \(id) and \(from)")
        if role != .follower || leader != from {
            becomeFollower(term: term, leader: from)
        } else {
            electionElapsed = 0
        }
    }

    /// A message from an older term. A stale leader is told our term so that it steps down (needed
    /// with PreVote/CheckQuorum, where our term may have grown without its knowledge). The notice
    /// claims nothing about our log (index 0): the sender may by now lead our term, and must not
    /// take it as a match. A stale pre-candidate or forwarded read is refused. Everything else is
    /// dropped.
    private mutating func answerStaleMessage(_ message: Message) {
        switch message.body {
        case .append, .heartbeat:
            if config.checkQuorum || config.preVote {
                send(to: message.from, .appendResponse(AppendResponse(index: 0)))
            }
        case .vote(let request) where request.prevote:
            send(to: message.from, .voteResponse(prevote: true, granted: false))
        case .readIndexRequest(let requestID):
            send(to: message.from, .readIndexResponse(requestID: requestID, index: nil))
        case .readIndexResponse(let requestID, _):
            outReadStates.append(ReadState(requestID: requestID, outcome: .rejected(leaderHint: leader == noNode ? nil : leader)))
        default:
            break
        }
    }
}
