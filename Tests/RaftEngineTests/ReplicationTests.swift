import XCTest
@testable import RaftEngine

final class ReplicationTests: XCTestCase {
    /// Elects node 1 of a fresh three-node cluster by hand (no PreVote) and returns it as leader,
    /// with its first leader Ready not yet taken.
    private func manuallyElectedLeader(restoring state: PersistentState = PersistentState()) -> RaftNode {
        var node = makeNode(makeConfig(id: 1, voters: [1, 2, 3], preVote: false), restoring: state)
        tickUntilCampaign(&node)
        XCTAssertEqual(node.role, .candidate)
        readyAndPersist(&node)
        node.step(Message(from: 2, to: 1, term: node.term, body: .voteResponse(prevote: false, granted: true)))
        XCTAssertEqual(node.role, .leader)
        return node
    }

    private func appends(_ messages: [Message], to peer: NodeID) -> [AppendRequest] {
        messages.filter { $0.to == peer }.compactMap(\.appendRequest)
    }

    func testNewLeaderAppendsANoop() {
        var leader = manuallyElectedLeader()
        let ready = leader.ready()
        XCTAssertEqual(ready.entries, [Entry(term: 1, index: 1, kind: .noop)])
        XCTAssertEqual(ready.softState, SoftState(role: .leader, leader: 1))
        for peer: NodeID in [2, 3] {
            let requests = appends(ready.messages, to: peer)
            XCTAssertEqual(requests, [AppendRequest(prevIndex: 0, prevTerm: 0, entries: [Entry(term: 1, index: 1, kind: .noop)], commit: 0)])
        }
        XCTAssertTrue(ready.messagesAfterPersist.isEmpty)
    }

    func testResponsesOnlyAfterPersistRequestsAtOnce() {
        var follower = makeNode(makeConfig(id: 2, voters: [1, 2, 3]))
        follower.step(Message(from: 1, to: 2, term: 1, body: .append(AppendRequest(prevIndex: 0, prevTerm: 0, entries: [Entry(term: 1, index: 1, kind: .noop)], commit: 0))))
        follower.step(Message(from: 1, to: 2, term: 1, body: .heartbeat(commit: 0, readRound: 0)))
        follower.step(Message(from: 3, to: 2, term: 1, body: .vote(VoteRequest(prevote: false, lastIndex: 5, lastTerm: 1))))
        let ready = follower.ready()
        XCTAssertEqual(ready.messages.map(\.body), [.heartbeatResponse(readRound: 0)],
                       "a heartbeat acknowledgement promises nothing durable and goes at once")
        XCTAssertEqual(ready.messagesAfterPersist.map(\.body), [
            .appendResponse(AppendResponse(index: 1)),
            .voteResponse(prevote: false, granted: false),
        ])
        XCTAssertTrue(ready.needsPersistence)

        // Requests from a candidate and a leader go out at once.
        var candidate = makeNode(makeConfig(id: 1, voters: [1, 2, 3], preVote: false))
        tickUntilCampaign(&candidate)
        let candidateReady = candidate.ready()
        XCTAssertEqual(candidateReady.messages.filter(\.isVoteRequest).count, 2)
        XCTAssertTrue(candidateReady.messagesAfterPersist.isEmpty)

        let cluster = TestCluster(ids: [1, 2, 3])
        cluster.elect(1)
        cluster.tick(1, times: 2)
        let leaderReady = cluster.processReady(1)!
        XCTAssertEqual(leaderReady.messages.filter(\.isHeartbeat).count, 2)
        XCTAssertTrue(leaderReady.messagesAfterPersist.isEmpty)
        // The cluster helper checked the same split for every Ready of the election.
        XCTAssertTrue(cluster.history.values.joined().allSatisfy { ready in
            ready.messages.allSatisfy { !$0.mustWaitForPersistence } && ready.messagesAfterPersist.allSatisfy(\.mustWaitForPersistence)
        })
    }

    func testRejectionHintSkipsAWholeTerm() {
        func log(_ terms: [Term]) -> [Entry] {
            terms.enumerated().map { Entry(term: $0.element, index: LogIndex($0.offset + 1)) }
        }
        let cluster = TestCluster(ids: [1, 2, 3])
        cluster.restart(1, from: PersistentState(hardState: HardState(term: 3, commit: 2), entries: log([1, 1, 3, 3, 3])))
        cluster.restart(2, from: PersistentState(hardState: HardState(term: 2, commit: 2), entries: log([1, 1, 2, 2, 2, 2, 2])))
        cluster.restart(3, from: PersistentState(hardState: HardState(term: 1, commit: 2), entries: log([1, 1])))
        cluster.elect(1)
        XCTAssertEqual(cluster[1].term, 4)

        for peer: NodeID in [2, 3] {
            let requests = cluster.delivered.filter { $0.from == 1 && $0.to == peer }.compactMap(\.appendRequest)
            XCTAssertGreaterThanOrEqual(requests.count, 2)
            XCTAssertEqual(requests.first?.prevIndex, 5, "first probe follows the leader's last entry")
            XCTAssertEqual(requests.dropFirst().first?.prevIndex, 2, "after one rejection the leader skips the whole conflicting term")
            let rejections = cluster.delivered.filter { $0.from == peer && $0.to == 1 }.compactMap(\.appendResponse).filter(\.rejected)
            XCTAssertEqual(rejections.count, 1, "node \(peer)")
        }
        let rejection = cluster.delivered.filter { $0.from == 2 }.compactMap(\.appendResponse).first { $0.rejected }
        XCTAssertEqual(rejection, AppendResponse(index: 5, rejected: true, hintIndex: 5, hintTerm: 2))

        let leaderLog = cluster[1].entries(from: 1, through: cluster[1].lastIndex)
        XCTAssertEqual(leaderLog?.map(\.term), [1, 1, 3, 3, 3, 4])
        for peer: NodeID in [2, 3] {
            XCTAssertEqual(cluster[peer].entries(from: 1, through: cluster[peer].lastIndex), leaderLog, "node \(peer)")
            XCTAssertEqual(cluster.storage[peer]!.entries, leaderLog)
        }
    }

    func testRejectionFromEmptyFollowerJumpsToTheStart() {
        let entries = (1...5).map { Entry(term: 1, index: LogIndex($0)) }
        var leader = manuallyElectedLeader(restoring: PersistentState(hardState: HardState(term: 1, commit: 5), entries: entries))
        XCTAssertEqual(leader.term, 2)
        let first = leader.ready()
        XCTAssertEqual(appends(first.messages, to: 3).map(\.prevIndex), [5])

        var follower = makeNode(makeConfig(id: 3, voters: [1, 2, 3]))
        follower.step(first.messages.first { $0.to == 3 }!)
        let answer = readyAndPersist(&follower).messagesAfterPersist
        XCTAssertEqual(answer.first?.appendResponse?.rejected, true)
        leader.step(answer[0])
        let second = leader.ready()
        let retry = appends(second.messages, to: 3)
        XCTAssertEqual(retry.map(\.prevIndex), [0])
        XCTAssertEqual(retry.first?.entries.map(\.index), [1, 2, 3, 4, 5, 6])
    }

    func testCommitOnlyAdvancesForCurrentTermEntries() {
        let restored = PersistentState(hardState: HardState(term: 2, commit: 1), entries: [Entry(term: 1, index: 1), Entry(term: 2, index: 2)])
        var leader = manuallyElectedLeader(restoring: restored)
        XCTAssertEqual(leader.term, 3)
        let noopReady = leader.ready()
        XCTAssertEqual(noopReady.entries, [Entry(term: 3, index: 3, kind: .noop)])
        XCTAssertEqual(leader.commitIndex, 1)

        // Index 2 (term 2) is now held by all three nodes, but it may not be committed by counting.
        leader.step(Message(from: 2, to: 1, term: 3, body: .appendResponse(AppendResponse(index: 2))))
        leader.step(Message(from: 3, to: 1, term: 3, body: .appendResponse(AppendResponse(index: 2))))
        XCTAssertEqual(leader.commitIndex, 1, "an entry of an earlier term is never committed by counting replicas")

        // A follower holds the no-op, but the leader has not persisted it: still no quorum for index 3.
        leader.step(Message(from: 2, to: 1, term: 3, body: .appendResponse(AppendResponse(index: 3))))
        XCTAssertEqual(leader.commitIndex, 1, "the leader's own unpersisted entry does not count")
        XCTAssertTrue(leader.ready().committedEntries.allSatisfy { $0.index <= 1 })

        leader.storageDidPersist(through: noopReady.id)
        XCTAssertEqual(leader.commitIndex, 3, "the current-term entry commits, and index 2 with it")
        let after = leader.ready()
        XCTAssertNil(after.hardState, "a new commit index alone is not written on its own")
        XCTAssertEqual(after.committedEntries.last?.index, 3)
        XCTAssertTrue(after.committedEntries.contains { $0.index == 2 })
        // A new commit index alone is not broadcast: followers learn it from the next append or heartbeat.
        XCTAssertTrue(appends(after.messages, to: 2).isEmpty, "no append carries the commit index alone")
        _ = try? leader.propose([[9]])
        XCTAssertTrue(appends(leader.ready().messages, to: 2).contains { $0.commit == 3 && !$0.entries.isEmpty })
    }

    func testProposalsBetweenReadiesAreBatched() {
        let cluster = TestCluster(ids: [1, 2, 3])
        cluster.elect(1)
        let r1 = cluster.propose(1, [[1]])
        let r2 = cluster.propose(1, [[2], [3]])
        let r3 = cluster.propose(1, [[4]])
        XCTAssertEqual(r1, ProposalReceipt(term: 1, firstIndex: 2, lastIndex: 2))
        XCTAssertEqual(r2, ProposalReceipt(term: 1, firstIndex: 3, lastIndex: 4))
        XCTAssertEqual(r3, ProposalReceipt(term: 1, firstIndex: 5, lastIndex: 5))
        XCTAssertTrue(cluster[1].outMessages.isEmpty, "nothing is sent before ready()")
        let ready = cluster.processReady(1)!
        XCTAssertEqual(ready.entries.map(\.index), [2, 3, 4, 5])
        for peer: NodeID in [2, 3] {
            let requests = appends(ready.messages, to: peer)
            XCTAssertEqual(requests.count, 1, "one append per follower")
            XCTAssertEqual(requests.first?.entries.map(\.data), [[1], [2], [3], [4]])
            XCTAssertEqual(requests.first?.prevIndex, 1)
        }
        cluster.stabilize()
        XCTAssertEqual(cluster[1].commitIndex, 5)
        XCTAssertEqual(cluster.applied[1]?.map(\.data), [[], [1], [2], [3], [4]])
    }

    func testACommitAndTheProposalsAfterItShareOneAppend() throws {
        var leader = manuallyElectedLeader()
        readyAndPersist(&leader)
        for follower: NodeID in [2, 3] {
            leader.step(Message(from: follower, to: 1, term: 1, body: .appendResponse(AppendResponse(index: 1))))
        }
        XCTAssertEqual(leader.commitIndex, 1)
        try leader.propose([[7]])
        let ready = leader.ready()
        for peer: NodeID in [2, 3] {
            XCTAssertEqual(appends(ready.messages, to: peer), [
                AppendRequest(prevIndex: 1, prevTerm: 1, entries: [Entry(term: 1, index: 2, data: [7])], commit: 1),
            ], "one append carries both the new commit index and the new entry")
        }
    }

    func testACommitIndexAloneIsNotWrittenOnItsOwn() {
        var follower = makeNode(makeConfig(id: 2, voters: [1, 2, 3]))
        let entries = [Entry(term: 1, index: 1, kind: .noop), Entry(term: 1, index: 2, data: [2])]
        follower.step(Message(from: 1, to: 2, term: 1, body: .append(AppendRequest(prevIndex: 0, prevTerm: 0, entries: entries, commit: 0))))
        let first = readyAndPersist(&follower)
        XCTAssertEqual(first.hardState, HardState(term: 1, vote: noNode, commit: 0))

        follower.step(Message(from: 1, to: 2, term: 1, body: .append(AppendRequest(prevIndex: 2, prevTerm: 1, entries: [], commit: 2))))
        let commitOnly = follower.ready()
        XCTAssertNil(commitOnly.hardState)
        XCTAssertFalse(commitOnly.needsPersistence, "nothing to sync: the answer may go as soon as earlier writes are durable")
        XCTAssertEqual(commitOnly.messagesAfterPersist.map(\.body), [.appendResponse(AppendResponse(index: 2))])
        XCTAssertEqual(commitOnly.committedEntries.map(\.index), [1, 2])
        XCTAssertFalse(follower.hasReady)

        follower.step(Message(from: 1, to: 2, term: 1, body: .append(AppendRequest(prevIndex: 2, prevTerm: 1, entries: [Entry(term: 1, index: 3, data: [3])], commit: 2))))
        XCTAssertEqual(follower.ready().hardState, HardState(term: 1, vote: noNode, commit: 2), "the commit index is written with the next entries")
    }

    func testInflightLimitStopsSending() {
        let cluster = TestCluster(ids: [1, 2, 3]) { $0.maxInflightMessages = 2 }
        cluster.elect(1)
        for value in 1...4 {
            cluster.propose(1, [[UInt8(value)]])
            cluster.processReady(1)
        }
        for peer: NodeID in [2, 3] {
            let requests = cluster.queued(from: 1, to: peer).compactMap(\.appendRequest)
            XCTAssertEqual(requests.map { $0.entries.map(\.index) }, [[2], [3]], "two appends in flight, then the follower is paused")
        }
        // Acknowledgements free the window and the rest goes out in one append.
        cluster.deliverQueued { $0.to == 3 }
        cluster.processReady(2)
        cluster.deliverQueued { $0.to == 3 }
        let ready = cluster.processReady(1)!
        let toTwo = appends(ready.messages, to: 2).filter { !$0.entries.isEmpty }
        XCTAssertEqual(toTwo.map { $0.entries.map(\.index) }, [[4, 5]], "the rest goes in one append")
        XCTAssertTrue(appends(ready.messages, to: 3).allSatisfy(\.entries.isEmpty), "node 3 is still paused")
        cluster.stabilize()
        XCTAssertEqual(cluster[2].lastIndex, 5)
        XCTAssertEqual(cluster[3].lastIndex, 5)
    }

    func testInflightByteLimitStopsSending() {
        let cluster = TestCluster(ids: [1, 2, 3]) { $0.maxInflightBytes = 100 }
        cluster.elect(1)
        for _ in 1...4 {
            cluster.propose(1, [[UInt8](repeating: 7, count: 36)])
            cluster.processReady(1)
        }
        let requests = cluster.queued(from: 1, to: 2).compactMap(\.appendRequest)
        XCTAssertEqual(requests.map { $0.entries.map(\.index) }, [[2], [3]], "60 + 60 bytes reach the 100-byte window")
    }

    func testMaxMessageBytesSplitsAppends() {
        let cluster = TestCluster(ids: [1, 2, 3]) { $0.maxMessageBytes = 100 }
        cluster.elect(1)
        // Each entry counts 26 + 24 = 50 bytes: two fit in a message.
        cluster.propose(1, (1...5).map { [UInt8](repeating: UInt8($0), count: 26) })
        cluster.propose(1, [[UInt8](repeating: 9, count: 200)])
        let ready = cluster.processReady(1)!
        for peer: NodeID in [2, 3] {
            let requests = appends(ready.messages, to: peer)
            XCTAssertEqual(requests.map { $0.entries.map(\.index) }, [[2, 3], [4, 5], [6], [7]])
            XCTAssertEqual(requests.map(\.prevIndex), [1, 3, 5, 6])
            for request in requests.dropLast() {
                XCTAssertLessThanOrEqual(request.entries.reduce(0) { $0 + $1.byteSize }, 100)
            }
        }
        cluster.stabilize()
        XCTAssertEqual(cluster[2].lastIndex, 7)
        XCTAssertEqual(cluster.storage[3]!.entries.count, 7)
    }

    func testCommittedEntriesRequireLocalPersistenceOnFollower() {
        var follower = makeNode(makeConfig(id: 2, voters: [1, 2, 3]))
        let first = [Entry(term: 1, index: 1, kind: .noop), Entry(term: 1, index: 2, data: [2]), Entry(term: 1, index: 3, data: [3])]
        follower.step(Message(from: 1, to: 2, term: 1, body: .append(AppendRequest(prevIndex: 0, prevTerm: 0, entries: first, commit: 3))))
        let ready1 = follower.ready()
        XCTAssertEqual(ready1.entries, first)
        XCTAssertEqual(follower.commitIndex, 3)
        XCTAssertTrue(ready1.committedEntries.isEmpty, "committed but not yet durable here")

        follower.step(Message(from: 1, to: 2, term: 1, body: .append(AppendRequest(prevIndex: 3, prevTerm: 1, entries: [Entry(term: 1, index: 4, data: [4])], commit: 4))))
        let ready2 = follower.ready()
        XCTAssertEqual(ready2.entries.map(\.index), [4])
        XCTAssertTrue(ready2.committedEntries.isEmpty)

        follower.storageDidPersist(through: ready1.id)
        let ready3 = follower.ready()
        XCTAssertEqual(ready3.committedEntries.map(\.index), [1, 2, 3])
        XCTAssertEqual(ready3.messagesAfterPersist, [])

        follower.storageDidPersist(through: ready2.id)
        XCTAssertEqual(follower.ready().committedEntries.map(\.index), [4])
        XCTAssertFalse(follower.hasReady)
    }

    func testAcknowledgingReplacedEntriesDoesNotMakeTheirReplacementsDurable() {
        var follower = makeNode(makeConfig(id: 2, voters: [1, 2, 3]))
        let old = [Entry(term: 1, index: 1, data: [1]), Entry(term: 1, index: 2, data: [2]), Entry(term: 1, index: 3, data: [3])]
        follower.step(Message(from: 1, to: 2, term: 1, body: .append(AppendRequest(prevIndex: 0, prevTerm: 0, entries: old, commit: 1))))
        let readyA = follower.ready()
        // Before A is durable, a new leader replaces index 2 onwards and commits its entry.
        let replacement = Entry(term: 2, index: 2, data: [22])
        follower.step(Message(from: 3, to: 2, term: 2, body: .append(AppendRequest(prevIndex: 1, prevTerm: 1, entries: [replacement], commit: 2))))
        let readyB = follower.ready()
        XCTAssertEqual(readyB.entries, [replacement])
        XCTAssertEqual(follower.commitIndex, 2)

        follower.storageDidPersist(through: readyA.id)
        XCTAssertFalse(follower.ready().committedEntries.contains { $0.index == 2 }, "index 2 of term 2 is not durable yet")
        follower.storageDidPersist(through: readyB.id)
        let applied = follower.ready().committedEntries
        XCTAssertEqual(applied.last, replacement)
        XCTAssertFalse(applied.contains(old[1]))
    }

    func testCommittedEntriesRequireLocalPersistenceOnLeader() {
        let cluster = TestCluster(ids: [1, 2, 3])
        cluster.elect(1)
        cluster.manualPersistence = [1]
        cluster.propose(1, [[42]])
        cluster.processReady(1)
        cluster.stabilize()
        XCTAssertEqual(cluster[1].commitIndex, 2, "the two followers form a quorum")
        XCTAssertFalse(cluster.applied[1]!.contains { $0.index == 2 }, "not applied before the leader's own write is durable")
        cluster.persist(1)
        cluster.processReady(1)
        XCTAssertEqual(cluster.applied[1]?.last, Entry(term: 1, index: 2, data: [42]))
    }

    func testFollowerKeepsLongerLogOnStaleAppend() {
        var follower = makeNode(makeConfig(id: 2, voters: [1, 2, 3]))
        let entries = (1...4).map { Entry(term: 1, index: LogIndex($0)) }
        follower.step(Message(from: 1, to: 2, term: 1, body: .append(AppendRequest(prevIndex: 0, prevTerm: 0, entries: entries, commit: 0))))
        readyAndPersist(&follower)
        // A delayed, shorter copy of an earlier append arrives.
        follower.step(Message(from: 1, to: 2, term: 1, body: .append(AppendRequest(prevIndex: 0, prevTerm: 0, entries: Array(entries.prefix(2)), commit: 0))))
        let ready = readyAndPersist(&follower)
        XCTAssertEqual(follower.lastIndex, 4)
        XCTAssertTrue(ready.entries.isEmpty)
        XCTAssertEqual(ready.messagesAfterPersist.map(\.body), [.appendResponse(AppendResponse(index: 2))])
    }

    func testStaleLeaderIsToldTheNewTerm() {
        var follower = makeNode(makeConfig(id: 2, voters: [1, 2, 3]), restoring: PersistentState(hardState: HardState(term: 5)))
        follower.step(Message(from: 1, to: 2, term: 3, body: .heartbeat(commit: 0, readRound: 0)))
        let ready = follower.ready()
        XCTAssertEqual(ready.messagesAfterPersist.map(\.term), [5])
        XCTAssertEqual(follower.term, 5)
        XCTAssertEqual(follower.leader, noNode)
    }
}
