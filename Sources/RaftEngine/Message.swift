/// A message between two engines. The transport delivers it with `RaftNode.step(_:)` on `to`.
///
/// `term` is the sender's term, except for pre-vote requests (the term the sender would campaign in)
/// and granted pre-vote responses (the term of the request they answer).
public struct Message: Sendable, Hashable {
    public var from: NodeID
    public var to: NodeID
    public var term: Term
    public var body: Body

    public init(from: NodeID, to: NodeID, term: Term, body: Body) {
        self.from = from
        self.to = to
        self.term = term
        self.body = body
    }

    /// The payload of each message type.
    public enum Body: Sendable, Hashable {
        /// Leader to follower: entries following (prevIndex, prevTerm), and the leader's commit index.
        case append(AppendRequest)
        /// Follower to leader: the outcome of an `append` or `snapshot`.
        case appendResponse(AppendResponse)
        /// Leader to follower: keeps authority alive, carries commit and the ReadIndex round, if any.
        case heartbeat(commit: LogIndex, readRound: UInt64)
        /// Follower to leader: acknowledges a heartbeat (and the read round it carried).
        case heartbeatResponse(readRound: UInt64)
        /// Candidate (or pre-candidate) asking for a vote.
        case vote(VoteRequest)
        /// Answer to a vote or pre-vote request.
        case voteResponse(prevote: Bool, granted: Bool)
        /// Leader to follower: replace your log with this snapshot.
        case snapshot(Snapshot)
        /// Leader to the transfer target: campaign now, without waiting for an election timeout.
        case timeoutNow
        /// Follower to leader: please run a ReadIndex round for my request.
        case readIndexRequest(requestID: UInt64)
        /// Leader to follower: outcome of a forwarded ReadIndex request (`index` nil means refused).
        case readIndexResponse(requestID: UInt64, index: LogIndex?)
    }

    /// True for message types that answer a request (used for stale-term handling).
    public var isResponse: Bool {
        switch body {
        case .appendResponse, .heartbeatResponse, .voteResponse, .readIndexResponse: return true
        default: return false
        }
    }

    /// Approximate encoded size, used by in-flight byte limits and benchmarks.
    public var byteSize: Int {
        switch body {
        case .append(let request): return 48 + request.entries.reduce(0) { $0 + $1.byteSize }
        case .snapshot(let snapshot): return 48 + snapshot.data.count
        default: return 48
        }
    }
}

/// The AppendEntries request.
public struct AppendRequest: Sendable, Hashable {
    public var prevIndex: LogIndex
    public var prevTerm: Term
    public var entries: [Entry]
    public var commit: LogIndex

    public init(prevIndex: LogIndex, prevTerm: Term, entries: [Entry], commit: LogIndex) {
        self.prevIndex = prevIndex
        self.prevTerm = prevTerm
        self.entries = entries
        self.commit = commit
    }
}

/// The AppendEntries response.
///
/// On success `index` is the last index now known to match the leader's log. On rejection
/// `index` is the `prevIndex` that did not match, and the hint lets the leader skip a whole term
/// per round trip: `(hintIndex, hintTerm)` is the follower's last entry at or below
/// `min(prevIndex, lastIndex)` whose term is at most the leader's `prevTerm`. The leader then
/// continues from its own last entry at or below `hintIndex` with a term at most `hintTerm`.
public struct AppendResponse: Sendable, Hashable {
    public var index: LogIndex
    public var rejected: Bool
    public var hintIndex: LogIndex
    public var hintTerm: Term

    public init(index: LogIndex, rejected: Bool = false, hintIndex: LogIndex = 0, hintTerm: Term = 0) {
        self.index = index
        self.rejected = rejected
        self.hintIndex = hintIndex
        self.hintTerm = hintTerm
    }
}

/// The RequestVote request, used for both pre-votes and real votes.
public struct VoteRequest: Sendable, Hashable {
    public var prevote: Bool
    public var lastIndex: LogIndex
    public var lastTerm: Term
    /// Set when campaigning on the leader's `timeoutNow`: voters then ignore their leader lease.
    public var leadershipTransfer: Bool

    public init(prevote: Bool, lastIndex: LogIndex, lastTerm: Term, leadershipTransfer: Bool = false) {
        self.prevote = prevote
        self.lastIndex = lastIndex
        self.lastTerm = lastTerm
        self.leadershipTransfer = leadershipTransfer
    }
}
