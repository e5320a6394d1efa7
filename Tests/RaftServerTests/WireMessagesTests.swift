import RaftEngine
import RaftProto
import XCTest
@testable import RaftServer

final class WireMessagesTests: XCTestCase {
    private func roundTrip(_ message: Message, chunkBytes: Int = 1 << 20) throws -> Message? {
        var decoder = WireDecoder()
        var result: Message?
        for wire in WireMessages.encode(message, chunkBytes: chunkBytes) {
            let bytes: [UInt8] = try wire.serializedBytes()
            let decoded = try Raftkv_V1_RaftMessage(serializedBytes: bytes)
            if let message = try decoder.decode(decoded) {
                XCTAssertNil(result, "only the last chunk completes a message")
                result = message
            }
        }
        return result
    }

    func testEveryMessageTypeRoundTrips() throws {
        let bodies: [Message.Body] = [
            .append(AppendRequest(prevIndex: 4, prevTerm: 2, entries: [
                Entry(term: 3, index: 5, kind: .noop), Entry(term: 3, index: 6, kind: .command, data: [1, 2, 3]),
            ], commit: 4)),
            .append(AppendRequest(prevIndex: 0, prevTerm: 0, entries: [], commit: 0)),
            .appendResponse(AppendResponse(index: 9, rejected: true, hintIndex: 7, hintTerm: 2)),
            .heartbeat(commit: 12, readRound: 3),
            .heartbeatResponse(readRound: 3),
            .vote(VoteRequest(prevote: true, lastIndex: 8, lastTerm: 2, leadershipTransfer: true)),
            .voteResponse(prevote: false, granted: true),
            .snapshot(Snapshot(index: 40, term: 3, data: [])),
            .snapshot(Snapshot(index: 40, term: 3, data: Array(0..<200).map { UInt8($0) })),
            .timeoutNow,
            .readIndexRequest(requestID: 77),
            .readIndexResponse(requestID: 77, index: 0),
            .readIndexResponse(requestID: 78, index: nil),
        ]
        for body in bodies {
            let message = Message(from: 1, to: 2, term: 5, body: body)
            XCTAssertEqual(try roundTrip(message, chunkBytes: 64), message)
        }
    }

    func testLargeSnapshotIsChunked() throws {
        let snapshot = Snapshot(index: 9, term: 1, data: [UInt8](repeating: 7, count: 1000))
        let wire = WireMessages.encode(Message(from: 1, to: 2, term: 1, body: .snapshot(snapshot)), chunkBytes: 300)
        XCTAssertEqual(wire.count, 4)
        XCTAssertEqual(try roundTrip(Message(from: 1, to: 2, term: 1, body: .snapshot(snapshot)), chunkBytes: 300)?.body, .snapshot(snapshot))
    }

    func testOutOfOrderChunksAreRefused() throws {
        let snapshot = Snapshot(index: 9, term: 1, data: [UInt8](repeating: 7, count: 1000))
        let wire = WireMessages.encode(Message(from: 1, to: 2, term: 1, body: .snapshot(snapshot)), chunkBytes: 300)
        var decoder = WireDecoder()
        XCTAssertNil(try decoder.decode(wire[0]))
        XCTAssertThrowsError(try decoder.decode(wire[2]))
    }

    func testMessageWithoutBodyIsRefused() {
        var decoder = WireDecoder()
        XCTAssertThrowsError(try decoder.decode(Raftkv_V1_RaftMessage()))
    }
}
