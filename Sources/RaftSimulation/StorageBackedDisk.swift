import RaftEngine
import RaftStorage

/// Storage-fault mode: a node persists through the real `NodeStorage` (write-ahead log, hard-state
/// file, snapshot files) on an in-memory file system. A crash keeps only what was fsynced plus a
/// random prefix of the unsynced tail (a torn write), and the restart runs the real recovery.
///
/// `DurableStorage` stays the oracle of what must survive: after recovery, term and vote may not be
/// behind it, and every entry it holds up to the node's commit index must still be there.
final class StorageBackedDisk {
    static let directory = "/raft/node"
    let fileSystem = InMemoryFileSystem()
    private(set) var storage: NodeStorage?

    /// Opens the storage and recovers the node's state, checking it against the oracle.
    func recover(expected oracle: DurableStorage, committed: LogIndex) -> Result<PersistentState, RecoveryProblem> {
        do {
            let storage = try NodeStorage(directory: StorageBackedDisk.directory, fileSystem: fileSystem, options: StorageOptions(segmentBytes: 4096, preallocation: .synchronous))
            self.storage = storage
            let state = storage.recovered
            if let problem = StorageBackedDisk.compare(state, with: oracle, committed: committed) { return .failure(RecoveryProblem(text: problem)) }
            return .success(state)
        } catch {
            return .failure(RecoveryProblem(text: "recovery refused: \(error)"))
        }
    }

    private static func compare(_ state: PersistentState, with oracle: DurableStorage, committed: LogIndex) -> String? {
        let hard = state.hardState
        if hard.term < oracle.hardState.term {
            return "recovered term \(hard.term) is behind the durable term \(oracle.hardState.term)"
        }
        if hard.term == oracle.hardState.term && oracle.hardState.vote != noNode && hard.vote != oracle.hardState.vote {
            return "recovered vote \(hard.vote) differs from the durable vote \(oracle.hardState.vote) in term \(hard.term)"
        }
        let base = state.snapshot?.index ?? 0
        for entry in oracle.entries where entry.index <= committed && entry.index > base {
            let position = Int(entry.index - base - 1)
            guard position < state.entries.count, state.entries[position] == entry else {
                return "committed entry \(entry.index) (term \(entry.term)) was lost or changed by recovery"
            }
        }
        return nil
    }

    func write(_ write: StorageWrite) throws(StorageError) {
        try storage!.write(write)
        try storage!.flush()
    }

    func sync() throws(StorageError) {
        try storage!.sync()
    }

    func saveSnapshot(_ snapshot: Snapshot) throws(StorageError) {
        try storage!.saveSnapshot(snapshot)
    }

    /// Power loss: unsynced bytes vanish except `tornBytes` of each file's unsynced tail.
    func crash(tornBytes: Int) {
        storage = nil
        fileSystem.crash(keepUnsyncedBytes: { _ in tornBytes })
    }
}

/// Why a node's recovered state does not match what it had made durable.
struct RecoveryProblem: Error, CustomStringConvertible {
    var text: String
    var description: String { text }
}
