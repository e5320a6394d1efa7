import RaftEngine

/// One framed record of the write-ahead log.
///
/// On disk: `length: u32` (payload bytes), `lengthCRC: u32` (CRC-32C of the four length bytes),
/// `crc: u32` (CRC-32C of the type byte and the payload as stored), `type: u8`, then the payload,
/// whitened (`PayloadWhitening`) in segments of format version 2. All integers are little-endian.
/// The length has its own checksum so that a damaged length is never mistaken for a record cut
/// short by a crash (which would be cut off as a torn write).
enum WALRecord: Equatable {
    /// A log entry. An entry whose index is at or below the last one replaces that suffix.
    case entry(Entry)
    /// The commit index (term and vote live in the hard-state file).
    case commit(LogIndex)
    /// The log was replaced by a snapshot ending at (index, term): earlier entries are void.
    case snapshotMarker(index: LogIndex, term: Term)

    static let headerSize = 13

    private enum Kind: UInt8 {
        case entry = 1
        case commit = 2
        case snapshotMarker = 3
    }

    /// Appends the record as stored in a segment of format version 2, or, when `whitened` is false,
    /// of version 1.
    func encode(into writer: inout ByteWriter, whitened: Bool = true) {
        var payload = ByteWriter()
        let kind: Kind
        switch self {
        case .entry(let entry):
            kind = .entry
            payload.u64(entry.term)
            payload.u64(entry.index)
            payload.u8(entry.kind.rawValue)
            payload.raw(entry.data)
        case .commit(let index):
            kind = .commit
            payload.u64(index)
        case .snapshotMarker(let index, let term):
            kind = .snapshotMarker
            payload.u64(index)
            payload.u64(term)
        }
        if whitened { PayloadWhitening.apply(&payload.bytes) }
        let crc = CRC32C.checksum(payload.bytes, continuing: CRC32C.checksum([kind.rawValue]))
        let length = UInt32(payload.bytes.count)
        writer.u32(length)
        writer.u32(CRC32C.checksum(withUnsafeBytes(of: length.littleEndian) { Array($0) }))
        writer.u32(crc)
        writer.u8(kind.rawValue)
        writer.raw(payload.bytes)
    }

    /// What reading one record at an offset found.
    enum ReadOutcome {
        case record(WALRecord, size: Int)
        /// The bytes end inside this record: a write that did not complete.
        case incomplete
        /// The record is complete but wrong (checksum, type or payload).
        case damaged(String)
    }

    /// The sector size `holdsZeroSector` assumes: the smallest unit a disk writes whole.
    static let sectorSize = 512

    /// True when a sector the damaged record at `offset` covers (its header alone when its length
    /// cannot be trusted) is zero from where the record enters it to the sector's end: in a
    /// zero-filled segment, the trace of a write a crash interrupted, since the disk writes each
    /// sector whole or not at all. A flipped bit leaves no such run: whitened payloads hold no
    /// zero runs of their own (bar a few bytes at a sector's start, by chance).
    static func holdsZeroSector(_ bytes: [UInt8], at offset: Int) -> Bool {
        var reader = ByteReader(bytes, offset: offset)
        var end = offset + headerSize
        if let length = reader.u32(), let lengthCRC = reader.u32(),
           CRC32C.checksum(bytes[offset..<offset + 4]) == lengthCRC {
            end += Int(length)
        }
        end = min(end, bytes.count)
        var start = offset
        while start < end {
            let sectorEnd = min((start / sectorSize + 1) * sectorSize, bytes.count)
            if bytes[start..<sectorEnd].allSatisfy({ $0 == 0 }) { return true }
            start = sectorEnd
        }
        return false
    }

    /// Reads the record at `offset` of a segment whose payloads are `whitened` (format version 2).
    static func read(_ bytes: [UInt8], at offset: Int, whitened: Bool = true) -> ReadOutcome {
        var reader = ByteReader(bytes, offset: offset)
        guard let length = reader.u32(), let lengthCRC = reader.u32() else { return .incomplete }
        guard CRC32C.checksum(bytes[offset..<offset + 4]) == lengthCRC else {
            return .damaged("record length checksum mismatch")
        }
        guard let crc = reader.u32(), let kindByte = reader.u8() else { return .incomplete }
        guard Int(length) <= reader.remaining else { return .incomplete }
        var payload = reader.raw(Int(length))!
        guard CRC32C.checksum(payload, continuing: CRC32C.checksum([kindByte])) == crc else {
            return .damaged("checksum mismatch")
        }
        if whitened { PayloadWhitening.apply(&payload) }
        var fields = ByteReader(payload)
        let size = headerSize + Int(length)
        switch Kind(rawValue: kindByte) {
        case .entry:
            guard let term = fields.u64(), let index = fields.u64(), let kindRaw = fields.u8(),
                  let entryKind = EntryKind(rawValue: kindRaw) else { return .damaged("malformed entry record") }
            let data = fields.raw(fields.remaining)!
            return .record(.entry(Entry(term: term, index: index, kind: entryKind, data: data)), size: size)
        case .commit:
            guard let index = fields.u64(), fields.remaining == 0 else { return .damaged("malformed commit record") }
            return .record(.commit(index), size: size)
        case .snapshotMarker:
            guard let index = fields.u64(), let term = fields.u64(), fields.remaining == 0 else {
                return .damaged("malformed snapshot record")
            }
            return .record(.snapshotMarker(index: index, term: term), size: size)
        case nil:
            return .damaged("unknown record type \(kindByte)")
        }
    }
}
