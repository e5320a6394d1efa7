import RaftEngine

/// The cluster-wide safety properties, checked as the run goes:
/// Election Safety (one leader per term), Log Matching (same index and term means same prefix),
/// Leader Completeness (a new leader holds every committed entry), State Machine Safety (all nodes
/// apply the same entry at an index), and linearizable ReadIndex reads.
struct SafetyChecker {
    private struct IndexTerm: Hashable {
        var index: LogIndex
        var term: Term
    }

    private var leaderOfTerm: [Term: NodeID] = [:]
    private var chainOf: [IndexTerm: UInt64] = [:]
    /// Hash chain of the committed prefix at each index (index 0 is the empty log).
    private(set) var committedChains: [UInt64] = [0]
    /// The term in which each index was first seen committed (by its leader), parallel to
    /// `committedChains`; never decreasing.
    private var committedInTerm: [Term] = [0]
    /// Highest log index of a proposal acknowledged to its client.
    private(set) var highestAcknowledged: LogIndex = 0
    private(set) var violation: String?

    var globalCommit: LogIndex { LogIndex(committedChains.count - 1) }

    private mutating func fail(_ text: String) {
        if violation == nil { violation = text }
    }

    mutating func leaderElected(_ node: NodeID, term: Term, log: LogMirror) {
        if let existing = leaderOfTerm[term], existing != node {
            fail("Election Safety: n\(existing) and n\(node) are both leaders of term \(term)")
        }
        leaderOfTerm[term] = node
        // Entries committed in earlier terms must all be in the new leader's log. (A leader of an
        // old term can still be elected late, after later terms committed more.)
        var commit = globalCommit
        while commit > 0 && committedInTerm[Int(commit)] >= term { commit -= 1 }
        if log.lastIndex < commit || (commit >= log.baseIndex && log.chain(at: commit) != committedChains[Int(commit)]) {
            fail("Leader Completeness: n\(node), leader of term \(term), lacks entries committed before term \(term) up to \(commit)")
        }
    }

    mutating func logWritten(_ node: NodeID, _ written: [(LogIndex, Term, UInt64)]) {
        for (index, term, chain) in written {
            let key = IndexTerm(index: index, term: term)
            if let known = chainOf[key] {
                if known != chain {
                    fail("Log Matching: n\(node) holds an entry at index \(index) term \(term) whose prefix differs from another node's")
                }
            } else {
                chainOf[key] = chain
            }
        }
    }

    /// Checks a node's commit index against the global committed prefix and extends it.
    mutating func commitObserved(_ node: NodeID, term: Term, commit: LogIndex, log: LogMirror) {
        if commit <= globalCommit {
            if let chain = log.chain(at: commit), chain != committedChains[Int(commit)] {
                fail("Commit safety: n\(node) committed a different entry at index \(commit)")
            }
            return
        }
        var index = globalCommit + 1
        precondition(index >= log.baseIndex, "committed prefix has a gap before n\(node)'s snapshot")
        while index <= commit {
            guard let chain = log.chain(at: index) else {
                fail("n\(node) reports commit \(commit) beyond its log \(log.lastIndex)")
                return
            }
            committedChains.append(chain)
            committedInTerm.append(max(term, committedInTerm.last!))
            index += 1
        }
    }

    mutating func applied(_ node: NodeID, index: LogIndex, chain: UInt64) {
        guard index <= globalCommit else {
            fail("State Machine Safety: n\(node) applied index \(index) beyond the committed prefix \(globalCommit)")
            return
        }
        if committedChains[Int(index)] != chain {
            fail("State Machine Safety: n\(node) applied a different entry at index \(index)")
        }
    }

    mutating func acknowledged(index: LogIndex) {
        highestAcknowledged = max(highestAcknowledged, index)
    }

    /// A ReadIndex answer must cover every write acknowledged before the read was issued.
    mutating func readConfirmed(_ node: NodeID, request: UInt64, index: LogIndex, requiredIndex: LogIndex) {
        if index < requiredIndex {
            fail("Linearizability: n\(node) confirmed read r\(request) at index \(index), but index \(requiredIndex) was acknowledged before the read began")
        }
    }

    mutating func report(_ text: String) {
        fail(text)
    }
}
