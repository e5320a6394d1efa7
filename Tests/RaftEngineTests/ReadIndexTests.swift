import XCTest
@testable import RaftEngine

final class ReadIndexTests: XCTestCase {
    private func heartbeatRounds(_ messages: [Message]) -> [NodeID: UInt64] {
        var rounds: [NodeID: UInt64] = [:]
        for message in messages {
            if case .heartbeat(_, let round) = message.body { rounds[message.to] = round }
        }
        return rounds
    }

    private func ack(_ node: inout RaftNode, from peer: NodeID, round: UInt64) {
        node.step(Message(from: peer, to: node.id, term: node.term, body: .heartbeatResponse(readRound: round)))
    }

    /// Asks `leader` for read `requestID` and returns the read round of the heartbeats it then sends.
    private func readRound(_ leader: inout RaftNode, requestID: UInt64) -> UInt64 {
        leader.readIndex(requestID: requestID)
        let rounds = Set(heartbeatRounds(leader.ready().messages).values)
        XCTAssertEqual(rounds.count, 1)
        return rounds.first!
    }

    func testReadWaitsUntilLeaderCommitsInItsTerm() {
        let cluster = TestCluster(ids: [1, 2, 3])
        tickUntilCampaign(&cluster.nodes[1]!)
        let holdAppends: (Message) -> Bool = { $0.appendRequest != nil }
        cluster.stabilize(hold: holdAppends)
        XCTAssertEqual(cluster[1].role, .leader)
        XCTAssertEqual(cluster[1].commitIndex, 0)

        cluster[1].readIndex(requestID: 7)
        XCTAssertFalse(cluster[1].reads.hasUnsentRound, "no read round starts before the first commit")
        let ready = cluster[1].ready()
        XCTAssertTrue(ready.readStates.isEmpty)
        XCTAssertTrue(ready.messages.isEmpty)

        // Heartbeat answers confirm leadership but cannot serve the read yet.
        cluster.tick(1, times: 2)
        cluster.stabilize(hold: holdAppends)
        XCTAssertEqual(cluster.readStates[1] ?? [], [])

        cluster.stabilize()
        XCTAssertEqual(cluster[1].commitIndex, 1)
        XCTAssertEqual(cluster.readStates[1], [ReadState(requestID: 7, outcome: .confirmed(index: 1))])
    }

    func testReadNeedsQuorumOfAcksForARoundSentAfterIt() {
        let cluster = TestCluster(ids: [1, 2, 3, 4, 5])
        cluster.elect(1)
        var leader = cluster[1]
        let commit = leader.commitIndex
        XCTAssertEqual(commit, 1)

        leader.readIndex(requestID: 1)
        // Answers to heartbeats sent before the read's round do not count.
        for peer: NodeID in [2, 3, 4] { ack(&leader, from: peer, round: 0) }
        let ready = leader.ready()
        XCTAssertTrue(ready.readStates.isEmpty)
        let rounds = heartbeatRounds(ready.messages)
        XCTAssertEqual(Set(rounds.keys), [2, 3], "just enough followers for a quorum with the leader")
        let round = rounds[2]!
        XCTAssertGreaterThan(round, 0)
        for peer: NodeID in [2, 3, 4] { ack(&leader, from: peer, round: round - 1) }
        XCTAssertTrue(leader.ready().readStates.isEmpty, "older rounds do not vouch for a newer one")

        ack(&leader, from: 2, round: round)
        ack(&leader, from: 2, round: round)
        XCTAssertTrue(leader.ready().readStates.isEmpty, "leader + one follower is not a quorum of five")
        ack(&leader, from: 3, round: round)
        XCTAssertEqual(leader.ready().readStates, [ReadState(requestID: 1, outcome: .confirmed(index: commit))])
        ack(&leader, from: 4, round: round)
        XCTAssertTrue(leader.ready().readStates.isEmpty, "a read is answered once")
    }

    func testEarlierRoundAcksDoNotConfirmLaterReads() {
        let cluster = TestCluster(ids: [1, 2, 3])
        cluster.elect(1)
        var leader = cluster[1]
        let first = readRound(&leader, requestID: 1)
        let second = readRound(&leader, requestID: 2)
        XCTAssertGreaterThan(second, first)

        ack(&leader, from: 2, round: first)
        XCTAssertEqual(leader.ready().readStates.map(\.requestID), [1])
        ack(&leader, from: 3, round: first)
        XCTAssertTrue(leader.ready().readStates.isEmpty)
        ack(&leader, from: 3, round: second)
        XCTAssertEqual(leader.ready().readStates.map(\.requestID), [2])

        // An answer to a newer round also vouches for older ones.
        let third = readRound(&leader, requestID: 3)
        let fourth = readRound(&leader, requestID: 4)
        XCTAssertGreaterThan(fourth, third)
        ack(&leader, from: 2, round: fourth)
        XCTAssertEqual(leader.ready().readStates.map(\.requestID), [3, 4])
    }

    func testReadIndexIsTheCommitIndexWhenTheReadArrived() {
        let cluster = TestCluster(ids: [1, 2, 3])
        cluster.elect(1)
        cluster.propose(1, [[1], [2]])
        cluster.stabilize()
        XCTAssertEqual(cluster[1].commitIndex, 3)
        cluster[1].readIndex(requestID: 9)
        cluster.stabilize()
        XCTAssertEqual(cluster.readStates[1], [ReadState(requestID: 9, outcome: .confirmed(index: 3))])
    }

    func testReadsBeforeOneReadyShareOneRound() {
        let cluster = TestCluster(ids: [1, 2, 3, 4, 5])
        cluster.elect(1)
        for id: UInt64 in 1...3 { cluster[1].readIndex(requestID: id) }
        let ready = cluster.processReady(1)!
        let heartbeats = ready.messages.filter(\.isHeartbeat)
        XCTAssertEqual(heartbeats.count, 2, "one heartbeat to each of a quorum's followers for all three reads")
        XCTAssertEqual(Set(heartbeatRounds(heartbeats).values).count, 1)
        cluster.stabilize()
        let answered = cluster.history[1]!.filter { !$0.readStates.isEmpty }
        XCTAssertEqual(answered.count, 1, "all three confirmed together")
        XCTAssertEqual(answered.first?.readStates.map(\.requestID), [1, 2, 3])
        XCTAssertTrue(answered.first!.readStates.allSatisfy { $0.outcome == .confirmed(index: 1) })
        let readHeartbeats = cluster.delivered.filter { message in
            if case .heartbeat(_, let round) = message.body { return round > 0 }
            return false
        }
        XCTAssertEqual(readHeartbeats.count, 2)
    }

    func testReadRoundsLeaveOutAFollowerThatStoppedAnswering() {
        let cluster = TestCluster(ids: [1, 2, 3, 4, 5])
        cluster.elect(1)
        var leader = cluster[1]
        leader.readIndex(requestID: 1)
        let first = heartbeatRounds(leader.ready().messages)
        XCTAssertEqual(Set(first.keys), [2, 3])
        let round = first[2]!

        // Node 2 is gone: node 3 alone does not make a quorum, so the read waits for the next
        // periodic heartbeat, which asks every follower.
        ack(&leader, from: 3, round: round)
        XCTAssertTrue(leader.ready().readStates.isEmpty)
        var periodic: [NodeID: UInt64] = [:]
        for _ in 0..<leader.config.heartbeatInterval where periodic.isEmpty {
            leader.tick()
            periodic = heartbeatRounds(leader.ready().messages)
        }
        XCTAssertEqual(periodic, [2: round, 3: round, 4: round, 5: round])
        ack(&leader, from: 4, round: round)
        XCTAssertEqual(leader.ready().readStates, [ReadState(requestID: 1, outcome: .confirmed(index: 1))])

        // The next round goes to the followers that answered the last one.
        leader.readIndex(requestID: 2)
        XCTAssertEqual(Set(heartbeatRounds(leader.ready().messages).keys), [3, 4])
    }

    func testLeaderSteppingDownRejectsPendingReads() {
        let cluster = TestCluster(ids: [1, 2, 3])
        cluster.elect(1)
        cluster[1].readIndex(requestID: 1)
        cluster.processReady(1)
        cluster[1].readIndex(requestID: 2)
        let term = cluster[1].term
        cluster[1].step(Message(from: 2, to: 1, term: term + 1, body: .heartbeat(commit: 1, readRound: 0)))
        XCTAssertEqual(cluster[1].role, .follower)
        let ready = cluster[1].ready()
        XCTAssertEqual(ready.readStates, [
            ReadState(requestID: 1, outcome: .rejected(leaderHint: 2)),
            ReadState(requestID: 2, outcome: .rejected(leaderHint: 2)),
        ])
        XCTAssertFalse(ready.messages.contains(where: \.isHeartbeat), "the unsent round is not sent after stepping down")
    }

    func testCheckQuorumStepDownRejectsReadsAwaitingCommit() {
        let cluster = TestCluster(ids: [1, 2, 3])
        tickUntilCampaign(&cluster.nodes[1]!)
        cluster.stabilize(hold: { $0.appendRequest != nil })
        XCTAssertEqual(cluster[1].role, .leader)
        cluster[1].readIndex(requestID: 5)
        cluster.network = []
        cluster.tick(1, times: 25)
        XCTAssertEqual(cluster[1].role, .follower)
        XCTAssertEqual(cluster[1].ready().readStates, [ReadState(requestID: 5, outcome: .rejected(leaderHint: nil))])
    }

    func testFollowerForwardsReadToLeader() {
        let cluster = TestCluster(ids: [1, 2, 3])
        cluster.elect(1)
        cluster.propose(1, [[1]])
        cluster.stabilize()
        cluster[2].readIndex(requestID: 42)
        let ready = cluster.processReady(2)!
        XCTAssertEqual(ready.messages.map(\.body), [.readIndexRequest(requestID: 42)])
        XCTAssertEqual(ready.messages.first?.to, 1)
        cluster.stabilize()
        XCTAssertEqual(cluster.readStates[2], [ReadState(requestID: 42, outcome: .confirmed(index: 2))])
        XCTAssertEqual(cluster.readStates[1] ?? [], [], "the leader answers the follower, not itself")
    }

    func testAFollowerLearnsTheCommitIndexWithItsConfirmedRead() {
        let cluster = TestCluster(ids: [1, 2, 3, 4, 5])
        cluster.elect(1)
        cluster.propose(1, [[1]])
        cluster.stabilize()
        XCTAssertEqual(cluster[1].commitIndex, 2)
        XCTAssertLessThan(cluster[5].commitIndex, 2, "a commit index alone is not sent")
        cluster[5].readIndex(requestID: 9)
        cluster.stabilize()
        XCTAssertEqual(cluster.readStates[5], [ReadState(requestID: 9, outcome: .confirmed(index: 2))])
        XCTAssertEqual(cluster[5].commitIndex, 2, "the follower can apply up to its read index without waiting for a heartbeat")
        XCTAssertEqual(cluster.applied[5]?.last?.index, 2)
    }

    func testReadOnNodeWithoutLeaderIsRejected() {
        var node = makeNode(makeConfig(id: 2, voters: [1, 2, 3]))
        node.readIndex(requestID: 3)
        let ready = node.ready()
        XCTAssertEqual(ready.readStates, [ReadState(requestID: 3, outcome: .rejected(leaderHint: nil))])
        XCTAssertTrue(ready.messages.isEmpty)
    }

    func testForwardedReadToNonLeaderIsRefused() {
        let cluster = TestCluster(ids: [1, 2, 3])
        cluster.elect(1)
        cluster[3].step(Message(from: 2, to: 3, term: cluster[3].term, body: .readIndexRequest(requestID: 8)))
        let answer = cluster[3].ready().messages
        XCTAssertEqual(answer.map(\.body), [.readIndexResponse(requestID: 8, index: nil)])
        cluster[2].step(answer[0])
        XCTAssertEqual(cluster[2].ready().readStates, [ReadState(requestID: 8, outcome: .rejected(leaderHint: 1))])
    }

    func testSingleNodeReadIsConfirmedAtOnce() {
        var node = makeNode(makeConfig(id: 1, voters: [1]))
        tickUntilCampaign(&node)
        readyAndPersist(&node)
        XCTAssertEqual(node.role, .leader)
        node.readIndex(requestID: 1)
        XCTAssertTrue(node.ready().readStates.isEmpty, "the no-op is not committed yet")
        let ready = node.ready()
        node.storageDidPersist(through: ready.id)
        XCTAssertEqual(node.commitIndex, 1)
        XCTAssertEqual(node.ready().readStates, [ReadState(requestID: 1, outcome: .confirmed(index: 1))])
    }
}
