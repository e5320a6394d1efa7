import XCTest
@testable import Linearizability

final class GeneratedHistoryTests: XCTestCase {
    func testGeneratorIsDeterministic() {
        let a = HistoryGenerator(operations: 500, seed: 7).generate()
        XCTAssertEqual(a, HistoryGenerator(operations: 500, seed: 7).generate())
        XCTAssertNotEqual(a, HistoryGenerator(operations: 500, seed: 8).generate())
        XCTAssertEqual(a.count, 500)
        XCTAssertTrue(a.contains { $0.outcome == .info })
    }

    func testGeneratedHistoriesAreLinearizable() throws {
        for seed in 1...20 as ClosedRange<UInt64> {
            let history = HistoryGenerator(clients: 6, keys: 3, operations: 1_500, indeterminateRate: 0.05,
                                           valueRange: seed.isMultiple(of: 2) ? 3 : nil, seed: seed).generate()
            let result = try LinearizabilityChecker().check(history)
            XCTAssertTrue(result.isLinearizable, "seed \(seed): \(result)")
        }
    }

    func testManyIndeterminateOperationsStayTractable() throws {
        for rate in [0.0, 0.01] {
            let history = HistoryGenerator(clients: 10, keys: 1, operations: 3_000, indeterminateRate: rate,
                                           seed: 99).generate()
            let result = try LinearizabilityChecker(maxStatesPerKey: 300_000).check(history)
            XCTAssertTrue(result.isLinearizable, "rate \(rate): \(result)")
            print("one key, 3000 operations, \(Int(rate * 100))% indeterminate: \(result.statesExplored) states")
        }
    }

    func testWitnessOrderIsAValidLinearization() throws {
        let history = HistoryGenerator(clients: 8, keys: 2, operations: 2_000, indeterminateRate: 0.05, seed: 3).generate()
        let checker = LinearizabilityChecker()
        for key in Set(history.map(\.key)) {
            let keyHistory = KeyHistory(key: key, operations: history.filter { $0.key == key }, initial: .some(nil))
            let report = checker.checkKey(keyHistory)
            XCTAssertEqual(report.verdict, .linearizable)
            let ops = keyHistory.compiled
            XCTAssertEqual(Set(report.order).isSuperset(of: ops.indices.filter { ops[$0].required }), true)
            var state = keyHistory.initial
            var latestInvoke: UInt64 = 0
            for (position, i) in report.order.enumerated() {
                let next = try XCTUnwrap(ops[i].step(state), "step \(position) impossible")
                state = next
                latestInvoke = max(latestInvoke, ops[i].invoke)
                XCTAssertGreaterThanOrEqual(ops[i].complete, latestInvoke, "real-time order broken at \(position)")
            }
        }
    }

    func testCorruptedReadIsDetected() throws {
        var history = HistoryGenerator(clients: 6, keys: 2, operations: 1_000, indeterminateRate: 0.02, seed: 11).generate()
        let target = try XCTUnwrap(history.indices.dropFirst(500).first { history[$0].kind == .get && history[$0].outcome != .info && history[$0].outcome != .fail })
        history[target].outcome = .ok(.value("never-written"))
        let result = try LinearizabilityChecker().check(history)
        XCTAssertFalse(result.isLinearizable)
        let failure = try XCTUnwrap(result.failure)
        XCTAssertEqual(failure.key, history[target].key)
        XCTAssertTrue(failure.window.contains(history[target]))
        XCTAssertTrue(failure.explanation.contains("never written"), failure.description)
    }

    func testStaleValueInjectedIntoLongHistoryIsDetected() throws {
        var history = HistoryGenerator(clients: 6, keys: 1, operations: 1_000, indeterminateRate: 0,
                                       failureRate: 0, seed: 5).generate()
        // A read long after two sequential acknowledged puts returns the older value.
        let end = history.map { $0.completedAt ?? 0 }.max()!
        history.append(H.put(90, "old", end + 10, end + 20, key: "k0"))
        history.append(H.put(91, "new", end + 30, end + 40, key: "k0"))
        history.append(H.get(92, "old", end + 50, end + 60, key: "k0"))
        let result = try LinearizabilityChecker().check(history)
        XCTAssertFalse(result.isLinearizable)
        let window = try XCTUnwrap(result.failure?.window)
        XCTAssertEqual(Set(window.map(\.process)), [91, 92], result.description)
        print(result.description)
    }
}
