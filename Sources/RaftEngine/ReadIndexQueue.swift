import DequeModule

/// A leader's pending linearizable reads.
///
/// Reads arriving before the leader has committed an entry of its own term wait in `awaitingCommit`
/// (until then the leader's commit index may be behind the true one). Then they join a *round*: the
/// round records the commit index at the time its reads arrived and is confirmed once a quorum has
/// answered a heartbeat that was sent after the round was created. A round that has not been sent
/// yet can still take new reads, so many reads share one quorum round trip.
struct ReadIndexQueue: Sendable {
    /// One read request and who is waiting for its answer (this node or a follower).
    struct Request: Sendable {
        var requestID: UInt64
        var from: NodeID
    }

    struct Round: Sendable {
        var id: UInt64
        var index: LogIndex
        var requests: [Request]
        var acks: Set<NodeID>
        var sent: Bool
    }

    private(set) var rounds: Deque<Round> = []
    var awaitingCommit: [Request] = []
    private var lastRoundID: UInt64 = 0

    /// The newest round already sent (heartbeats repeat it so a lost heartbeat is retried), or 0.
    var latestSentRound: UInt64 {
        rounds.last(where: { $0.sent })?.id ?? 0
    }

    var hasUnsentRound: Bool { rounds.last.map { !$0.sent } ?? false }

    /// Adds a read at the current commit index, joining the unsent round when there is one.
    mutating func add(_ request: Request, commitIndex: LogIndex, leader: NodeID) {
        if var open = rounds.last, !open.sent {
            precondition(commitIndex >= open.index, "commit index went backwards")
            open.index = commitIndex
            open.requests.append(request)
            rounds[rounds.count - 1] = open
            return
        }
        lastRoundID += 1
        rounds.append(Round(id: lastRoundID, index: commitIndex, requests: [request], acks: [leader], sent: false))
    }

    mutating func markSent() {
        if !rounds.isEmpty { rounds[rounds.count - 1].sent = true }
    }

    /// Records that `from` acknowledged our leadership after round `roundID` was sent, which also
    /// vouches for every earlier round. Returns the reads now confirmed, with their read index.
    mutating func acknowledge(_ roundID: UInt64, from: NodeID, quorum: Int) -> [(Request, LogIndex)] {
        for position in rounds.indices where rounds[position].id <= roundID && rounds[position].sent {
            rounds[position].acks.insert(from)
        }
        var confirmed: [(Request, LogIndex)] = []
        while let first = rounds.first, first.sent, first.acks.count >= quorum {
            rounds.removeFirst()
            confirmed += first.requests.map { ($0, first.index) }
        }
        return confirmed
    }

    /// Removes and returns every pending read (the leader is stepping down).
    mutating func drainAll() -> [Request] {
        let all = awaitingCommit + rounds.flatMap(\.requests)
        awaitingCommit = []
        rounds = []
        return all
    }
}
