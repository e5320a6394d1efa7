import RaftEngine

/// The part of a `Ready` that must be made durable, tagged with the Ready's id.
public struct StorageWrite: Sendable {
    public var readyID: UInt64
    public var snapshot: Snapshot?
    public var entries: [Entry]
    public var hardState: HardState?

    public init(readyID: UInt64, snapshot: Snapshot? = nil, entries: [Entry] = [], hardState: HardState? = nil) {
        self.readyID = readyID
        self.snapshot = snapshot
        self.entries = entries
        self.hardState = hardState
    }

    public init(_ ready: Ready) {
        self.init(readyID: ready.id, snapshot: ready.snapshot, entries: ready.entries, hardState: ready.hardState)
    }
}

/// Proof that a write, and every write submitted before it, is on disk. Only storage can create
/// one, and only after the fsync covering the write returned; acknowledging the engine with it
/// (`RaftNode.storageDidPersist(_:)`) therefore cannot happen too early.
public struct DurableWrite: Sendable, Hashable {
    public let readyID: UInt64

    init(readyID: UInt64) {
        self.readyID = readyID
    }
}

extension RaftNode {
    /// Acknowledges every Ready up to the one whose durable write is proven.
    public mutating func storageDidPersist(_ durable: DurableWrite) {
        storageDidPersist(through: durable.readyID)
    }
}
