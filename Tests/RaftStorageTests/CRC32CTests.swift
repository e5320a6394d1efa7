import XCTest
@testable import RaftStorage

/// The checksum against published CRC-32C values (RFC 3720, appendix B.4, and the common
/// "123456789" check value), at every alignment and split.
final class CRC32CTests: XCTestCase {
    func testPublishedValues() {
        XCTAssertEqual(CRC32C.checksum(Array("123456789".utf8)), 0xE306_9283)
        XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0, count: 32)), 0x8A91_36AA)
        XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)), 0x62A8_AB43)
        XCTAssertEqual(CRC32C.checksum((0..<32).map { UInt8($0) }), 0x46DD_794E)
        XCTAssertEqual(CRC32C.checksum((0..<32).map { UInt8(31 - $0) }), 0x113F_DB5C)
        XCTAssertEqual(CRC32C.checksum([UInt8]()), 0)
    }

    func testSlicesAndNonContiguousSequencesAgreeWithTheWholeBuffer() {
        let bytes = (0..<100).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        let whole = CRC32C.checksum(bytes)
        for split in 0...bytes.count {
            let first = CRC32C.checksum(bytes[0..<split])
            XCTAssertEqual(CRC32C.checksum(bytes[split...], continuing: first), whole, "split at \(split)")
        }
        XCTAssertEqual(CRC32C.checksum(bytes.lazy.map { $0 }), whole)
        for start in 0..<9 {
            XCTAssertEqual(CRC32C.checksum(bytes[start...]), CRC32C.checksum(Array(bytes[start...])), "offset \(start)")
        }
    }
}
