/// The checker's verdict for a whole history.
public struct LinearizabilityResult: Sendable, CustomStringConvertible {
    /// Overall answer.
    public enum Verdict: String, Sendable, Codable {
        /// Every key has a valid linearization.
        case linearizable
        /// At least one key has none.
        case notLinearizable = "not linearizable"
        /// No violation found, but some key exceeded the search budget.
        case unknown
    }

    /// Overall answer.
    public var verdict: Verdict
    /// Keys with no linearization, with a minimal window for each, ordered by key.
    public var failures: [LinearizabilityFailure]
    /// Keys whose search ran out of budget.
    public var undecidedKeys: [Bytes]
    /// Number of keys checked.
    public var keyCount: Int
    /// Operations considered (failed operations and indeterminate reads excluded).
    public var operationCount: Int
    /// Search nodes visited over all keys.
    public var statesExplored: Int

    /// `true` only when every key was shown linearizable.
    public var isLinearizable: Bool { verdict == .linearizable }

    /// The first failing key's report, if any.
    public var failure: LinearizabilityFailure? { failures.first }

    public var description: String {
        var text = "\(verdict.rawValue): \(operationCount) operations over \(keyCount) keys, \(statesExplored) states explored"
        if !undecidedKeys.isEmpty {
            text += "\nsearch budget exhausted for keys: " + undecidedKeys.map(\.description).joined(separator: ", ")
        }
        for failure in failures { text += "\n" + failure.description }
        return text
    }
}

/// Why one key's history is not linearizable.
public struct LinearizabilityFailure: Sendable, CustomStringConvertible {
    /// The key whose history has no linearization.
    public var key: Bytes
    /// The operation no valid order could take past its completion.
    public var blockedOperation: Operation
    /// Values the key could hold when `blockedOperation` had to take effect (`nil`: absent).
    public var possibleValues: [Bytes?]
    /// A small set of operations that alone has no linearization, in invocation order.
    public var window: [Operation]
    /// Whether `window` is contradictory whatever the key held before it (otherwise it starts from the initial state).
    public var windowIgnoresPriorState: Bool
    /// Operations of this key before and including the point where the search got stuck.
    public var prefixLength: Int
    /// A plain-language account of the anomaly.
    public var explanation: String

    public var description: String {
        var lines = ["key \(key): \(explanation)"]
        let scope = windowIgnoresPriorState ? "whatever the key held before" : "from the initial state"
        lines.append("  smallest failing window (\(window.count) operations, no valid order \(scope)):")
        let origin = window.map(\.invokedAt).min() ?? 0
        for op in window {
            lines.append("    " + Self.timeRange(op, origin: origin) + "  " + op.description)
        }
        return lines.joined(separator: "\n")
    }

    private static func timeRange(_ op: Operation, origin: UInt64) -> String {
        func ms(_ t: UInt64) -> String {
            let micros = (t - origin) / 1_000
            let whole = micros / 1_000, frac = micros % 1_000
            let padded = String(frac).count < 3 ? String(repeating: "0", count: 3 - String(frac).count) + String(frac) : String(frac)
            return "\(whole).\(padded)ms"
        }
        let end: String
        if case .info = op.outcome { end = "∞" } else { end = op.completedAt.map(ms) ?? "∞" }
        return "[+\(ms(op.invokedAt)), +\(end)]"
    }
}
