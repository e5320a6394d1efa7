import KVStore
import RaftEngine

/// Where a write ended up: its log index and what applying it did.
public typealias WriteOutcome = (index: LogIndex, outcome: KVStore.Applied)

/// What a read found: the value (nil when absent) and the log index the read reflects.
public typealias ReadOutcome = (value: [UInt8]?, index: LogIndex)

/// Receives a write's outcome, or why it failed, exactly once, on the node's actor.
typealias WriteReply = (Result<WriteOutcome, Error>) -> Void

/// Receives a read's outcome, or why it failed, exactly once, on the node's actor.
typealias ReadReply = (Result<ReadOutcome, Error>) -> Void

/// A linearizable read waiting for its ReadIndex confirmation, then for the state machine.
typealias PendingRead = (key: [UInt8], reply: ReadReply)
