/// CRC-32C (Castagnoli), the checksum framing every log record and snapshot.
///
/// Computed eight bytes at a time ("slicing-by-8"): table k holds the CRC of a byte followed by k
/// zero bytes, so the eight lookups for one 8-byte word are independent of each other.
public enum CRC32C {
    /// Eight tables of 256 entries, one after the other.
    private static let tables: [UInt32] = {
        var tables = [UInt32](repeating: 0, count: 8 * 256)
        for value in 0..<256 {
            var crc = UInt32(value)
            for _ in 0..<8 {
                crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1
            }
            tables[value] = crc
        }
        for table in 1..<8 {
            for value in 0..<256 {
                let previous = tables[(table - 1) * 256 + value]
                tables[table * 256 + value] = (previous >> 8) ^ tables[Int(previous & 0xFF)]
            }
        }
        return tables
    }()

    /// Continues a checksum over `bytes` (start with 0).
    public static func checksum<Bytes: Sequence>(_ bytes: Bytes, continuing crc: UInt32 = 0) -> UInt32 where Bytes.Element == UInt8 {
        if let result = bytes.withContiguousStorageIfAvailable({ checksum(UnsafeRawBufferPointer($0), continuing: crc) }) {
            return result
        }
        return Array(bytes).withUnsafeBytes { checksum($0, continuing: crc) }
    }

    private static func checksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32) -> UInt32 {
        tables.withUnsafeBufferPointer { table in
            var value = ~crc
            var offset = 0
            while bytes.count - offset >= 8 {
                let low = bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self).littleEndian ^ value
                let high = bytes.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self).littleEndian
                value = table[7 * 256 + Int(low & 0xFF)] ^ table[6 * 256 + Int((low >> 8) & 0xFF)]
                    ^ table[5 * 256 + Int((low >> 16) & 0xFF)] ^ table[4 * 256 + Int(low >> 24)]
                    ^ table[3 * 256 + Int(high & 0xFF)] ^ table[2 * 256 + Int((high >> 8) & 0xFF)]
                    ^ table[256 + Int((high >> 16) & 0xFF)] ^ table[Int(high >> 24)]
                offset += 8
            }
            while offset < bytes.count {
                value = table[Int((value ^ UInt32(bytes[offset])) & 0xFF)] ^ (value >> 8)
                offset += 1
            }
            return ~value
        }
    }
}
