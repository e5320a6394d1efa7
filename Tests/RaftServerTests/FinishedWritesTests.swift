@testable import RaftStorage
import XCTest
@testable import RaftServer

final class FinishedWritesTests: XCTestCase {
    /// How many wake-ups `finished` delivered, counted after it was finished.
    private func wakeUps(_ finished: FinishedWrites) async -> Int {
        finished.finish()
        var count = 0
        for await _ in finished.wakeUps { count += 1 }
        return count
    }

    func testAFollowersAnswersWaitWithoutAWakeUp() async {
        let finished = FinishedWrites()
        finished.setWakesAtOnce(false)
        finished.add((1, .success(DurableWrite(readyID: 1))))
        finished.add((2, .success(DurableWrite(readyID: 2))))
        let wakeUps = await wakeUps(finished)
        XCTAssertEqual(wakeUps, 0)
        XCTAssertEqual(finished.takeAll().map(\.readyID), [1, 2], "answers are kept in order")
        XCTAssertTrue(finished.takeAll().isEmpty, "each answer is taken once")
    }

    func testALeaderIsWokenForEveryAnswer() async {
        let finished = FinishedWrites()
        finished.add((1, .success(DurableWrite(readyID: 1))))
        let wakeUps = await wakeUps(finished)
        XCTAssertEqual(wakeUps, 1)
        XCTAssertEqual(finished.takeAll().map(\.readyID), [1])
    }

    func testAFailedWriteWakesAFollowerToo() async {
        let finished = FinishedWrites()
        finished.setWakesAtOnce(false)
        finished.add((1, .success(DurableWrite(readyID: 1))))
        finished.add((2, .failure(.failed("disk full"))))
        let wakeUps = await wakeUps(finished)
        XCTAssertEqual(wakeUps, 1)
        XCTAssertEqual(finished.takeAll().map(\.readyID), [1, 2], "the failure comes after the answers before it")
    }
}
