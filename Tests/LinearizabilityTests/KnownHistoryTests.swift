import XCTest
@testable import Linearizability

final class KnownHistoryTests: XCTestCase {
    private func check(_ history: [Operation], file: StaticString = #filePath, line: UInt = #line) throws -> LinearizabilityResult {
        let result = try LinearizabilityChecker(parallel: false).check(history)
        XCTAssertNotEqual(result.verdict, .unknown, file: file, line: line)
        return result
    }

    func testSequentialHistoryIsLinearizable() throws {
        let history = [
            H.get(1, nil, 0, 1), H.put(1, "1", 2, 3), H.get(2, "1", 4, 5),
            H.put(2, "2", 6, 7), H.get(1, "2", 8, 9), H.delete(1, 10, 11), H.get(2, nil, 12, 13),
        ]
        XCTAssertTrue(try check(history).isLinearizable)
    }

    func testConcurrentOverlappingHistoryIsLinearizable() throws {
        let history = [
            H.put(1, "1", 0, 10), H.put(2, "2", 5, 15),
            H.get(3, "2", 6, 8), H.get(4, "1", 9, 20), H.get(3, "1", 21, 22),
        ]
        let result = try check(history)
        XCTAssertTrue(result.isLinearizable, result.description)
    }

    func testStaleReadIsNotLinearizable() throws {
        let history = [H.put(1, "1", 0, 1), H.put(1, "2", 2, 3), H.get(2, "1", 4, 5)]
        let result = try check(history)
        XCTAssertFalse(result.isLinearizable)
        let failure = try XCTUnwrap(result.failure)
        XCTAssertEqual(failure.key, "x")
        XCTAssertEqual(failure.blockedOperation, history[2])
        XCTAssertEqual(failure.possibleValues, ["2"])
        XCTAssertEqual(Set(failure.window), [history[1], history[2]])
        XCTAssertTrue(failure.windowIgnoresPriorState)
        XCTAssertTrue(result.description.contains("not linearizable"), result.description)
    }

    func testLostWriteIsNotLinearizable() throws {
        let history = [
            H.put(1, "1", 0, 1), H.get(2, "1", 2, 3), H.put(3, "2", 4, 6),
            H.get(2, "1", 7, 8), H.get(1, "1", 9, 10), H.get(2, "1", 11, 12),
        ]
        let result = try check(history)
        XCTAssertFalse(result.isLinearizable)
        let failure = try XCTUnwrap(result.failure)
        XCTAssertEqual(failure.blockedOperation, history[3])
        XCTAssertTrue(failure.window.contains(history[2]))
        XCTAssertLessThanOrEqual(failure.window.count, 3, failure.description)
    }

    func testTwoSuccessfulCasFromSameValueIsNotLinearizable() throws {
        let history = [
            H.put(1, "0", 0, 1),
            H.cas(2, "0", "a", 10, 20, swapped: true),
            H.cas(3, "0", "b", 12, 22, swapped: true),
        ]
        let result = try check(history)
        XCTAssertFalse(result.isLinearizable)
        XCTAssertEqual(Set(result.failure?.window ?? []), [history[1], history[2]], result.description)
    }

    func testFailedCasWhileValueMatchedIsNotLinearizable() throws {
        let history = [H.put(1, "0", 0, 1), H.cas(2, "0", "a", 2, 3, swapped: false)]
        XCTAssertFalse(try check(history).isLinearizable)
        let concurrent = [H.put(1, "0", 0, 1), H.put(3, "z", 2, 5), H.cas(2, "0", "a", 2, 3, swapped: false)]
        XCTAssertTrue(try check(concurrent).isLinearizable)
    }

    func testCasChainIsLinearizable() throws {
        let history = [
            H.cas(1, nil, "a", 0, 5, swapped: true), H.cas(2, "a", "b", 1, 6, swapped: true),
            H.cas(3, nil, "c", 2, 7, swapped: false), H.get(1, "b", 8, 9),
        ]
        XCTAssertTrue(try check(history).isLinearizable)
    }

    func testIndeterminatePutTakingEffectLateIsLinearizable() throws {
        let history = [
            H.put(1, "1", 0, 1), H.put(2, "2", 2, nil, outcome: .info),
            H.get(3, "1", 3, 4), H.get(3, "1", 10, 11), H.get(4, "2", 50, 51), H.get(3, "2", 60, 61),
        ]
        let result = try check(history)
        XCTAssertTrue(result.isLinearizable, result.description)
    }

    func testIndeterminatePutCannotTakeEffectTwice() throws {
        let history = [
            H.put(1, "1", 0, 1), H.put(2, "2", 2, nil, outcome: .info),
            H.get(3, "2", 10, 11), H.get(3, "1", 20, 21), H.get(3, "2", 30, 31),
        ]
        XCTAssertFalse(try check(history).isLinearizable)
    }

    func testIndeterminatePutBeforeItsInvocationIsNotLinearizable() throws {
        let history = [H.put(1, "1", 0, 1), H.get(3, "2", 2, 3), H.put(2, "2", 5, nil, outcome: .info)]
        XCTAssertFalse(try check(history).isLinearizable)
    }

    func testIndeterminatePutNeverTakingEffectIsLinearizable() throws {
        let history = [
            H.put(1, "1", 0, 1), H.put(2, "2", 2, nil, outcome: .info), H.delete(4, 3, nil, outcome: .info),
            H.get(3, "1", 3, 4), H.get(3, "1", 100, 101), H.get(1, "1", 1_000, 1_001),
        ]
        XCTAssertTrue(try check(history).isLinearizable)
    }

    func testIndeterminateCasTakingEffect() throws {
        let history = [
            H.put(1, "a", 0, 1), H.cas(2, "a", "b", 2, nil, swapped: nil),
            H.get(3, "a", 3, 4), H.get(3, "b", 9, 10),
        ]
        XCTAssertTrue(try check(history).isLinearizable)
        let wrongExpected = [H.put(1, "a", 0, 1), H.cas(2, "z", "b", 2, nil, swapped: nil), H.get(3, "b", 9, 10)]
        XCTAssertFalse(try check(wrongExpected).isLinearizable)
    }

    func testChainOfIndeterminateOperations() throws {
        let history = [
            H.put(1, "0", 0, 1), H.put(2, "a", 2, nil, outcome: .info),
            H.cas(3, "a", "b", 3, nil, swapped: nil), H.get(4, "b", 10, 11),
        ]
        XCTAssertTrue(try check(history).isLinearizable)
    }

    func testFailedOperationIsIgnored() throws {
        let failed = H.put(2, "2", 2, 3, outcome: .fail)
        XCTAssertTrue(try check([H.put(1, "1", 0, 1), failed, H.get(3, "1", 4, 5)]).isLinearizable)
        let result = try check([H.put(1, "1", 0, 1), failed, H.get(3, "2", 4, 5)])
        XCTAssertFalse(result.isLinearizable)
        XCTAssertTrue(result.failure?.explanation.contains("never written") ?? false, result.description)
    }

    func testDeleteAndAbsentSemantics() throws {
        XCTAssertTrue(try check([H.get(1, nil, 0, 1)]).isLinearizable)
        XCTAssertFalse(try check([H.get(1, "1", 0, 1)]).isLinearizable)
        XCTAssertTrue(try check([H.put(1, "1", 0, 1), H.delete(2, 2, 3), H.get(1, nil, 4, 5)]).isLinearizable)
        XCTAssertFalse(try check([H.put(1, "1", 0, 1), H.get(1, nil, 4, 5)]).isLinearizable)
        XCTAssertFalse(try check([H.put(1, "1", 0, 1), H.delete(2, 2, 3), H.get(1, "1", 4, 5)]).isLinearizable)
        XCTAssertTrue(try check([H.cas(1, nil, "1", 0, 1, swapped: true), H.cas(2, nil, "2", 2, 3, swapped: false)]).isLinearizable)
        XCTAssertFalse(try check([H.cas(1, nil, "1", 0, 1, swapped: true), H.cas(2, nil, "2", 2, 3, swapped: true)]).isLinearizable)
        XCTAssertTrue(try check([H.put(1, "1", 0, 1), H.delete(2, 2, 3), H.cas(1, nil, "3", 4, 5, swapped: true)]).isLinearizable)
    }

    func testKeysAreIndependent() throws {
        let history = [
            H.put(1, "1", 0, 10, key: "a"), H.get(2, nil, 1, 2, key: "b"), H.put(3, "1", 3, 4, key: "b"),
            H.get(2, "1", 11, 12, key: "a"), H.get(1, nil, 13, 14, key: "b"), H.get(2, "1", 15, 16, key: "b"),
        ]
        let result = try check(history)
        XCTAssertFalse(result.isLinearizable)
        XCTAssertEqual(result.failures.map(\.key), ["b"])
        XCTAssertEqual(result.keyCount, 2)
        XCTAssertTrue(try check(history.filter { $0.key == "a" }).isLinearizable)
        XCTAssertTrue(try check([H.put(1, "1", 0, 1, key: "a"), H.get(2, nil, 2, 3, key: "b")]).isLinearizable)
    }

    func testEqualTimestampsCountAsConcurrent() throws {
        XCTAssertTrue(try check([H.put(1, "1", 0, 5), H.get(2, nil, 5, 6)]).isLinearizable)
    }

    func testInitialStateOptions() throws {
        let history = [H.get(1, "7", 0, 1)]
        XCTAssertTrue(try LinearizabilityChecker(initialState: .unknown).check(history).isLinearizable)
        XCTAssertTrue(try LinearizabilityChecker(initialState: .values(["x": "7"])).check(history).isLinearizable)
        XCTAssertFalse(try LinearizabilityChecker(initialState: .values(["x": "8"])).check(history).isLinearizable)
    }

    func testMalformedOperationIsRejected() {
        let bad = Operation(process: 1, key: "x", kind: .get, invokedAt: 0, completedAt: 1, outcome: .ok(.done))
        XCTAssertThrowsError(try LinearizabilityChecker().check([bad]))
        let noEnd = Operation(process: 1, key: "x", kind: .get, invokedAt: 0, completedAt: nil, outcome: .ok(.value(nil)))
        XCTAssertThrowsError(try LinearizabilityChecker().check([noEnd]))
    }

    func testOperationsRoundTripThroughJSON() throws {
        let history = [
            H.put(1, "1", 0, 1), H.cas(2, nil, "b", 2, nil, swapped: nil), H.get(3, nil, 3, 4),
            H.put(4, Bytes([0xff, 0x00]), 5, 6, key: Bytes([0x80])),
        ]
        let data = try JSONEncoder().encode(history)
        XCTAssertEqual(try JSONDecoder().decode([Operation].self, from: data), history)
        XCTAssertTrue(String(decoding: data, as: UTF8.self).contains("base64"))
    }
}
