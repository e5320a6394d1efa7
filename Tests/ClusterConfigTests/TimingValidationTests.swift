import XCTest
@testable import ClusterConfig

/// Ticks, election timeouts and the heartbeat interval must fit together.
final class TimingValidationTests: XCTestCase {
    func testHeartbeatMessageMatchesTheDocumentedStyle() {
        let text = """
        [raft]
        tick_ms = 10
        election_timeout_min_ms = 150
        election_timeout_max_ms = 300
        heartbeat_interval_ms = 200
        """
        XCTAssertEqual(parseError(text)?.description,
                       "config.ini:5: heartbeat_interval_ms = 200 must be well below election_timeout_min_ms = 150 (at most a third of it); lower heartbeat_interval_ms or raise the election timeout")
    }

    func testHeartbeatOfExactlyAThirdIsAllowed() throws {
        let config = try ClusterConfig.parse(text: "[raft]\nheartbeat_interval_ms = 50\nelection_timeout_min_ms = 150\n", fileName: "c.ini")
        XCTAssertEqual(config.heartbeatTicks, 5)
        assertError("[raft]\nheartbeat_interval_ms = 60\n", .inconsistent, line: 2, contains: ["heartbeat_interval_ms = 60 must be well below"])
    }

    func testLoweringTheElectionTimeoutBlamesTheTimeout() {
        assertError("[raft]\nelection_timeout_min_ms = 120\n", .inconsistent, line: 2,
                    contains: ["election_timeout_min_ms = 120 must be at least three times heartbeat_interval_ms = 50", "at least 150"])
    }

    func testTickMustDivideTheTimeouts() {
        assertError("[raft]\nelection_timeout_min_ms = 155\n", .inconsistent, line: 2,
                    contains: ["election_timeout_min_ms = 155 is not a multiple of tick_ms = 10", "e.g. 150 or 160"])
        assertError("[raft]\nelection_timeout_max_ms = 305\n", .inconsistent, line: 2, contains: ["election_timeout_max_ms = 305 is not a multiple"])
        assertError("[raft]\nheartbeat_interval_ms = 45\n", .inconsistent, line: 2, contains: ["heartbeat_interval_ms = 45 is not a multiple"])
    }

    func testChangingOnlyTheTickBlamesTheTick() {
        assertError("[raft]\ntick_ms = 40\n", .inconsistent, line: 2,
                    contains: ["tick_ms = 40 does not divide election_timeout_min_ms = 150 (default)", "e.g. tick_ms = 25"])
    }

    func testMaxBelowMin() {
        assertError("[raft]\nelection_timeout_min_ms = 150\nelection_timeout_max_ms = 100\n", .inconsistent, line: 3,
                    contains: ["election_timeout_max_ms = 100 is below election_timeout_min_ms = 150", "at least 150"])
        assertError("[raft]\nelection_timeout_min_ms = 400\n", .inconsistent, line: 2,
                    contains: ["election_timeout_min_ms = 400 is above election_timeout_max_ms = 300"])
    }

    func testMaxEqualToMinIsAllowed() {
        XCTAssertNoThrow(try ClusterConfig.parse(text: "[raft]\nelection_timeout_max_ms = 150\n", fileName: "c.ini"))
    }

    func testValuesSetInCodeAreReportedAgainstTheConfiguration() {
        var config = ClusterConfig()
        config.heartbeatIntervalMs = 100
        XCTAssertThrowsError(try config.validate()) { error in
            let error = error as! ConfigError
            XCTAssertEqual(error.location, SourceLocation(file: "configuration"))
            XCTAssertTrue(error.description.hasPrefix("configuration: heartbeat_interval_ms = 100 must be well below"), error.description)
        }
    }
}
