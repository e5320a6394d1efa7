import KVStore
import RaftEngine

/// The last `capacity` applied entries, kept in a ring so that applying an entry costs no copy or
/// allocation; they are decoded into one-line summaries only when the status is asked for.
struct RecentEntries {
    private var ring: [Entry] = []
    private var next = 0
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        ring.reserveCapacity(capacity)
    }

    mutating func append(_ entry: Entry) {
        if ring.count < capacity {
            ring.append(entry)
        } else {
            ring[next] = entry
        }
        next = (next + 1) % capacity
    }

    /// The newest `capacity` entries of the applied ones followed by `unapplied` (the log beyond
    /// the applied index, committed or not), oldest first, each with a one-line summary.
    func summaries(followedBy unapplied: [Entry]) -> [(index: LogIndex, term: Term, summary: String)] {
        let applied = ring.count < capacity ? ring : Array(ring[next...] + ring[..<next])
        return (applied + unapplied.suffix(capacity)).suffix(capacity).map { entry in
            let summary = entry.kind == .noop ? "no-op" : (KVCodec.decode(entry.data)?.command.summary ?? "unknown")
            return (entry.index, entry.term, summary)
        }
    }
}
