import Synchronization
import Linearizability

/// One line of `history.jsonl`: the operation as the checker sees it, plus where it was sent and,
/// for failed or indeterminate operations, the error the client saw.
public struct HistoryEntry: Sendable, Codable, Equatable {
    public var operation: Linearizability.Operation
    /// `gateway` or `node-N` (the node that gave the final answer).
    public var via: String
    public var error: String?

    public init(operation: Linearizability.Operation, via: String, error: String? = nil) {
        self.operation = operation
        self.via = via
        self.error = error
    }

    /// Latency in nanoseconds of an acknowledged operation.
    public var latency: UInt64? {
        guard case .ok = operation.outcome, let completed = operation.completedAt else { return nil }
        return completed - operation.invokedAt
    }
}

/// The operations of one schedule, appended by many clients at once.
public final class HistoryRecorder: Sendable {
    private let entries = Mutex<[HistoryEntry]>([])

    public init() {}

    public func record(_ entry: HistoryEntry) { entries.withLock { $0.append(entry) } }

    /// Everything recorded, ordered by invocation time.
    public var all: [HistoryEntry] {
        entries.withLock { $0 }.sorted { ($0.operation.invokedAt, $0.operation.process) < ($1.operation.invokedAt, $1.operation.process) }
    }
}
