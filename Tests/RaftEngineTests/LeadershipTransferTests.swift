import XCTest
@testable import RaftEngine

final class LeadershipTransferTests: XCTestCase {
    func testTransferWaitsForTargetThenTargetWins() throws {
        let cluster = TestCluster(ids: [1, 2, 3])
        cluster.elect(1)
        let term = cluster[1].term
        cluster.propose(1, [[1], [2]])
        let awayFromThree: (Message) -> Bool = { $0.to == 3 }
        cluster.stabilize(hold: awayFromThree)
        XCTAssertEqual(cluster[1].commitIndex, 3)
        XCTAssertLessThan(cluster[1].status.followers.first { $0.id == 3 }!.progress.match, 3)

        try cluster[1].transferLeadership(to: 3)
        XCTAssertEqual(cluster[1].status.leadTransferee, 3)
        assertThrows(ProposalError.leadershipTransferInProgress) { () throws(ProposalError) in
            try cluster[1].propose([[9]])
        }
        cluster.stabilize(hold: awayFromThree)
        XCTAssertFalse(cluster.history[1]!.flatMap(\.messages).contains(where: \.isTimeoutNow), "target is not caught up yet")
        XCTAssertEqual(cluster[1].role, .leader)

        cluster.stabilize()
        let timeoutNow = cluster.delivered.filter(\.isTimeoutNow)
        XCTAssertEqual(timeoutNow.map(\.to).first, 3)
        XCTAssertEqual(cluster[3].role, .leader)
        XCTAssertEqual(cluster[3].term, term + 1, "the target campaigns at once, without a pre-vote round")
        XCTAssertEqual(cluster[1].role, .follower)
        XCTAssertEqual(cluster[1].leader, 3)
        XCTAssertEqual(cluster[2].leader, 3)
        let requests = cluster.delivered.filter { $0.from == 3 }.compactMap { message -> VoteRequest? in
            if case .vote(let request) = message.body { return request }
            return nil
        }
        XCTAssertFalse(requests.isEmpty)
        XCTAssertTrue(requests.allSatisfy { $0.leadershipTransfer && !$0.prevote })
        assertThrows(ProposalError.notLeader(leaderHint: 3)) { () throws(ProposalError) in
            try cluster[1].propose([[9]])
        }
        // The new leader keeps every committed entry.
        XCTAssertEqual(cluster[3].entries(from: 1, through: 3)?.map(\.data), [[], [1], [2]])
    }

    func testTransferToCaughtUpFollowerSendsTimeoutNowImmediately() throws {
        let cluster = TestCluster(ids: [1, 2, 3])
        cluster.elect(1)
        try cluster[1].transferLeadership(to: 2)
        let ready = cluster.processReady(1)!
        XCTAssertEqual(ready.messages.filter(\.isTimeoutNow).map(\.to), [2])
        cluster.stabilize()
        XCTAssertEqual(cluster.leaders, [2])
    }

    func testTransferErrors() throws {
        let cluster = TestCluster(ids: [1, 2, 3])
        cluster.elect(1)
        assertThrows(ProposalError.unknownNode(9)) { () throws(ProposalError) in
            try cluster[1].transferLeadership(to: 9)
        }
        assertThrows(ProposalError.notLeader(leaderHint: 1)) { () throws(ProposalError) in
            try cluster[2].transferLeadership(to: 3)
        }
        // Transferring to itself is a no-op and proposals still work.
        try cluster[1].transferLeadership(to: 1)
        XCTAssertNil(cluster[1].status.leadTransferee)
        XCTAssertNoThrow(try cluster[1].propose([[1]]))
    }

    func testTransferTimesOutAfterAnElectionTimeout() throws {
        let cluster = TestCluster(ids: [1, 2, 3])
        cluster.elect(1)
        cluster.isolated = [3]
        cluster.propose(1, [[1]])
        cluster.stabilize()
        try cluster[1].transferLeadership(to: 3)
        for _ in 0..<9 {
            cluster.tick(1)
            cluster.stabilize()
            XCTAssertEqual(cluster[1].status.leadTransferee, 3)
        }
        cluster.tick(1)
        cluster.stabilize()
        XCTAssertEqual(cluster[1].role, .leader)
        XCTAssertNil(cluster[1].status.leadTransferee)
        XCTAssertNoThrow(try cluster[1].propose([[2]]))
    }
}
