/// The keystream that log segments of format version 2 XOR into every record payload, so that no
/// run of zeros a payload holds (a zero-valued value, the high bytes of an index) is stored as
/// zeros. Replay takes a sector of zeros inside a damaged record of a zero-filled segment for a
/// write a crash interrupted; with whitened payloads, a record holding such a sector was never
/// written whole, while damage to a complete record (a flipped bit) is still reported as damage.
///
/// The keystream is fixed (SplitMix64 from a constant seed), so any version can read it back.
enum PayloadWhitening {
    static let keystream: [UInt8] = {
        var state: UInt64 = 0x5241_4654_4B56_5741
        var bytes: [UInt8] = []
        bytes.reserveCapacity(4096)
        while bytes.count < 4096 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var mixed = state
            mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
            mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
            mixed ^= mixed >> 31
            withUnsafeBytes(of: mixed.littleEndian) { bytes.append(contentsOf: $0) }
        }
        return bytes
    }()

    /// XORs the keystream into `bytes` (the same call whitens and restores).
    static func apply(_ bytes: inout [UInt8]) {
        keystream.withUnsafeBufferPointer { key in
            bytes.withUnsafeMutableBufferPointer { data in
                for position in data.indices {
                    data[position] ^= key[position & (key.count - 1)]
                }
            }
        }
    }
}
