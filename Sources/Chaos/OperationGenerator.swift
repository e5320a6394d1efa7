import Linearizability
import RaftEngine

/// The operations one client issues: a seeded mix of get (40%), put (25%), cas (25%) and delete
/// (10%) over a small key set. Every written value is unique (`c<client>-<n>`), so a read names
/// the write it observed. A cas expects the value this client last saw for the key, so that
/// many of them succeed.
struct OperationGenerator: Sendable {
    private var random: SeededRandom
    private let client: Int
    private let keys: [Bytes]
    private var written = 0
    private var lastSeen: [Bytes: Bytes?] = [:]

    init(client: Int, keys: [Bytes], seed: UInt64) {
        self.client = client
        self.keys = keys
        random = SeededRandom(seed: seed ^ (UInt64(client) &* 0x9E37_79B9_7F4A_7C15))
    }

    mutating func next() -> (key: Bytes, kind: Linearizability.Operation.Kind) {
        let key = keys.randomElement(using: &random)!
        let roll = Int.random(in: 0..<100, using: &random)
        switch roll {
        case ..<40:
            return (key, .get)
        case ..<65:
            return (key, .put(freshValue()))
        case ..<90:
            return (key, .cas(expected: lastSeen[key] ?? nil, new: freshValue()))
        default:
            return (key, .delete)
        }
    }

    /// Remembers what an acknowledged operation showed about the key.
    mutating func observe(_ key: Bytes, value: Bytes?) { lastSeen[key] = .some(value) }

    private mutating func freshValue() -> Bytes {
        written += 1
        return Bytes("c\(client)-\(written)")
    }
}
