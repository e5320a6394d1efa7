import Foundation

/// An immutable byte string used for keys and values.
///
/// Encodes as a plain JSON string when the bytes are valid UTF-8, otherwise as `{"base64": "..."}`.
public struct Bytes: Hashable, Sendable, Comparable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// The raw bytes.
    public var bytes: [UInt8]

    /// Wraps raw bytes.
    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// The UTF-8 encoding of `string`.
    public init(_ string: String) { self.bytes = Array(string.utf8) }

    public init(stringLiteral value: String) { self.init(value) }

    /// The bytes as a string when they are valid UTF-8.
    public var utf8String: String? { String(validating: bytes, as: UTF8.self) }

    /// The string form when printable UTF-8, otherwise `0x` followed by hex digits.
    public var description: String {
        if let text = utf8String, !text.isEmpty,
           !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return text
        }
        return "0x" + bytes.map { String(format: "%02x", $0) }.joined()
    }

    public static func < (lhs: Bytes, rhs: Bytes) -> Bool {
        lhs.bytes.lexicographicallyPrecedes(rhs.bytes)
    }
}

extension Bytes: Codable {
    private enum CodingKeys: String, CodingKey { case base64 }

    public init(from decoder: any Decoder) throws {
        if let single = try? decoder.singleValueContainer(), let text = try? single.decode(String.self) {
            self.init(text)
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let encoded = try container.decode(String.self, forKey: .base64)
        guard let data = Data(base64Encoded: encoded) else {
            throw DecodingError.dataCorruptedError(
                forKey: .base64, in: container, debugDescription: "invalid base64")
        }
        self.init(Array(data))
    }

    public func encode(to encoder: any Encoder) throws {
        if let text = utf8String {
            var single = encoder.singleValueContainer()
            try single.encode(text)
        } else {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(Data(bytes).base64EncodedString(), forKey: .base64)
        }
    }
}
