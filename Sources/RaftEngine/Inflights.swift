import DequeModule

/// AppendEntries sent to one follower and not yet acknowledged, bounded by count and by bytes.
struct Inflights: Sendable {
    private var sent: Deque<(lastIndex: LogIndex, bytes: Int)> = []
    private(set) var bytes = 0
    let maxCount: Int
    let maxBytes: Int

    init(maxCount: Int, maxBytes: Int) {
        self.maxCount = maxCount
        self.maxBytes = maxBytes
    }

    var count: Int { sent.count }

    var isFull: Bool {
        sent.count >= maxCount || (maxBytes > 0 && bytes >= maxBytes)
    }

    mutating func add(lastIndex: LogIndex, bytes: Int) {
        precondition(sent.last.map { $0.lastIndex < lastIndex } ?? true, "in-flight appends must have growing indexes")
        sent.append((lastIndex, bytes))
        self.bytes += bytes
    }

    /// Releases every message whose entries are all at or below `index`.
    mutating func free(upTo index: LogIndex) {
        while let first = sent.first, first.lastIndex <= index {
            bytes -= first.bytes
            sent.removeFirst()
        }
    }

    mutating func freeFirst() {
        if let first = sent.popFirst() { bytes -= first.bytes }
    }

    mutating func reset() {
        sent.removeAll()
        bytes = 0
    }
}
