import RaftEngine

/// A segment file's identity and header.
///
/// Segments are named `<sequence>-<firstIndex>.wal` (16 hex digits each) and start with a 32-byte
/// header: magic `RKVWAL\0\u{1}`, format version (u32), sequence (u64), the index the segment's
/// first new entry will have (u64), and a CRC-32C of those 28 bytes. Sequences are consecutive; a
/// gap means a missing segment. New segments are written in format version 2 (whitened record
/// payloads); version 1 segments (plain payloads) are still read.
struct WALSegment: Equatable {
    static let magic: [UInt8] = Array("RKVWAL".utf8) + [0, 1]
    static let version: UInt32 = 2
    static let readableVersions: ClosedRange<UInt32> = 1...2
    static let headerSize = 32

    var sequence: UInt64
    var firstIndex: LogIndex

    var fileName: String { "\(hex16(sequence))-\(hex16(firstIndex)).wal" }

    init(sequence: UInt64, firstIndex: LogIndex) {
        self.sequence = sequence
        self.firstIndex = firstIndex
    }

    /// Parses a segment file name; nil for anything else.
    init?(fileName: String) {
        guard fileName.hasSuffix(".wal") else { return nil }
        let parts = fileName.dropLast(4).split(separator: "-")
        guard parts.count == 2, parts.allSatisfy({ $0.count == 16 }),
              let sequence = UInt64(parts[0], radix: 16), let first = UInt64(parts[1], radix: 16) else { return nil }
        self.init(sequence: sequence, firstIndex: first)
    }

    var header: [UInt8] {
        var writer = ByteWriter()
        writer.raw(WALSegment.magic)
        writer.u32(WALSegment.version)
        writer.u64(sequence)
        writer.u64(firstIndex)
        writer.u32(CRC32C.checksum(writer.bytes))
        return writer.bytes
    }

    /// True when `bytes` hold this segment's header unfinished, as a crash while the segment was
    /// created leaves it: fewer bytes than a header, or the start of the header and then nothing
    /// but zeros (a zero-filled file).
    func headerIsUnfinished(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= WALSegment.headerSize else { return true }
        let written = zip(bytes, header).prefix { $0 == $1 }.count
        return written < WALSegment.headerSize && bytes[written...].allSatisfy { $0 == 0 }
    }

    /// Whether record payloads are whitened, by the format version of a valid header.
    static func payloadsAreWhitened(header bytes: [UInt8]) -> Bool {
        var reader = ByteReader(bytes, offset: 8)
        return reader.u32()! >= 2
    }

    /// Checks a file's header against this segment's name; returns the problem, if any.
    func validateHeader(_ bytes: [UInt8]) -> String? {
        guard bytes.count >= WALSegment.headerSize else { return "header is incomplete" }
        var reader = ByteReader(bytes)
        guard reader.raw(8)! == WALSegment.magic else { return "bad magic (not a raftkv log segment)" }
        let version = reader.u32()!
        let sequence = reader.u64()!
        let first = reader.u64()!
        let crc = reader.u32()!
        guard CRC32C.checksum(bytes[0..<28]) == crc else { return "header checksum mismatch" }
        guard WALSegment.readableVersions.contains(version) else {
            return "unsupported format version \(version) (this raftd reads versions \(WALSegment.readableVersions.lowerBound)-\(WALSegment.readableVersions.upperBound))"
        }
        guard sequence == self.sequence, first == firstIndex else {
            return "header says sequence \(sequence), first index \(first), but the file name says \(self.sequence), \(firstIndex)"
        }
        return nil
    }
}

func hex16(_ value: UInt64) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: 16 - digits.count) + digits
}
