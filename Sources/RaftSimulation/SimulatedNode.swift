import DequeModule
import RaftEngine

/// One simulated server: its engine (nil while crashed), its disk, and its state machine.
///
/// The state machine is the hash chain of the applied prefix, so two nodes that applied the same
/// commands in the same order hold the same state, and a snapshot is just (index, chain).
final class SimulatedNode {
    let id: NodeID
    let config: RaftConfig
    var engine: RaftNode?
    /// Bumped on every crash and restart; events of an older incarnation are ignored.
    var incarnation = 0
    /// What must survive a crash: every write whose sync completed.
    var durable = DurableStorage()
    /// In storage-fault mode, the real storage this node writes through.
    let disk: StorageBackedDisk?
    /// The commit index the node had reached when it last crashed.
    var commitAtCrash: LogIndex = 0
    var pendingWrites: Deque<PendingWrite> = []
    var mirror = LogMirror()
    var appliedIndex: LogIndex = 0
    var appliedChain: UInt64 = 0
    var lastCommit: LogIndex = 0
    var role: Role = .follower
    /// Proposals made on this node, by log index: (proposal id, term it was proposed in).
    var pendingProposals: [LogIndex: (proposal: UInt64, term: Term)] = [:]
    /// Reads started on this node: request id -> highest index acknowledged when it began.
    var pendingReads: [UInt64: LogIndex] = [:]
    let tickMicros: UInt64

    init(id: NodeID, config: RaftConfig, tickMicros: UInt64, realStorage: Bool) {
        self.id = id
        self.disk = realStorage ? StorageBackedDisk() : nil
        self.config = config
        self.tickMicros = tickMicros
    }

    var isUp: Bool { engine != nil }

    static func encodeSnapshot(index: LogIndex, chain: UInt64) -> [UInt8] {
        withUnsafeBytes(of: index.littleEndian) { Array($0) } + withUnsafeBytes(of: chain.littleEndian) { Array($0) }
    }

    static func decodeSnapshot(_ data: [UInt8]) -> (index: LogIndex, chain: UInt64) {
        precondition(data.count == 16, "simulated snapshot must be 16 bytes")
        let index = data[0..<8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        let chain = data[8..<16].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        return (index, chain)
    }
}
