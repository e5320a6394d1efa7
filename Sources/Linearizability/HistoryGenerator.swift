import RaftEngine

/// Produces deterministic, valid (linearizable) concurrent histories by simulating a correct store.
///
/// Each client issues one operation at a time with random latency; every operation that takes
/// effect does so at a random instant inside its interval, and results come from a `RegisterModel`
/// applied in that order. Indeterminate operations take effect at a random later instant or never.
public struct HistoryGenerator: Sendable {
    /// Number of concurrent clients.
    public var clients: Int
    /// Number of distinct keys (`k0`, `k1`, ...).
    public var keys: Int
    /// Number of operations to produce.
    public var operations: Int
    /// Fraction of operations recorded as indeterminate (`info`).
    public var indeterminateRate: Double
    /// Fraction of operations recorded as failed (never applied).
    public var failureRate: Double
    /// When set, values are drawn from this many small numbers; otherwise every write is unique.
    public var valueRange: Int?
    /// Seed for the deterministic random source.
    public var seed: UInt64

    /// A generator; defaults match the chaos suite's shape.
    public init(clients: Int = 10, keys: Int = 16, operations: Int = 20_000, indeterminateRate: Double = 0.02,
                failureRate: Double = 0.01, valueRange: Int? = nil, seed: UInt64 = 1) {
        self.clients = clients
        self.keys = keys
        self.operations = operations
        self.indeterminateRate = indeterminateRate
        self.failureRate = failureRate
        self.valueRange = valueRange
        self.seed = seed
    }

    /// The generated history, ordered by invocation time.
    public func generate() -> [Operation] {
        var rng = SeededRandom(seed: seed)
        var clock = (0..<clients).map { _ in UInt64.random(in: 0..<100_000, using: &rng) }
        var written = Array(repeating: [Bytes](), count: keys)
        var history: [Operation] = []
        var effects: [(at: UInt64, index: Int)] = []
        var counter = 0
        history.reserveCapacity(operations)
        for _ in 0..<operations {
            let client = clock.indices.min { clock[$0] < clock[$1] }!
            let invoke = clock[client]
            let latency = UInt64.random(in: 20_000..<2_000_000, using: &rng)
            let keyIndex = Int.random(in: 0..<keys, using: &rng)
            func freshValue() -> Bytes {
                counter += 1
                let value = valueRange.map { Bytes(String(Int.random(in: 0..<$0, using: &rng))) } ?? Bytes("v\(counter)")
                written[keyIndex].append(value)
                return value
            }
            let kind: Operation.Kind
            switch Double.random(in: 0..<1, using: &rng) {
            case ..<0.45: kind = .get
            case ..<0.75: kind = .put(freshValue())
            case ..<0.82: kind = .delete
            default:
                let recent = written[keyIndex].suffix(4)
                let expected = recent.isEmpty || Double.random(in: 0..<1, using: &rng) < 0.2
                    ? nil : recent.randomElement(using: &rng)
                kind = .cas(expected: expected, new: freshValue())
            }
            let roll = Double.random(in: 0..<1, using: &rng)
            var op = Operation(process: client, key: Bytes("k\(keyIndex)"), kind: kind, invokedAt: invoke,
                               completedAt: invoke + latency, outcome: .ok(.done))
            if roll < failureRate {
                op.outcome = .fail
            } else if roll < failureRate + indeterminateRate {
                op.outcome = .info
                op.completedAt = nil
                if Bool.random(using: &rng) {
                    effects.append((invoke + UInt64.random(in: 0..<(latency * 4), using: &rng), history.count))
                }
            } else {
                effects.append((invoke + UInt64.random(in: 1..<latency, using: &rng), history.count))
            }
            history.append(op)
            clock[client] = invoke + latency + UInt64.random(in: 0..<200_000, using: &rng)
        }
        effects.sort { ($0.at, $0.index) < ($1.at, $1.index) }
        var registers: [Bytes: RegisterModel] = [:]
        for effect in effects {
            let op = history[effect.index]
            let response = registers[op.key, default: RegisterModel()].apply(op.kind)
            if case .ok = op.outcome { history[effect.index].outcome = .ok(response) }
        }
        return history
    }
}
