import RaftEngine

/// The replicated key-value state machine: applies committed log entries in order, answers reads,
/// and remembers the last result of each client session so that a retried write applies once.
///
/// Everything that affects the state comes from the log (including the time used to expire
/// sessions, stamped by the leader), so every replica that applies the same entries holds the
/// same state and produces the same snapshot.
public struct KVStore: Sendable {
    /// How a write entry was handled.
    public enum Applied: Sendable, Hashable {
        /// The write took effect now.
        case applied(KVResult)
        /// A retry of the client's latest write: it was not applied again; this is its original result.
        case duplicate(KVResult)
        /// A retry of a write older than the client's latest: its result is no longer known.
        case stale
        /// The entry holds no write (a leader's no-op, or bytes that do not decode).
        case none
    }

    /// A client's latest write and its result.
    struct Session: Sendable, Hashable {
        var sequence: UInt64
        var result: KVResult
        var lastSeenMs: UInt64
    }

    public private(set) var appliedIndex: LogIndex = 0
    private(set) var data: [[UInt8]: [UInt8]] = [:]
    private(set) var sessions: [UInt64: Session] = [:]
    /// The latest leader clock seen in the log.
    private(set) var clockMs: UInt64 = 0
    /// Sessions idle for longer than this (by the log's clock) are forgotten, within an eighth of
    /// it more.
    public let sessionTTLMs: UInt64

    public init(sessionTTLMs: UInt64 = 10 * 60 * 1000) {
        self.sessionTTLMs = sessionTTLMs
    }

    public var count: Int { data.count }

    public func get(_ key: [UInt8]) -> [UInt8]? {
        data[key]
    }

    /// Applies the next committed entry. Entries must arrive in index order with no gaps.
    public mutating func apply(_ entry: Entry) -> Applied {
        precondition(entry.index == appliedIndex + 1, "entry \(entry.index) applied after \(appliedIndex)")
        appliedIndex = entry.index
        guard entry.kind == .command, let request = KVCodec.decode(entry.data) else { return .none }
        let previousClockMs = clockMs
        clockMs = max(clockMs, request.proposedAtMs)
        expireSessions(previousClockMs: previousClockMs)
        if request.clientID != 0, let session = sessions[request.clientID] {
            if request.sequence == session.sequence {
                sessions[request.clientID]?.lastSeenMs = clockMs
                return .duplicate(session.result)
            }
            if request.sequence < session.sequence { return .stale }
        }
        let result = execute(request.command)
        if request.clientID != 0 {
            sessions[request.clientID] = Session(sequence: request.sequence, result: result, lastSeenMs: clockMs)
        }
        return .applied(result)
    }

    private mutating func execute(_ command: KVCommand) -> KVResult {
        switch command {
        case .put(let key, let value):
            data[key] = value
            return .put
        case .delete(let key):
            return .delete(existed: data.removeValue(forKey: key) != nil)
        case .compareAndSwap(let key, let expected, let newValue):
            let current = data[key]
            guard current == expected else { return .compareAndSwap(succeeded: false, current: current) }
            data[key] = newValue
            return .compareAndSwap(succeeded: true, current: current)
        }
    }

    /// Forgets idle sessions, sweeping only when the log's clock enters a new eighth of the TTL
    /// (checked for every command, with a session or without): a sweep visits every session, so
    /// one per write would make writes cost O(sessions). The clocks come from the log (the
    /// previous one is in every snapshot), so all replicas sweep at the same entries.
    private mutating func expireSessions(previousClockMs: UInt64) {
        let sweepIntervalMs = max(1, sessionTTLMs / 8)
        guard clockMs > sessionTTLMs, clockMs / sweepIntervalMs != previousClockMs / sweepIntervalMs else { return }
        let cutoff = clockMs - sessionTTLMs
        sessions = sessions.filter { $0.value.lastSeenMs >= cutoff }
    }

    /// Replaces the whole state with a snapshot image (from `snapshotData()`).
    public mutating func restore(_ bytes: [UInt8], index: LogIndex) throws(KVSnapshotError) {
        let image = try KVSnapshot.decode(bytes)
        guard image.appliedIndex == index else {
            throw .malformed("snapshot image is at index \(image.appliedIndex), expected \(index)")
        }
        appliedIndex = image.appliedIndex
        data = image.data
        sessions = image.sessions
        clockMs = image.clockMs
    }

    /// The whole state as bytes, for a snapshot at `appliedIndex`.
    public func snapshotData() -> [UInt8] {
        KVSnapshot.encode(appliedIndex: appliedIndex, clockMs: clockMs, data: data, sessions: sessions)
    }
}
