import XCTest
@testable import RaftEngine

final class ConfigTests: XCTestCase {
    private func validationError(_ config: RaftConfig) -> String? {
        do {
            try config.validate()
            return nil
        } catch {
            guard case .invalid(let reason) = error else { return nil }
            return reason
        }
    }

    func testValidConfigPasses() throws {
        let config = RaftConfig(id: 2, voters: [1, 2, 3])
        XCTAssertNil(validationError(config))
        XCTAssertNoThrow(try RaftNode(config: config))
        XCTAssertEqual(config.quorum, 2)
        XCTAssertEqual(RaftConfig(id: 1, voters: [1]).quorum, 1)
        XCTAssertEqual(RaftConfig(id: 1, voters: [1, 2, 3, 4]).quorum, 3)
        XCTAssertEqual(RaftConfig(id: 1, voters: [1, 2, 3, 4, 5]).quorum, 3)
    }

    func testZeroIDIsRejected() {
        let reason = validationError(RaftConfig(id: 0, voters: [0, 1, 2]))
        XCTAssertNotNil(reason)
        XCTAssertTrue(reason?.contains("non-zero") ?? false, reason ?? "")
    }

    func testIDMustBeAVoter() {
        let reason = validationError(RaftConfig(id: 4, voters: [1, 2, 3]))
        XCTAssertNotNil(reason)
        XCTAssertTrue(reason?.contains("must include") ?? false, reason ?? "")
    }

    func testDuplicateVotersAreRejected() {
        let reason = validationError(RaftConfig(id: 1, voters: [1, 2, 2]))
        XCTAssertNotNil(reason)
        XCTAssertTrue(reason?.contains("duplicate") ?? false, reason ?? "")
    }

    func testZeroVoterIsRejected() {
        XCTAssertNotNil(validationError(RaftConfig(id: 1, voters: [1, 0, 2])))
    }

    func testHeartbeatMustBeBelowElectionMinimum() {
        let equal = validationError(RaftConfig(id: 1, voters: [1], electionTimeoutMin: 10, electionTimeoutMax: 20, heartbeatInterval: 10))
        XCTAssertTrue(equal?.contains("heartbeatInterval") ?? false, equal ?? "no error")
        let above = validationError(RaftConfig(id: 1, voters: [1], electionTimeoutMin: 10, electionTimeoutMax: 20, heartbeatInterval: 11))
        XCTAssertTrue(above?.contains("heartbeatInterval") ?? false, above ?? "no error")
        XCTAssertNil(validationError(RaftConfig(id: 1, voters: [1], electionTimeoutMin: 10, electionTimeoutMax: 20, heartbeatInterval: 9)))
    }

    func testElectionMaximumBelowMinimumIsRejected() {
        let reason = validationError(RaftConfig(id: 1, voters: [1], electionTimeoutMin: 10, electionTimeoutMax: 9, heartbeatInterval: 2))
        XCTAssertTrue(reason?.contains("electionTimeoutMax") ?? false, reason ?? "no error")
        XCTAssertNil(validationError(RaftConfig(id: 1, voters: [1], electionTimeoutMin: 10, electionTimeoutMax: 10, heartbeatInterval: 2)))
    }

    func testOtherLimitsAreChecked() {
        XCTAssertNotNil(validationError(RaftConfig(id: 1, voters: [1], heartbeatInterval: 0)))
        XCTAssertNotNil(validationError(RaftConfig(id: 1, voters: [1], maxInflightMessages: 0)))
        XCTAssertNotNil(validationError(RaftConfig(id: 1, voters: [1], maxInflightBytes: -1)))
        XCTAssertNotNil(validationError(RaftConfig(id: 1, voters: [1], maxMessageBytes: 0)))
        XCTAssertNotNil(validationError(RaftConfig(id: 1, voters: [1], snapshotRetryTicks: 0)))
    }

    func testNodeInitRefusesInvalidConfig() {
        XCTAssertThrowsError(try RaftNode(config: RaftConfig(id: 0, voters: [1]))) { error in
            XCTAssertTrue(error is RaftConfigError)
        }
        XCTAssertThrowsError(try RaftNode(config: RaftConfig(id: 1, voters: [1], electionTimeoutMin: 5, electionTimeoutMax: 4, heartbeatInterval: 1)))
    }
}
