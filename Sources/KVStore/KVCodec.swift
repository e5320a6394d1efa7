/// The binary encoding of requests in log entries and of store snapshots.
///
/// Request: version byte (1), op byte (1 put, 2 delete, 3 cas-expect-value, 4 cas-expect-absent),
/// client id, sequence, proposed-at (u64 each, little-endian), then length-prefixed (u32) key and,
/// per op, value / expected and new value.
public enum KVCodec {
    static let version: UInt8 = 1

    public static func encode(_ request: KVRequest) -> [UInt8] {
        var out = Encoder()
        out.u8(version)
        switch request.command {
        case .put: out.u8(1)
        case .delete: out.u8(2)
        case .compareAndSwap(_, let expected, _): out.u8(expected == nil ? 4 : 3)
        }
        out.u64(request.clientID)
        out.u64(request.sequence)
        out.u64(request.proposedAtMs)
        switch request.command {
        case .put(let key, let value):
            out.blob(key)
            out.blob(value)
        case .delete(let key):
            out.blob(key)
        case .compareAndSwap(let key, let expected, let newValue):
            out.blob(key)
            if let expected { out.blob(expected) }
            out.blob(newValue)
        }
        return out.bytes
    }

    /// Decodes a request; nil when the bytes are not one (a damaged or foreign entry).
    public static func decode(_ bytes: [UInt8]) -> KVRequest? {
        var input = Decoder(bytes)
        guard input.u8() == version, let op = input.u8(), let client = input.u64(), let sequence = input.u64(),
              let proposedAt = input.u64(), let key = input.blob() else { return nil }
        let command: KVCommand
        switch op {
        case 1:
            guard let value = input.blob() else { return nil }
            command = .put(key: key, value: value)
        case 2:
            command = .delete(key: key)
        case 3:
            guard let expected = input.blob(), let newValue = input.blob() else { return nil }
            command = .compareAndSwap(key: key, expected: expected, newValue: newValue)
        case 4:
            guard let newValue = input.blob() else { return nil }
            command = .compareAndSwap(key: key, expected: nil, newValue: newValue)
        default:
            return nil
        }
        guard input.isAtEnd else { return nil }
        return KVRequest(clientID: client, sequence: sequence, proposedAtMs: proposedAt, command: command)
    }

    struct Encoder {
        var bytes: [UInt8] = []
        mutating func u8(_ value: UInt8) { bytes.append(value) }
        mutating func u64(_ value: UInt64) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
        mutating func blob(_ data: [UInt8]) {
            withUnsafeBytes(of: UInt32(data.count).littleEndian) { bytes.append(contentsOf: $0) }
            bytes.append(contentsOf: data)
        }
    }

    struct Decoder {
        let bytes: [UInt8]
        var offset = 0
        init(_ bytes: [UInt8]) { self.bytes = bytes }
        var isAtEnd: Bool { offset == bytes.count }
        mutating func u8() -> UInt8? {
            guard offset < bytes.count else { return nil }
            defer { offset += 1 }
            return bytes[offset]
        }
        mutating func u64() -> UInt64? { integer(UInt64.self) }
        mutating func blob() -> [UInt8]? {
            guard let count = integer(UInt32.self), bytes.count - offset >= Int(count) else { return nil }
            defer { offset += Int(count) }
            return Array(bytes[offset..<offset + Int(count)])
        }
        private mutating func integer<Value: FixedWidthInteger>(_: Value.Type) -> Value? {
            let size = Value.bitWidth / 8
            guard bytes.count - offset >= size else { return nil }
            var value: Value = 0
            for shift in 0..<size { value |= Value(bytes[offset + shift]) << (8 * shift) }
            offset += size
            return value
        }
    }
}
