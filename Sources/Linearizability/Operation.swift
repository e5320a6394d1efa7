/// One client operation on a single key, as recorded in a history.
///
/// Times are nanoseconds on a clock shared by all clients. Operation `a` precedes `b` in real time
/// only when `a.completedAt < b.invokedAt`; equal times count as concurrent.
public struct Operation: Sendable, Codable, Hashable {
    /// What the client asked for.
    public enum Kind: Sendable, Codable, Hashable {
        /// Read the key.
        case get
        /// Write `value` unconditionally.
        case put(Bytes)
        /// Remove the key.
        case delete
        /// Write `new` only if the key currently holds `expected` (`nil`: only if absent).
        case cas(expected: Bytes?, new: Bytes)
    }

    /// What an acknowledged operation returned.
    public enum Response: Sendable, Codable, Hashable {
        /// A put or delete was applied.
        case done
        /// A get returned this value (`nil`: the key was absent).
        case value(Bytes?)
        /// A compare-and-swap did (`true`) or did not (`false`) swap.
        case swapped(Bool)
    }

    /// How the operation ended.
    public enum Outcome: Sendable, Codable, Hashable {
        /// Acknowledged with a response; it took effect between invocation and completion.
        case ok(Response)
        /// Definitely did not take effect; the checker ignores it.
        case fail
        /// Indeterminate (timeout, lost connection): it may take effect at any time after invocation, or never.
        case info
    }

    /// The client (process) that issued the operation.
    public var process: Int
    /// The key operated on.
    public var key: Bytes
    /// The requested operation.
    public var kind: Kind
    /// When the client sent the request, in nanoseconds.
    public var invokedAt: UInt64
    /// When the client got the answer, in nanoseconds; `nil` (or ignored) for indeterminate operations.
    public var completedAt: UInt64?
    /// How the operation ended.
    public var outcome: Outcome

    /// Creates a recorded operation.
    public init(process: Int, key: Bytes, kind: Kind, invokedAt: UInt64, completedAt: UInt64?, outcome: Outcome) {
        self.process = process
        self.key = key
        self.kind = kind
        self.invokedAt = invokedAt
        self.completedAt = completedAt
        self.outcome = outcome
    }
}

extension Operation: CustomStringConvertible {
    /// A one-line form such as `p3 get k -> 7`, `p1 cas k 1->2 failed`, `p2 put k 5 (indeterminate)`.
    public var description: String {
        func show(_ value: Bytes?) -> String { value.map(\.description) ?? "<absent>" }
        var text: String
        switch kind {
        case .get: text = "p\(process) get \(key)"
        case .put(let value): text = "p\(process) put \(key) \(value)"
        case .delete: text = "p\(process) delete \(key)"
        case .cas(let expected, let new): text = "p\(process) cas \(key) \(show(expected))->\(new)"
        }
        switch outcome {
        case .ok(.value(let value)): text += " -> \(show(value))"
        case .ok(.swapped(let swapped)): text += swapped ? " ok" : " failed"
        case .ok(.done): break
        case .fail: text += " (failed)"
        case .info: text += " (indeterminate)"
        }
        return text
    }
}
