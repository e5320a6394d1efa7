import Linearizability

/// Foundation also exports an `Operation` class; this pins the name to the history type.
typealias Operation = Linearizability.Operation

/// Terse constructors for hand-written histories (times in arbitrary units).
enum H {
    static func get(_ p: Int, _ value: Bytes?, _ start: UInt64, _ end: UInt64, key: Bytes = "x") -> Operation {
        Operation(process: p, key: key, kind: .get, invokedAt: start, completedAt: end, outcome: .ok(.value(value)))
    }

    static func put(_ p: Int, _ value: Bytes, _ start: UInt64, _ end: UInt64?, key: Bytes = "x",
                    outcome: Operation.Outcome = .ok(.done)) -> Operation {
        Operation(process: p, key: key, kind: .put(value), invokedAt: start, completedAt: end, outcome: outcome)
    }

    static func delete(_ p: Int, _ start: UInt64, _ end: UInt64?, key: Bytes = "x",
                       outcome: Operation.Outcome = .ok(.done)) -> Operation {
        Operation(process: p, key: key, kind: .delete, invokedAt: start, completedAt: end, outcome: outcome)
    }

    static func cas(_ p: Int, _ expected: Bytes?, _ new: Bytes, _ start: UInt64, _ end: UInt64?,
                    swapped: Bool?, key: Bytes = "x") -> Operation {
        Operation(process: p, key: key, kind: .cas(expected: expected, new: new), invokedAt: start,
                  completedAt: swapped == nil ? nil : end, outcome: swapped.map { .ok(.swapped($0)) } ?? .info)
    }

    static func info(_ op: Operation) -> Operation {
        var op = op
        op.outcome = .info
        op.completedAt = nil
        return op
    }
}
