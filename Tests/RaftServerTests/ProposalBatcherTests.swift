import RaftEngine
import XCTest
@testable import RaftServer

final class ProposalBatcherTests: XCTestCase {
    private func add(_ batcher: inout ProposalBatcher, _ byte: UInt8) {
        batcher.add([byte]) { _ in }
    }

    func testTheNextBatchWaitsUntilThePreviousOneIsCommitted() {
        var batcher = ProposalBatcher()
        XCTAssertFalse(batcher.canPropose, "nothing to propose")
        add(&batcher, 1)
        XCTAssertTrue(batcher.canPropose, "a write at an idle leader goes at once")
        XCTAssertEqual(batcher.takeAll().map(\.command), [[1]])
        batcher.proposed(through: 5)

        add(&batcher, 2)
        add(&batcher, 3)
        XCTAssertFalse(batcher.canPropose)
        batcher.committed(through: 4)
        XCTAssertFalse(batcher.canPropose, "the batch in flight is not committed yet")
        batcher.committed(through: 5)
        XCTAssertTrue(batcher.canPropose)
        XCTAssertEqual(batcher.takeAll().map(\.command), [[2], [3]], "writes that waited go out together")
    }

    func testLosingLeadershipForgetsTheBatchInFlight() {
        var batcher = ProposalBatcher()
        add(&batcher, 1)
        _ = batcher.takeAll()
        batcher.proposed(through: 9)
        add(&batcher, 2)
        XCTAssertFalse(batcher.canPropose)
        batcher.reset()
        XCTAssertTrue(batcher.canPropose, "the next leadership does not wait for the old batch")
    }
}
