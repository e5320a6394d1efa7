import RaftEngine

/// A node's log as the simulator sees it (everything handed out in Readies), summarised as a hash
/// chain: the chain value at an index identifies the whole prefix up to it. Two logs with the same
/// chain at an index hold identical entries up to there, which makes Log Matching a cheap check.
struct LogMirror {
    private(set) var baseIndex: LogIndex = 0
    private(set) var baseChain: UInt64 = 0
    private(set) var terms: [Term] = []
    private(set) var chains: [UInt64] = []

    var lastIndex: LogIndex { baseIndex + LogIndex(chains.count) }

    func chain(at index: LogIndex) -> UInt64? {
        if index == baseIndex { return baseChain }
        guard index > baseIndex, index <= lastIndex else { return nil }
        return chains[Int(index - baseIndex - 1)]
    }

    func term(at index: LogIndex) -> Term? {
        guard index > baseIndex, index <= lastIndex else { return nil }
        return terms[Int(index - baseIndex - 1)]
    }

    /// Replaces the suffix from the first entry's index and returns (index, term, chain) per entry.
    mutating func write(_ entries: [Entry]) -> [(LogIndex, Term, UInt64)] {
        guard let first = entries.first else { return [] }
        precondition(first.index > baseIndex && first.index <= lastIndex + 1, "mirror gap at \(first.index)")
        let keep = Int(first.index - baseIndex - 1)
        terms.removeLast(terms.count - keep)
        chains.removeLast(chains.count - keep)
        var previous = keep == 0 ? baseChain : chains[keep - 1]
        var written: [(LogIndex, Term, UInt64)] = []
        written.reserveCapacity(entries.count)
        for entry in entries {
            previous = LogMirror.extend(previous, with: entry)
            terms.append(entry.term)
            chains.append(previous)
            written.append((entry.index, entry.term, previous))
        }
        return written
    }

    mutating func reset(baseIndex: LogIndex, baseChain: UInt64) {
        self.baseIndex = baseIndex
        self.baseChain = baseChain
        terms.removeAll()
        chains.removeAll()
    }

    mutating func compact(upTo index: LogIndex) {
        guard index > baseIndex, let chain = chain(at: index) else { return }
        let drop = Int(index - baseIndex)
        terms.removeFirst(drop)
        chains.removeFirst(drop)
        baseIndex = index
        baseChain = chain
    }

    static func extend(_ chain: UInt64, with entry: Entry) -> UInt64 {
        var hash = chain ^ 0xCBF2_9CE4_8422_2325
        func mix(_ value: UInt64) {
            hash = (hash ^ value) &* 0x0000_0100_0000_01B3
            hash ^= hash >> 29
        }
        mix(entry.term)
        mix(entry.index)
        mix(UInt64(entry.kind.rawValue))
        for byte in entry.data { mix(UInt64(byte)) }
        return hash
    }
}
