/// A snapshot image that cannot be read.
public enum KVSnapshotError: Error, Sendable, Equatable, CustomStringConvertible {
    case malformed(String)

    public var description: String {
        switch self {
        case .malformed(let reason): return "malformed key-value snapshot: \(reason)"
        }
    }
}

/// Snapshot image of the store: magic `RKVKV\0\0\u{1}`, applied index, clock, key count, then
/// (key, value) pairs sorted by key, session count, then (client, sequence, last seen, result)
/// sorted by client. Sorting makes the image of equal states byte-identical on every replica.
enum KVSnapshot {
    static let magic: [UInt8] = Array("RKVKV".utf8) + [0, 0, 1]

    struct Image {
        var appliedIndex: UInt64
        var clockMs: UInt64
        var data: [[UInt8]: [UInt8]]
        var sessions: [UInt64: KVStore.Session]
    }

    static func encode(appliedIndex: UInt64, clockMs: UInt64, data: [[UInt8]: [UInt8]], sessions: [UInt64: KVStore.Session]) -> [UInt8] {
        var out = KVCodec.Encoder()
        out.bytes.append(contentsOf: magic)
        out.u64(appliedIndex)
        out.u64(clockMs)
        out.u64(UInt64(data.count))
        for (key, value) in data.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            out.blob(key)
            out.blob(value)
        }
        out.u64(UInt64(sessions.count))
        for (client, session) in sessions.sorted(by: { $0.key < $1.key }) {
            out.u64(client)
            out.u64(session.sequence)
            out.u64(session.lastSeenMs)
            encode(session.result, into: &out)
        }
        return out.bytes
    }

    private static func encode(_ result: KVResult, into out: inout KVCodec.Encoder) {
        switch result {
        case .put:
            out.u8(1)
        case .delete(let existed):
            out.u8(2)
            out.u8(existed ? 1 : 0)
        case .compareAndSwap(let succeeded, let current):
            out.u8(3)
            out.u8(succeeded ? 1 : 0)
            out.u8(current == nil ? 0 : 1)
            if let current { out.blob(current) }
        }
    }

    static func decode(_ bytes: [UInt8]) throws(KVSnapshotError) -> Image {
        var input = KVCodec.Decoder(bytes)
        for byte in magic where input.u8() != byte { throw .malformed("bad magic") }
        guard let applied = input.u64(), let clock = input.u64(), let count = input.u64() else { throw .malformed("truncated header") }
        var data: [[UInt8]: [UInt8]] = [:]
        for _ in 0..<count {
            guard let key = input.blob(), let value = input.blob() else { throw .malformed("truncated data") }
            data[key] = value
        }
        guard let sessionCount = input.u64() else { throw .malformed("truncated sessions") }
        var sessions: [UInt64: KVStore.Session] = [:]
        for _ in 0..<sessionCount {
            guard let client = input.u64(), let sequence = input.u64(), let seen = input.u64() else {
                throw .malformed("truncated session")
            }
            sessions[client] = KVStore.Session(sequence: sequence, result: try decodeResult(&input), lastSeenMs: seen)
        }
        guard input.isAtEnd else { throw .malformed("trailing bytes") }
        return Image(appliedIndex: applied, clockMs: clock, data: data, sessions: sessions)
    }

    private static func decodeResult(_ input: inout KVCodec.Decoder) throws(KVSnapshotError) -> KVResult {
        switch input.u8() {
        case 1:
            return .put
        case 2:
            guard let existed = input.u8() else { throw .malformed("truncated result") }
            return .delete(existed: existed == 1)
        case 3:
            guard let succeeded = input.u8(), let hasCurrent = input.u8() else { throw .malformed("truncated result") }
            var current: [UInt8]?
            if hasCurrent == 1 {
                guard let value = input.blob() else { throw .malformed("truncated result") }
                current = value
            }
            return .compareAndSwap(succeeded: succeeded == 1, current: current)
        default:
            throw .malformed("unknown result type")
        }
    }
}
