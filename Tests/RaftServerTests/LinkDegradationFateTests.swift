import RaftEngine
import XCTest
@testable import RaftServer

/// What `LinkDegradation` does to one message, over many draws.
final class LinkDegradationFateTests: XCTestCase {
    func testDelaysStayWithinDelayPlusJitterAndLossIsAboutTheRate() {
        let degradation = LinkDegradation(delay: .milliseconds(5), jitter: .milliseconds(20), lossPercent: 25)
        var random = SeededRandom(seed: 42)
        var dropped = 0
        for _ in 0..<10_000 {
            guard let wait = degradation.fate(using: &random) else {
                dropped += 1
                continue
            }
            XCTAssertGreaterThanOrEqual(wait, .milliseconds(5))
            XCTAssertLessThanOrEqual(wait, .milliseconds(25))
        }
        XCTAssertTrue((2_200...2_800).contains(dropped), "\(dropped) of 10000 dropped at 25%")
    }

    func testNoneSendsEverythingAtOnceAndFullLossDropsEverything() {
        var random = SeededRandom(seed: 7)
        for _ in 0..<100 { XCTAssertEqual(LinkDegradation.none.fate(using: &random), .zero) }
        let everything = LinkDegradation(delay: .zero, jitter: .zero, lossPercent: 100)
        for _ in 0..<100 { XCTAssertNil(everything.fate(using: &random)) }
    }
}
