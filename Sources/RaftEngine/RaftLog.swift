/// The engine's in-memory copy of the log: a snapshot base plus every entry after it, and the marks
/// that say how far the log is committed, handed to storage, durable and handed to the application.
///
/// Invariants (asserted): `applied <= committed <= lastIndex`, `persisted <= handedOff <= lastIndex`,
/// `snapshotIndex <= applied`, and `entries[i].index == snapshotIndex + 1 + i`.
struct RaftLog: Sendable {
    private(set) var snapshotIndex: LogIndex
    private(set) var snapshotTerm: Term
    private(set) var entries: [Entry]
    private(set) var committed: LogIndex
    /// Highest index handed to the application for applying.
    var applied: LogIndex
    /// Highest index storage has reported durable (for the entries currently in the log).
    var persisted: LogIndex
    /// Highest index handed to storage in a `Ready`.
    var handedOff: LogIndex

    init(snapshotIndex: LogIndex, snapshotTerm: Term, entries: [Entry], committed: LogIndex) {
        self.snapshotIndex = snapshotIndex
        self.snapshotTerm = snapshotTerm
        self.entries = entries
        let last = snapshotIndex + LogIndex(entries.count)
        precondition(committed <= last, "restored commit index \(committed) is beyond the last log index \(last)")
        for (offset, entry) in entries.enumerated() {
            precondition(entry.index == snapshotIndex + 1 + LogIndex(offset), "restored log is not contiguous at index \(entry.index)")
        }
        self.committed = max(committed, snapshotIndex)
        self.applied = snapshotIndex
        self.persisted = last
        self.handedOff = last
    }

    var firstIndex: LogIndex { snapshotIndex + 1 }
    var lastIndex: LogIndex { snapshotIndex + LogIndex(entries.count) }
    var lastTerm: Term { entries.last?.term ?? snapshotTerm }

    /// The term of the entry at `index`, or nil when it is compacted away or not yet written.
    func term(at index: LogIndex) -> Term? {
        if index == snapshotIndex { return snapshotTerm }
        if index < snapshotIndex || index > lastIndex { return nil }
        return entries[Int(index - snapshotIndex - 1)].term
    }

    func entry(at index: LogIndex) -> Entry {
        precondition(index > snapshotIndex && index <= lastIndex, "entry \(index) is outside the log \(firstIndex)...\(lastIndex)")
        return entries[Int(index - snapshotIndex - 1)]
    }

    func matches(index: LogIndex, term: Term) -> Bool {
        self.term(at: index) == term
    }

    /// Raft's election restriction: a log is at least as up to date as ours when its last term is
    /// higher, or equal with a last index at least ours.
    func isUpToDate(lastIndex otherIndex: LogIndex, lastTerm otherTerm: Term) -> Bool {
        otherTerm > lastTerm || (otherTerm == lastTerm && otherIndex >= lastIndex)
    }

    /// Entries in `from...to`, limited to `maxBytes` (the first entry is always included).
    /// Returns nil when part of the range is compacted.
    func slice(from: LogIndex, through to: LogIndex, maxBytes: Int = .max) -> [Entry]? {
        if from > to { return [] }
        guard from > snapshotIndex, to <= lastIndex else { return nil }
        var result: [Entry] = []
        var bytes = 0
        for index in from...to {
            let entry = entries[Int(index - snapshotIndex - 1)]
            if !result.isEmpty && bytes + entry.byteSize > maxBytes { break }
            bytes += entry.byteSize
            result.append(entry)
        }
        return result
    }

    /// The largest index at or below `index` whose term is at most `term` (etcd's conflict search).
    /// Stops at the snapshot base, below which terms are unknown.
    func lastIndex(atOrBelow index: LogIndex, withTermAtMost term: Term) -> (index: LogIndex, term: Term) {
        var index = min(index, lastIndex)
        while index > snapshotIndex, let t = self.term(at: index), t > term {
            index -= 1
        }
        return (index, self.term(at: index) ?? 0)
    }

    /// Leader path: appends entries that continue the log.
    mutating func append(_ newEntries: [Entry]) {
        for entry in newEntries {
            precondition(entry.index == lastIndex + 1, "appended entry \(entry.index) does not follow \(lastIndex)")
            entries.append(entry)
        }
    }

    /// Follower path: if our log holds (prevIndex, prevTerm), drops any conflicting suffix, appends the
    /// new entries, and returns the index of the last entry the request covers. Returns nil on mismatch.
    mutating func appendIfMatching(prevIndex: LogIndex, prevTerm: Term, newEntries: [Entry]) -> LogIndex? {
        guard matches(index: prevIndex, term: prevTerm) else { return nil }
        let lastNew = prevIndex + LogIndex(newEntries.count)
        for (offset, entry) in newEntries.enumerated() {
            precondition(entry.index == prevIndex + 1 + LogIndex(offset), "append request is not contiguous at \(entry.index)")
            if let existing = term(at: entry.index) {
                if existing == entry.term { continue }
                truncate(after: entry.index - 1)
            }
            append(Array(newEntries[offset...]))
            break
        }
        return lastNew
    }

    /// Drops every entry after `index`. Committed entries are never dropped.
    private mutating func truncate(after index: LogIndex) {
        precondition(index >= committed, "attempt to drop committed entry \(index + 1) (commit \(committed))")
        precondition(index >= snapshotIndex, "attempt to truncate inside the snapshot")
        entries.removeLast(Int(lastIndex - index))
        persisted = min(persisted, index)
        handedOff = min(handedOff, index)
    }

    mutating func commit(to index: LogIndex) {
        guard index > committed else { return }
        precondition(index <= lastIndex, "commit \(index) beyond last index \(lastIndex)")
        committed = index
    }

    /// Replaces the whole log with a snapshot base.
    mutating func restore(_ snapshot: Snapshot) {
        precondition(snapshot.index > committed, "snapshot \(snapshot.index) is not ahead of commit \(committed)")
        snapshotIndex = snapshot.index
        snapshotTerm = snapshot.term
        entries.removeAll()
        persisted = min(persisted, committed)
        committed = snapshot.index
        applied = snapshot.index
        handedOff = snapshot.index
    }

    /// Forgets entries up to `index`, which a snapshot now covers.
    mutating func compact(upTo index: LogIndex) {
        precondition(index <= applied, "compacting to \(index) beyond applied \(applied)")
        guard index > snapshotIndex else { return }
        let term = term(at: index)!
        entries.removeFirst(Int(index - snapshotIndex))
        snapshotIndex = index
        snapshotTerm = term
    }
}
