import XCTest
@testable import RaftEngine

final class ElectionTests: XCTestCase {
    func testFollowerElectionTimeoutFallsWithinBounds() {
        var seen: Set<Int> = []
        for seed in UInt64(0)..<60 {
            var node = makeNode(makeConfig(id: 1, voters: [1, 2, 3], seed: seed))
            let ticks = tickUntilCampaign(&node)
            XCTAssertTrue((10...20).contains(ticks), "seed \(seed): campaigned after \(ticks) ticks")
            XCTAssertEqual(node.role, .preCandidate)
            seen.insert(ticks)
            XCTAssertTrue((10...20).contains(node.status.electionTimeout))
        }
        XCTAssertGreaterThan(seen.count, 3, "timeouts should be randomised across seeds")
    }

    func testTimerRestartsWithinBoundsAfterEachTimeout() {
        var node = makeNode(makeConfig(id: 1, voters: [1, 2, 3], seed: 7))
        tickUntilCampaign(&node)
        // As a pre-candidate that hears nothing, the node retries after another randomised timeout.
        var ticks = 0
        let term = node.term
        repeat {
            node.tick()
            ticks += 1
        } while node.status.electionElapsed != 0 && ticks < 100
        XCTAssertTrue((10...20).contains(ticks), "retried after \(ticks) ticks")
        XCTAssertEqual(node.term, term)
    }

    func testPreVoteDoesNotBumpTermOfANodeThatCannotWin() {
        // Node 1 has a shorter log than nodes 2 and 3: it can never win.
        let behind = PersistentState(hardState: HardState(term: 1), entries: [])
        let ahead = PersistentState(hardState: HardState(term: 1, commit: 1), entries: [Entry(term: 1, index: 1)])
        var n1 = makeNode(makeConfig(id: 1, voters: [1, 2, 3]), restoring: behind)
        var n2 = makeNode(makeConfig(id: 2, voters: [1, 2, 3]), restoring: ahead)
        var n3 = makeNode(makeConfig(id: 3, voters: [1, 2, 3]), restoring: ahead)

        // Alone, it keeps pre-campaigning without ever changing its term.
        var preVoteRounds = 0
        for _ in 0..<200 {
            n1.tick()
            XCTAssertEqual(n1.term, 1)
            XCTAssertNotEqual(n1.role, .candidate)
            let ready = readyAndPersist(&n1)
            XCTAssertNil(ready.hardState, "a pre-vote writes nothing")
            let requests = ready.messages.filter(\.isVoteRequest)
            if requests.isEmpty { continue }
            preVoteRounds += 1
            XCTAssertEqual(requests.count, 2)
            for request in requests {
                guard case .vote(let vote) = request.body else { return XCTFail() }
                XCTAssertTrue(vote.prevote)
                XCTAssertEqual(request.term, 2, "pre-vote asks for the term it would campaign in")
            }
        }
        XCTAssertGreaterThanOrEqual(preVoteRounds, 10)

        // Now let the others answer.
        var requests: [Message] = []
        while requests.isEmpty {
            n1.tick()
            requests = n1.ready().messages.filter(\.isVoteRequest)
        }
        XCTAssertEqual(requests.count, 2)
        var answers: [Message] = []
        for request in requests {
            if request.to == 2 { n2.step(request); answers += readyAndPersist(&n2).messagesAfterPersist }
            if request.to == 3 { n3.step(request); answers += readyAndPersist(&n3).messagesAfterPersist }
        }
        XCTAssertEqual(n2.term, 1, "a pre-vote request does not bump the voter's term")
        XCTAssertEqual(n3.term, 1)
        XCTAssertEqual(answers.count, 2)
        for answer in answers {
            XCTAssertEqual(answer.body, .voteResponse(prevote: true, granted: false))
            n1.step(answer)
        }
        XCTAssertEqual(n1.role, .follower)
        XCTAssertEqual(n1.term, 1, "the failed pre-candidate never bumped its term")
        XCTAssertEqual(n1.vote, noNode)

        // Without PreVote the same node would have disrupted the cluster with a new term.
        var noPreVote = makeNode(makeConfig(id: 1, voters: [1, 2, 3], preVote: false), restoring: behind)
        tickUntilCampaign(&noPreVote)
        XCTAssertEqual(noPreVote.role, .candidate)
        XCTAssertEqual(noPreVote.term, 2)
    }

    func testSingleNodeCandidateWaitsForItsOwnVoteToBePersisted() {
        var node = makeNode(makeConfig(id: 1, voters: [1]))
        tickUntilCampaign(&node)
        XCTAssertEqual(node.role, .candidate, "a one-node pre-vote wins at once")
        XCTAssertEqual(node.term, 1)
        XCTAssertEqual(node.vote, 1)

        let ready = node.ready()
        XCTAssertEqual(ready.hardState, HardState(term: 1, vote: 1, commit: 0))
        XCTAssertEqual(node.role, .candidate, "the vote is not durable yet")
        XCTAssertEqual(node.status.leader, noNode)
        node.storageDidPersist(through: ready.id - 1)
        XCTAssertEqual(node.role, .candidate, "acknowledging an earlier Ready does not count")

        node.storageDidPersist(through: ready.id)
        XCTAssertEqual(node.role, .leader)
        XCTAssertEqual(node.leader, 1)

        // The leader's no-op commits once it is persisted.
        let next = node.ready()
        XCTAssertEqual(next.entries.map(\.kind), [.noop])
        XCTAssertEqual(next.softState, SoftState(role: .leader, leader: 1))
        XCTAssertEqual(node.commitIndex, 0)
        node.storageDidPersist(through: next.id)
        XCTAssertEqual(node.commitIndex, 1)
        let applied = node.ready()
        XCTAssertEqual(applied.committedEntries.map(\.index), [1])
        XCTAssertNil(applied.hardState, "the commit index is written with the next entries, not on its own")
    }

    func testCandidateDoesNotCountOwnUnpersistedVoteInThreeNodeCluster() {
        var node = makeNode(makeConfig(id: 1, voters: [1, 2, 3], preVote: false))
        tickUntilCampaign(&node)
        XCTAssertEqual(node.role, .candidate)
        let ready = node.ready()
        XCTAssertEqual(ready.messages.filter(\.isVoteRequest).count, 2)
        node.step(Message(from: 2, to: 1, term: node.term, body: .voteResponse(prevote: false, granted: true)))
        XCTAssertEqual(node.role, .candidate, "one peer vote plus an unpersisted own vote is not a quorum")
        node.storageDidPersist(through: ready.id)
        XCTAssertEqual(node.role, .leader)
    }

    func testVotesOnlyForUpToDateLog() {
        let state = PersistentState(hardState: HardState(term: 2), entries: [Entry(term: 1, index: 1), Entry(term: 2, index: 2)])
        func voteResponse(lastIndex: LogIndex, lastTerm: Term) -> Message.Body? {
            var node = makeNode(makeConfig(id: 1, voters: [1, 2, 3]), restoring: state)
            node.step(Message(from: 2, to: 1, term: 3, body: .vote(VoteRequest(prevote: false, lastIndex: lastIndex, lastTerm: lastTerm))))
            let ready = readyAndPersist(&node)
            XCTAssertTrue(ready.messages.isEmpty)
            XCTAssertEqual(node.term, 3)
            return ready.messagesAfterPersist.first?.body
        }
        XCTAssertEqual(voteResponse(lastIndex: 5, lastTerm: 1), .voteResponse(prevote: false, granted: false), "older last term")
        XCTAssertEqual(voteResponse(lastIndex: 1, lastTerm: 2), .voteResponse(prevote: false, granted: false), "shorter log")
        XCTAssertEqual(voteResponse(lastIndex: 2, lastTerm: 2), .voteResponse(prevote: false, granted: true), "same log")
        XCTAssertEqual(voteResponse(lastIndex: 1, lastTerm: 3), .voteResponse(prevote: false, granted: true), "newer last term")
    }

    func testRefusedVoteIsNotRecorded() {
        let state = PersistentState(hardState: HardState(term: 2), entries: [Entry(term: 2, index: 1)])
        var node = makeNode(makeConfig(id: 1, voters: [1, 2, 3]), restoring: state)
        node.step(Message(from: 2, to: 1, term: 3, body: .vote(VoteRequest(prevote: false, lastIndex: 0, lastTerm: 0))))
        XCTAssertEqual(node.vote, noNode)
        node.step(Message(from: 3, to: 1, term: 3, body: .vote(VoteRequest(prevote: false, lastIndex: 1, lastTerm: 2))))
        XCTAssertEqual(node.vote, 3)
        let ready = node.ready()
        XCTAssertEqual(ready.hardState?.vote, 3)
        XCTAssertEqual(ready.messagesAfterPersist.map(\.body), [
            .voteResponse(prevote: false, granted: false), .voteResponse(prevote: false, granted: true),
        ])
    }

    func testAtMostOneVotePerTerm() {
        var node = makeNode(makeConfig(id: 3, voters: [1, 2, 3]))
        let request = VoteRequest(prevote: false, lastIndex: 0, lastTerm: 0)
        node.step(Message(from: 1, to: 3, term: 1, body: .vote(request)))
        node.step(Message(from: 2, to: 3, term: 1, body: .vote(request)))
        node.step(Message(from: 1, to: 3, term: 1, body: .vote(request)))
        let ready = readyAndPersist(&node)
        XCTAssertEqual(ready.hardState, HardState(term: 1, vote: 1, commit: 0))
        XCTAssertEqual(ready.messagesAfterPersist.map(\.to), [1, 2, 1])
        XCTAssertEqual(ready.messagesAfterPersist.map(\.body), [
            .voteResponse(prevote: false, granted: true),
            .voteResponse(prevote: false, granted: false),
            .voteResponse(prevote: false, granted: true),
        ], "a repeated request from the same candidate is granted again; another candidate is refused")

        // After a restart from the persisted state the vote still holds.
        var restarted = makeNode(node.config, restoring: PersistentState(hardState: ready.hardState!))
        restarted.step(Message(from: 2, to: 3, term: 1, body: .vote(request)))
        XCTAssertEqual(restarted.ready().messagesAfterPersist.map(\.body), [.voteResponse(prevote: false, granted: false)])

        // A new term frees the vote.
        node.step(Message(from: 2, to: 3, term: 2, body: .vote(request)))
        XCTAssertEqual(node.ready().messagesAfterPersist.map(\.body), [.voteResponse(prevote: false, granted: true)])
        XCTAssertEqual(node.vote, 2)
    }

    func testHigherTermMakesLeaderAFollower() {
        let cluster = TestCluster(ids: [1, 2, 3])
        cluster.elect(1)
        let term = cluster[1].term
        cluster[1].step(Message(from: 2, to: 1, term: term + 1, body: .heartbeat(commit: 0, readRound: 0)))
        XCTAssertEqual(cluster[1].role, .follower)
        XCTAssertEqual(cluster[1].term, term + 1)
        XCTAssertEqual(cluster[1].leader, 2)
        XCTAssertEqual(cluster[1].ready().softState, SoftState(role: .follower, leader: 2))

        let other = TestCluster(ids: [1, 2, 3])
        other.elect(1)
        other[1].step(Message(from: 3, to: 1, term: term + 5, body: .appendResponse(AppendResponse(index: 0))))
        XCTAssertEqual(other[1].role, .follower)
        XCTAssertEqual(other[1].term, term + 5)
        XCTAssertEqual(other[1].leader, noNode)
        XCTAssertThrowsError(try other[1].propose([[1]]))
    }

    func testVoteRequestsInsideLeaderLeaseAreIgnored() {
        let cluster = TestCluster(ids: [1, 2, 3])
        cluster.elect(1)
        let term = cluster[2].term
        let lastIndex = cluster[3].lastIndex
        let lastTerm = cluster[3].term(at: lastIndex)!
        for prevote in [true, false] {
            cluster[2].step(Message(from: 3, to: 2, term: term + 1, body: .vote(VoteRequest(prevote: prevote, lastIndex: lastIndex, lastTerm: lastTerm))))
            XCTAssertEqual(cluster[2].term, term, "prevote=\(prevote)")
            XCTAssertEqual(cluster[2].leader, 1)
            let ready = cluster[2].ready()
            XCTAssertTrue(ready.messages.isEmpty && ready.messagesAfterPersist.isEmpty, "the request is dropped without an answer")
            XCTAssertNil(ready.hardState)
        }
    }

    func testLeadershipTransferVoteBypassesLease() {
        let cluster = TestCluster(ids: [1, 2, 3])
        cluster.elect(1)
        let term = cluster[2].term
        let lastIndex = cluster[3].lastIndex
        cluster[2].step(Message(from: 3, to: 2, term: term + 1, body: .vote(VoteRequest(
            prevote: false, lastIndex: lastIndex, lastTerm: cluster[3].term(at: lastIndex)!, leadershipTransfer: true))))
        XCTAssertEqual(cluster[2].term, term + 1)
        XCTAssertEqual(cluster[2].vote, 3)
        XCTAssertEqual(cluster[2].ready().messagesAfterPersist.map(\.body), [.voteResponse(prevote: false, granted: true)])
    }

    func testLeaseExpiresAfterElectionTimeout() {
        let cluster = TestCluster(ids: [1, 2, 3])
        cluster.elect(1)
        let term = cluster[2].term
        cluster.tick(2, times: 10)
        let lastIndex = cluster[3].lastIndex
        cluster[2].step(Message(from: 3, to: 2, term: term + 1, body: .vote(VoteRequest(prevote: true, lastIndex: lastIndex, lastTerm: cluster[3].term(at: lastIndex)!))))
        XCTAssertEqual(cluster[2].ready().messagesAfterPersist.map(\.body), [.voteResponse(prevote: true, granted: true)])
    }

    func testWithoutCheckQuorumVoteRequestsAreNotIgnored() {
        let cluster = TestCluster(ids: [1, 2, 3], checkQuorum: false)
        cluster.elect(1)
        let term = cluster[2].term
        let lastIndex = cluster[3].lastIndex
        cluster[2].step(Message(from: 3, to: 2, term: term + 1, body: .vote(VoteRequest(prevote: false, lastIndex: lastIndex, lastTerm: cluster[3].term(at: lastIndex)!))))
        XCTAssertEqual(cluster[2].term, term + 1)
        XCTAssertEqual(cluster[2].vote, 3)
    }

    func testThreeNodeElectionThroughTheCluster() {
        let cluster = TestCluster(ids: [1, 2, 3])
        cluster.elect(2)
        XCTAssertEqual(cluster.leaders, [2])
        // The commit index reaches every follower at the latest with the next heartbeat.
        cluster.tick(2, times: 2)
        cluster.stabilize()
        for id in cluster.ids {
            XCTAssertEqual(cluster[id].term, 1)
            XCTAssertEqual(cluster[id].leader, 2)
            XCTAssertEqual(cluster[id].commitIndex, 1)
            XCTAssertEqual(cluster.applied[id]?.map(\.kind), [.noop])
        }
    }

    func testLeaderStepsDownWithoutQuorumWhenCheckQuorumIsOn() {
        let cluster = TestCluster(ids: [1, 2, 3])
        cluster.elect(1)
        cluster.tick(1, times: 25)
        XCTAssertEqual(cluster[1].role, .follower, "no follower answered within an election timeout")
    }
}
