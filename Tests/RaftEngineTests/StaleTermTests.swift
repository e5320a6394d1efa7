import XCTest
@testable import RaftEngine

/// Regression tests for messages that cross a term change.
final class StaleTermTests: XCTestCase {
    /// A node answers an append from an older term with a notice of its newer term. If the old
    /// sender has meanwhile become leader of that newer term, the notice must not count as a
    /// successful append: node 2's divergent entries would be taken as matching and committed.
    func testStaleTermNoticeIsNotTakenAsAMatch() {
        let c = TestCluster(ids: [1, 2, 3])
        c.elect(2)
        // 2 is cut off and appends two entries nobody else gets.
        let involves2: (Message) -> Bool = { $0.from == 2 || $0.to == 2 }
        c.propose(2, [[0xA], [0xB]])
        c.stabilize(hold: involves2)
        c.network.removeAll(where: involves2)
        // 1 and 3 elect 3 (term +1); messages to/from 2 are held.
        tickUntilCampaign(&c.nodes[1]!)
        c.stabilize(hold: involves2)
        tickUntilCampaign(&c.nodes[3]!)
        c.stabilize(hold: involves2)
        XCTAssertEqual(c[3].role, .leader)
        // Keep exactly one of 3's old-term messages to 2 (the stale one), drop the rest.
        let staleTerm = c[3].term
        let stale = c.network.first { m in
            guard m.from == 3 && m.to == 2 else { return false }
            switch m.body { case .append, .heartbeat: return true; default: return false }
        }!
        c.network.removeAll(where: involves2)
        // 2 steps down by CheckQuorum.
        for _ in 0..<25 { c.tick(2); c.processReady(2) }
        c.network.removeAll(where: involves2)
        // 3 loses 1 (drop everything between them) and steps down by CheckQuorum.
        let between13: (Message) -> Bool = { ($0.from == 1 && $0.to == 3) || ($0.from == 3 && $0.to == 1) }
        for _ in 0..<25 { c.tick(3); c.processReady(3); c.network.removeAll(where: { between13($0) || involves2($0) }) }
        // 3 campaigns again; only 2 answers (1 is kept away). 3's new appends to 2 are held.
        tickUntilCampaign(&c.nodes[3]!)
        let holdAppendsTo2: (Message) -> Bool = { m in
            if m.from == 3 && m.to == 2 { if case .vote = m.body { return false }; return true }
            return false
        }
        for _ in 0..<20 {
            c.stabilize(hold: holdAppendsTo2)
            c.network.removeAll(where: between13)
        }
        XCTAssertEqual(c[3].role, .leader)
        XCTAssertGreaterThan(c[3].term, staleTerm)
        // Now the delayed old-term message reaches 2.
        c.network.removeAll(where: { $0.from == 3 && $0.to == 2 })
        c.network.append(stale)
        c.deliverQueued()
        c.processReady(2)
        c.deliverQueued()   // 3 takes the answer
        c.processReady(3)
        // Heartbeat carries commit to 2.
        c.tick(3, times: 3)
        c.processReady(3)
        c.network.removeAll(where: { m in if case .heartbeat = m.body { return false }; return true })
        c.deliverQueued()
        c.processReady(2)
        let a2 = c.applied[2] ?? [], a3 = c.applied[3] ?? []
        for entry in a2 {
            if let other = a3.first(where: { $0.index == entry.index }) {
                XCTAssertEqual(other, entry, "nodes 2 and 3 applied different entries at index \(entry.index)")
            }
        }
    }

    /// A forwarded read that reaches a node already in a higher term is refused, not dropped, and a
    /// refusal reaching a follower whose term moved on still ends the read.
    func testForwardedReadAcrossATermChangeIsAnswered() {
        var follower = makeNode(makeConfig(id: 1, voters: [1, 2, 3]), restoring: PersistentState(hardState: HardState(term: 3)))
        follower.step(Message(from: 2, to: 1, term: 3, body: .heartbeat(commit: 0, readRound: 0)))
        _ = readyAndPersist(&follower)
        follower.readIndex(requestID: 77)
        let request = follower.ready().messages
        XCTAssertEqual(request.map(\.body), [.readIndexRequest(requestID: 77)])

        var newer = makeNode(makeConfig(id: 2, voters: [1, 2, 3]), restoring: PersistentState(hardState: HardState(term: 4)))
        newer.step(request[0])
        XCTAssertEqual(newer.ready().messages.map(\.body), [.readIndexResponse(requestID: 77, index: nil)])

        follower.step(Message(from: 3, to: 1, term: 4, body: .heartbeat(commit: 0, readRound: 0)))
        follower.step(Message(from: 2, to: 1, term: 3, body: .readIndexResponse(requestID: 77, index: 0)))
        XCTAssertEqual(follower.ready().readStates, [ReadState(requestID: 77, outcome: .rejected(leaderHint: 3))])
    }

    /// A snapshot from the leader is durable only once storage acknowledged it.
    func testReceivedSnapshotIsPersistedOnlyAfterAcknowledgement() {
        var follower = makeNode(makeConfig(id: 2, voters: [1, 2, 3]))
        follower.step(Message(from: 1, to: 2, term: 1, body: .snapshot(Snapshot(index: 50, term: 1, data: [1]))))
        let ready = follower.ready()
        XCTAssertNotNil(ready.snapshot)
        XCTAssertLessThan(follower.status.persistedIndex, 50)
        follower.storageDidPersist(through: ready.id)
        XCTAssertEqual(follower.status.persistedIndex, 50)
    }
}
