import Foundation

/// What each benchmark client does: which operation comes next and on which key. Keys are the
/// numbers 0..<count, zero-padded to `keySize` bytes; every put writes the same `valueSize` bytes.
struct BenchWorkload: Sendable {
    let keys: [Data]
    let value: Data
    /// Fraction of operations that are puts: 1 writes only, 0 reads only.
    let putRatio: Double

    init(keyCount: Int, keySize: Int, valueSize: Int, putRatio: Double) {
        keys = (0..<keyCount).map { number in
            let digits = String(number)
            return Data((String(repeating: "0", count: max(0, keySize - digits.count)) + digits).utf8)
        }
        value = Data(repeating: UInt8(ascii: "v"), count: valueSize)
        self.putRatio = putRatio
    }

    /// The smallest key size that can hold `keyCount` distinct keys.
    static func minimumKeySize(keyCount: Int) -> Int { String(max(0, keyCount - 1)).count }
}

/// One operation of the mix.
enum BenchOperation: Sendable {
    case put(key: Data)
    case get(key: Data)
}

/// SplitMix64: a fast, per-client random stream, so choosing the next operation never contends.
struct BenchRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }

    /// A uniform value in 0..<bound.
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }

    /// A uniform value in [0, 1).
    mutating func fraction() -> Double { Double(next() >> 11) / Double(1 << 53) }
}

extension BenchWorkload {
    func nextOperation(_ random: inout BenchRandom) -> BenchOperation {
        let key = keys[random.below(keys.count)]
        return random.fraction() < putRatio ? .put(key: key) : .get(key: key)
    }
}
