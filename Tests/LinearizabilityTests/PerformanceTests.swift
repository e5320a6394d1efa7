import Dispatch
import XCTest
import Linearizability

/// Reports checking time for the chaos-suite shape; prints timings rather than asserting on them.
final class PerformanceTests: XCTestCase {
    func testCheckPerformance20kOperations() throws {
        for seed: UInt64 in [1, 2, 3] {
            let history = HistoryGenerator(clients: 10, keys: 16, operations: 20_000, indeterminateRate: 0.02,
                                           seed: seed).generate()
            for parallel in [false, true] {
                let start = DispatchTime.now().uptimeNanoseconds
                let result = try LinearizabilityChecker(parallel: parallel).check(history)
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                XCTAssertTrue(result.isLinearizable, result.description)
                print("linearizability check seed \(seed) parallel=\(parallel): \(history.count) operations, "
                      + "\(result.keyCount) keys, \(result.statesExplored) states, "
                      + String(format: "%.3f s", seconds))
            }
        }
    }

    func testFailingCheckPerformance20kOperations() throws {
        var history = HistoryGenerator(clients: 10, keys: 16, operations: 20_000, indeterminateRate: 0.02,
                                       seed: 4).generate()
        let index = history.indices.last { history[$0].kind == .get && history[$0].outcome != .info && history[$0].outcome != .fail }!
        history[index].outcome = .ok(.value("bogus"))
        let start = DispatchTime.now().uptimeNanoseconds
        let result = try LinearizabilityChecker().check(history)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        XCTAssertFalse(result.isLinearizable)
        print("failing check: \(result.statesExplored) states, window \(result.failure?.window.count ?? 0) operations, "
              + String(format: "%.3f s", seconds))
    }
}
