import Chaos
import Linearizability
import XCTest

final class LostWritesTests: XCTestCase {
    private typealias Op = Linearizability.Operation

    private func put(_ value: Bytes, _ start: UInt64, _ end: UInt64?) -> Op {
        Op(process: 1, key: "k", kind: .put(value), invokedAt: start, completedAt: end, outcome: end == nil ? .info : .ok(.done))
    }

    private func delete(_ start: UInt64, _ end: UInt64?) -> Op {
        Op(process: 2, key: "k", kind: .delete, invokedAt: start, completedAt: end, outcome: end == nil ? .info : .ok(.done))
    }

    func testFinalValueOfTheLastWriteLosesNothing() {
        XCTAssertEqual(LostWrites.count(history: [put("a", 0, 1), put("b", 2, 3)], finalValues: ["k": "b"]), 0)
    }

    func testOlderValueSurvivingANewerAcknowledgedWriteIsALoss() {
        XCTAssertEqual(LostWrites.count(history: [put("a", 0, 1), put("b", 2, 3), put("c", 4, 5)], finalValues: ["k": "a"]), 2)
    }

    func testConcurrentWritesMayEndEitherWay() {
        XCTAssertEqual(LostWrites.count(history: [put("a", 0, 10), put("b", 2, 8)], finalValues: ["k": "a"]), 0)
    }

    func testIndeterminateWriteMayWinLate() {
        XCTAssertEqual(LostWrites.count(history: [put("a", 0, nil), put("b", 2, 3)], finalValues: ["k": "a"]), 0)
    }

    func testAbsenceNeedsADeleteThatCouldFollow() {
        let absent: [Bytes: Bytes?] = ["k": .none]
        XCTAssertEqual(LostWrites.count(history: [put("a", 0, 1)], finalValues: absent), 1)
        XCTAssertEqual(LostWrites.count(history: [put("a", 0, 1), delete(2, 3)], finalValues: absent), 0)
        XCTAssertEqual(LostWrites.count(history: [delete(0, nil), put("a", 2, 3)], finalValues: absent), 0)
        XCTAssertEqual(LostWrites.count(history: [delete(0, 1), put("a", 2, 3)], finalValues: absent), 1)
    }
}
