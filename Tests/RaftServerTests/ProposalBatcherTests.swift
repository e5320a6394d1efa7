import RaftEngine
import XCTest
@testable import RaftServer

final class ProposalBatcherTests: XCTestCase {
    private let start = ContinuousClock.now

    private func add(_ batcher: inout ProposalBatcher, _ bytes: ClosedRange<UInt8>) {
        for byte in bytes { batcher.add([byte]) { _ in } }
    }

    private func at(_ milliseconds: Int) -> ContinuousClock.Instant {
        start + .milliseconds(milliseconds)
    }

    /// Proposes what waits at `milliseconds` as a batch ending at `lastIndex`; returns its size.
    private func propose(_ batcher: inout ProposalBatcher, through lastIndex: LogIndex, at milliseconds: Int) -> Int {
        let batch = batcher.takeAll()
        batcher.proposed(batch.count, through: lastIndex, at: at(milliseconds))
        return batch.count
    }

    func testTheNextBatchWaitsUntilThePreviousOneIsCommitted() {
        var batcher = ProposalBatcher(maximumGathering: .milliseconds(10))
        XCTAssertFalse(batcher.canPropose(at: at(0)), "nothing to propose")
        add(&batcher, 1...1)
        XCTAssertTrue(batcher.canPropose(at: at(0)), "a write at an idle leader goes at once")
        XCTAssertEqual(batcher.takeAll().map(\.command), [[1]])
        batcher.proposed(1, through: 5, at: at(0))

        add(&batcher, 2...3)
        XCTAssertFalse(batcher.canPropose(at: at(1)))
        batcher.committed(through: 4, at: at(1))
        XCTAssertFalse(batcher.canPropose(at: at(1)), "the batch in flight is not committed yet")
        batcher.committed(through: 5, at: at(2))
        XCTAssertTrue(batcher.canPropose(at: at(2)), "a small batch was committed: no gathering")
        XCTAssertEqual(batcher.takeAll().map(\.command), [[2], [3]], "writes that waited go out together")
    }

    func testAfterABusyBatchTheNextWaitsForTheClientsAnswered() {
        var batcher = ProposalBatcher(maximumGathering: .milliseconds(10))
        add(&batcher, 1...10)
        XCTAssertEqual(propose(&batcher, through: 10, at: 0), 10)
        add(&batcher, 11...16)
        batcher.committed(through: 10, at: at(2))
        // 6 waiting and 10 answered: the next batch gathers 16 writes, for at most 2 ms.
        XCTAssertFalse(batcher.canPropose(at: at(2)))
        XCTAssertEqual(batcher.gatheringDeadline, at(4))
        add(&batcher, 17...25)
        XCTAssertFalse(batcher.canPropose(at: at(3)), "15 of 16")
        add(&batcher, 26...26)
        XCTAssertTrue(batcher.canPropose(at: at(3)), "16 of 16 came back")
        XCTAssertEqual(propose(&batcher, through: 26, at: 3), 16)
        XCTAssertNil(batcher.gatheringDeadline, "nothing gathers while a batch is in flight")
    }

    func testBelowABusyBatchNothingGathers() {
        var batcher = ProposalBatcher(maximumGathering: .milliseconds(10))
        add(&batcher, 1...7)
        XCTAssertEqual(propose(&batcher, through: 7, at: 0), 7)
        batcher.committed(through: 7, at: at(2))
        add(&batcher, 8...8)
        XCTAssertTrue(batcher.canPropose(at: at(2)))
        XCTAssertNil(batcher.gatheringDeadline)
    }

    func testReadsCountAsClientsComeBack() {
        var batcher = ProposalBatcher(maximumGathering: .milliseconds(10))
        batcher.readArrived()
        add(&batcher, 1...8)
        XCTAssertEqual(propose(&batcher, through: 8, at: 0), 8)
        add(&batcher, 9...10)
        batcher.committed(through: 8, at: at(2))
        // 2 waiting and 8 answered: 10 requests are gathered for. The read before the commit does
        // not count: nothing was gathering then.
        add(&batcher, 11...14)
        for _ in 1...3 { batcher.readArrived() }
        XCTAssertFalse(batcher.canPropose(at: at(3)), "6 writes and 3 reads of 10")
        batcher.readArrived()
        XCTAssertTrue(batcher.canPropose(at: at(3)), "6 writes and 4 reads")
        XCTAssertEqual(propose(&batcher, through: 14, at: 3), 6)
    }

    func testClientsThatDoNotComeBackWaitOneRoundAtMost() {
        var batcher = ProposalBatcher(maximumGathering: .milliseconds(10))
        add(&batcher, 1...8)
        XCTAssertEqual(propose(&batcher, through: 8, at: 0), 8)
        batcher.committed(through: 8, at: at(3))
        XCTAssertNil(batcher.gatheringDeadline, "nothing waits, so nothing is due")
        add(&batcher, 9...9)
        XCTAssertEqual(batcher.gatheringDeadline, at(6))
        XCTAssertFalse(batcher.canPropose(at: at(5)))
        XCTAssertTrue(batcher.canPropose(at: at(6)), "the round the last batch took has passed")

        XCTAssertEqual(propose(&batcher, through: 9, at: 6), 1)
        batcher.committed(through: 9, at: at(7))
        add(&batcher, 10...10)
        XCTAssertTrue(batcher.canPropose(at: at(7)), "after a batch of one nothing gathers")
    }

    func testASlowRoundGathersForTheMaximumOnly() {
        var batcher = ProposalBatcher(maximumGathering: .milliseconds(10))
        add(&batcher, 1...20)
        XCTAssertEqual(propose(&batcher, through: 20, at: 0), 20)
        add(&batcher, 21...21)
        batcher.committed(through: 20, at: at(500))
        XCTAssertEqual(batcher.gatheringDeadline, at(510))
        XCTAssertTrue(batcher.canPropose(at: at(510)))
    }

    func testLosingLeadershipForgetsTheBatchInFlightAndTheGathering() {
        var batcher = ProposalBatcher(maximumGathering: .milliseconds(10))
        add(&batcher, 1...1)
        XCTAssertEqual(propose(&batcher, through: 9, at: 0), 1)
        add(&batcher, 2...2)
        XCTAssertFalse(batcher.canPropose(at: at(1)))
        batcher.reset()
        XCTAssertTrue(batcher.canPropose(at: at(1)), "the next leadership does not wait for the old batch")

        add(&batcher, 3...12)
        XCTAssertEqual(propose(&batcher, through: 20, at: 1), 11)
        batcher.committed(through: 20, at: at(2))
        add(&batcher, 13...13)
        XCTAssertFalse(batcher.canPropose(at: at(2)))
        batcher.reset()
        XCTAssertTrue(batcher.canPropose(at: at(2)), "a new leadership does not gather for the old one's clients")
    }
}
