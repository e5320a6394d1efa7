import Chaos
import Foundation
import Linearizability
import XCTest

final class HistoryEntryTests: XCTestCase {
    func testEntriesRoundTripThroughAJSONLine() throws {
        let entries = [
            HistoryEntry(operation: .init(process: 3, key: "k01", kind: .cas(expected: nil, new: "c3-1"), invokedAt: 10,
                                          completedAt: nil, outcome: .info), via: "node-2", error: "deadlineExceeded"),
            HistoryEntry(operation: .init(process: -1, key: "k01", kind: .get, invokedAt: 20, completedAt: 25,
                                          outcome: .ok(.value("c3-1"))), via: "final-read"),
        ]
        for entry in entries {
            let line = try JSONEncoder().encode(entry)
            XCTAssertFalse(line.contains(UInt8(ascii: "\n")))
            XCTAssertEqual(try JSONDecoder().decode(HistoryEntry.self, from: line), entry)
        }
        XCTAssertNil(entries[0].latency)
        XCTAssertEqual(entries[1].latency, 5)
    }

    func testRecorderReturnsOperationsInInvocationOrder() {
        let recorder = HistoryRecorder()
        for start: UInt64 in [30, 10, 20] {
            recorder.record(HistoryEntry(operation: .init(process: 0, key: "k", kind: .get, invokedAt: start, completedAt: start + 1,
                                                          outcome: .ok(.value(nil))), via: "gateway"))
        }
        XCTAssertEqual(recorder.all.map(\.operation.invokedAt), [10, 20, 30])
    }
}
