@testable import Chaos
import GRPCCore
import Linearizability
import XCTest

final class SummaryTests: XCTestCase {
    private func entry(_ start: UInt64, _ outcome: Linearizability.Operation.Outcome) -> HistoryEntry {
        let completed: UInt64? = outcome == .info ? nil : start + 2_000_000
        return HistoryEntry(operation: .init(process: 0, key: "k", kind: .get, invokedAt: start, completedAt: completed,
                                             outcome: outcome), via: "gateway")
    }

    func testAvailabilityIsSplitByPhaseOfInvocation() {
        let history = [
            entry(10, .ok(.value(nil))), entry(20, .ok(.value(nil))),
            entry(110, .ok(.value(nil))), entry(120, .info),
            entry(210, .fail), entry(220, .info),
            entry(310, .ok(.value(nil))),
        ]
        let windows: [(start: UInt64, end: UInt64, majorityAffected: Bool)] = [(100, 200, false), (200, 300, true)]
        let measured = ScheduleSummary.measure(history: history, windows: windows)
        XCTAssertEqual([measured.ok, measured.fail, measured.info], [4, 1, 2])
        XCTAssertEqual(measured.availability.beforeFaults, 1)
        XCTAssertEqual(measured.availability.duringMinorityFaults, 0.5)
        XCTAssertEqual(measured.availability.duringMajorityFaults, 0)
        XCTAssertEqual(measured.availability.afterFaults, 1)
        XCTAssertEqual(measured.p50, 2)
    }

    func testOnlyProvablyUnappliedErrorsAreDefinite() {
        let notLeader = RPCError(code: .unavailable, message: "not the leader; node 3 is",
                                 metadata: ["raftkv-leader-id": "3"])
        XCTAssertEqual(ErrorClassification.classify(notLeader, viaGateway: false), .definite(leaderHint: 3))
        XCTAssertEqual(ErrorClassification.classify(notLeader, viaGateway: true), .indeterminate)
        let noConnection = RPCError(code: .unavailable, message: "Channel is in a transient failure state and 'wait for ready' isn't enabled.")
        XCTAssertEqual(ErrorClassification.classify(noConnection, viaGateway: true), .definite(leaderHint: nil))
        let replaced = RPCError(code: .unavailable, message: "leadership changed before the write committed; it was not applied")
        XCTAssertEqual(ErrorClassification.classify(replaced, viaGateway: false), .definite(leaderHint: nil))
        XCTAssertEqual(ErrorClassification.classify(RPCError(code: .aborted, message: "may or may not have been applied"),
                                                    viaGateway: false), .indeterminate)
        XCTAssertEqual(ErrorClassification.classify(RPCError(code: .deadlineExceeded, message: "timed out"), viaGateway: false),
                       .indeterminate)
        XCTAssertEqual(ErrorClassification.classify(RPCError(code: .unavailable, message: "Stream unexpectedly closed."),
                                                    viaGateway: false), .indeterminate)
        XCTAssertEqual(ErrorClassification.classify(RPCError(code: .invalidArgument, message: "key too large"),
                                                    viaGateway: true), .definite(leaderHint: nil))
    }
}
