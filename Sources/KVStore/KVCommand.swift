/// A write to the key-value store, as carried in a log entry.
public enum KVCommand: Sendable, Hashable {
    case put(key: [UInt8], value: [UInt8])
    case delete(key: [UInt8])
    /// Sets `newValue` only if the current value is `expected` (nil: only if the key is absent).
    case compareAndSwap(key: [UInt8], expected: [UInt8]?, newValue: [UInt8])

    public var key: [UInt8] {
        switch self {
        case .put(let key, _), .delete(let key), .compareAndSwap(let key, _, _): return key
        }
    }

    /// A short human-readable form, e.g. `put k=v`, for logs and the dashboard.
    public var summary: String {
        switch self {
        case .put(let key, let value): return "put \(printable(key))=\(printable(value))"
        case .delete(let key): return "del \(printable(key))"
        case .compareAndSwap(let key, let expected, let newValue):
            return "cas \(printable(key)) \(expected.map(printable) ?? "<absent>")->\(printable(newValue))"
        }
    }
}

/// A command with the client session it belongs to and the leader's clock when it was proposed.
///
/// `clientID` 0 means no session (no deduplication). `proposedAtMs` is stamped by the leader and
/// replicated in the log, so session expiry is the same on every replica.
public struct KVRequest: Sendable, Hashable {
    public var clientID: UInt64
    public var sequence: UInt64
    public var proposedAtMs: UInt64
    public var command: KVCommand

    public init(clientID: UInt64 = 0, sequence: UInt64 = 0, proposedAtMs: UInt64 = 0, command: KVCommand) {
        self.clientID = clientID
        self.sequence = sequence
        self.proposedAtMs = proposedAtMs
        self.command = command
    }
}

/// What a write did.
public enum KVResult: Sendable, Hashable {
    case put
    case delete(existed: Bool)
    case compareAndSwap(succeeded: Bool, current: [UInt8]?)
}

/// Renders bytes as text when they are printable ASCII, as hex otherwise; long values are cut.
func printable(_ bytes: [UInt8]) -> String {
    let limit = 24
    let shown = bytes.prefix(limit)
    let text: String
    if shown.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
        text = String(decoding: shown, as: UTF8.self)
    } else {
        text = "0x" + shown.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
    return bytes.count > limit ? text + "…(\(bytes.count) bytes)" : text
}
