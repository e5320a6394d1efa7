import RaftEngine

/// What survives a simulated crash: only state whose sync completed.
struct DurableStorage {
    var hardState = HardState()
    var snapshot: Snapshot?
    var entries: [Entry] = []

    init() {}

    /// The oracle after a real recovery: exactly what the node restarted from.
    init(_ state: PersistentState) {
        hardState = state.hardState
        snapshot = state.snapshot
        entries = state.entries
    }

    var persistentState: PersistentState {
        PersistentState(hardState: hardState, snapshot: snapshot, entries: entries)
    }

    /// Applies one synced write: snapshot, then entries (replacing any stored suffix), then hard state.
    /// Returns a description of a durability violation (term or vote going backwards), if any.
    mutating func apply(_ write: PendingWrite) -> String? {
        if let snapshot = write.snapshot {
            // A snapshot from the leader replaces the whole log: entries after it may conflict.
            self.snapshot = snapshot
            entries.removeAll()
        }
        if let first = write.entries.first {
            entries.removeAll { $0.index >= first.index }
            let base = snapshot?.index ?? 0
            let expected = (entries.last?.index ?? base) + 1
            precondition(first.index == expected, "storage gap: entry \(first.index) written after \(expected - 1)")
            entries.append(contentsOf: write.entries)
        }
        if let newState = write.hardState {
            if newState.term < hardState.term {
                return "durable term went backwards: \(hardState.term) -> \(newState.term)"
            }
            if newState.term == hardState.term && hardState.vote != noNode && newState.vote != hardState.vote {
                return "durable vote changed within term \(newState.term): \(hardState.vote) -> \(newState.vote)"
            }
            hardState = newState
        }
        return nil
    }

    /// Drops entries a snapshot now covers (the application compacted its log).
    mutating func compact(to snapshot: Snapshot) {
        self.snapshot = snapshot
        entries.removeAll { $0.index <= snapshot.index }
    }
}

/// A Ready's state on its way to disk, with the messages that must wait for it.
struct PendingWrite {
    var readyID: UInt64
    var snapshot: Snapshot?
    var entries: [Entry]
    var hardState: HardState?
    var messagesAfterPersist: [Message]
    var completesAt: UInt64
}
