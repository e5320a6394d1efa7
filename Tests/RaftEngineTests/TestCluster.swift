import XCTest
@testable import RaftEngine

/// What one node has made durable, updated from each persisted `Ready` as the driver contract says.
struct MemoryStorage {
    var hardState = HardState()
    var snapshot: Snapshot?
    var entries: [Entry] = []

    mutating func persist(_ ready: Ready) {
        if let snapshot = ready.snapshot {
            self.snapshot = snapshot
            entries.removeAll()
        }
        if let first = ready.entries.first {
            entries.removeAll { $0.index >= first.index }
            entries += ready.entries
        }
        if let hardState = ready.hardState { self.hardState = hardState }
    }

    var persistentState: PersistentState {
        PersistentState(hardState: hardState, snapshot: snapshot, entries: entries)
    }
}

/// A comparable copy of a `Ready`, for checking that two runs produced the same output.
struct ReadyRecord: Hashable {
    var id: UInt64
    var hardState: HardState?
    var snapshot: Snapshot?
    var entries: [Entry]
    var messages: [Message]
    var messagesAfterPersist: [Message]
    var committedEntries: [Entry]
    var readStates: [ReadState]
    var softState: SoftState?

    init(_ ready: Ready) {
        id = ready.id
        hardState = ready.hardState
        snapshot = ready.snapshot
        entries = ready.entries
        messages = ready.messages
        messagesAfterPersist = ready.messagesAfterPersist
        committedEntries = ready.committedEntries
        readStates = ready.readStates
        softState = ready.softState
    }
}

extension Message {
    /// True for the acknowledgement types that may only leave after persistence.
    var mustWaitForPersistence: Bool {
        switch body {
        case .appendResponse, .voteResponse: return true
        default: return false
        }
    }

    var appendRequest: AppendRequest? {
        if case .append(let request) = body { return request }
        return nil
    }

    var appendResponse: AppendResponse? {
        if case .appendResponse(let response) = body { return response }
        return nil
    }

    var isHeartbeat: Bool {
        if case .heartbeat = body { return true }
        return false
    }

    var isTimeoutNow: Bool {
        if case .timeoutNow = body { return true }
        return false
    }

    var isVoteRequest: Bool {
        if case .vote = body { return true }
        return false
    }
}

/// Builds a config with small, test-friendly timeouts.
func makeConfig(
    id: NodeID, voters: [NodeID], preVote: Bool = true, checkQuorum: Bool = true,
    seed: UInt64 = 1, _ customize: (inout RaftConfig) -> Void = { _ in }
) -> RaftConfig {
    var config = RaftConfig(
        id: id, voters: voters, electionTimeoutMin: 10, electionTimeoutMax: 20, heartbeatInterval: 2,
        preVote: preVote, checkQuorum: checkQuorum, randomSeed: seed)
    customize(&config)
    return config
}

/// Builds a node, failing the test (and crashing) on a config error.
func makeNode(_ config: RaftConfig, restoring state: PersistentState = PersistentState()) -> RaftNode {
    do {
        return try RaftNode(config: config, restoring: state)
    } catch {
        fatalError("bad test config: \(error)")
    }
}

/// Ticks a non-leader until it leaves the follower role (starts a pre-vote or an election).
/// Returns the number of ticks it took.
@discardableResult
func tickUntilCampaign(_ node: inout RaftNode, limit: Int = 1000) -> Int {
    let startRole = node.role
    for tick in 1...limit {
        node.tick()
        if node.role != startRole { return tick }
    }
    XCTFail("node \(node.id) did not campaign within \(limit) ticks")
    return limit
}

/// Takes a Ready and acknowledges it as if storage had made it durable.
@discardableResult
func readyAndPersist(_ node: inout RaftNode) -> Ready {
    let ready = node.ready()
    node.storageDidPersist(through: ready.id)
    return ready
}

/// Several engines wired together by hand: an in-memory network (a FIFO of messages) and storage.
///
/// `processReady` carries out a node's Ready the way a driver must: send `messages`, persist,
/// acknowledge with `storageDidPersist`, then send `messagesAfterPersist`. Nodes listed in
/// `manualPersistence` only persist when `persist(_:)` is called, so tests can hold a node's
/// writes back. Messages to or from an `isolated` node are dropped when delivered.
final class TestCluster {
    var nodes: [NodeID: RaftNode] = [:]
    var storage: [NodeID: MemoryStorage] = [:]
    var network: [Message] = []
    /// Every message handed to `step`, in delivery order.
    var delivered: [Message] = []
    var isolated: Set<NodeID> = []
    var manualPersistence: Set<NodeID> = []
    /// Readies handed out but not yet persisted (manual-persistence nodes only).
    var heldReadies: [NodeID: [Ready]] = [:]
    /// Every Ready each node produced, in order.
    var history: [NodeID: [Ready]] = [:]
    var applied: [NodeID: [Entry]] = [:]
    var readStates: [NodeID: [ReadState]] = [:]
    var installedSnapshots: [NodeID: [Snapshot]] = [:]
    let ids: [NodeID]

    init(ids: [NodeID], preVote: Bool = true, checkQuorum: Bool = true, seed: UInt64 = 1,
         _ customize: (inout RaftConfig) -> Void = { _ in }) {
        self.ids = ids
        for id in ids {
            nodes[id] = makeNode(makeConfig(id: id, voters: ids, preVote: preVote, checkQuorum: checkQuorum, seed: seed, customize))
            storage[id] = MemoryStorage()
        }
    }

    subscript(id: NodeID) -> RaftNode {
        get { nodes[id]! }
        set { nodes[id] = newValue }
    }

    /// Replaces node `id` with one restored from `state` (its storage is reset to that state).
    func restart(_ id: NodeID, from state: PersistentState) {
        nodes[id] = makeNode(nodes[id]!.config, restoring: state)
        storage[id] = MemoryStorage(hardState: state.hardState, snapshot: state.snapshot, entries: state.entries)
        heldReadies[id] = []
    }

    var leaders: [NodeID] { ids.filter { nodes[$0]!.role == .leader } }

    /// Carries out one Ready of `id`, if it has one. Returns it.
    @discardableResult
    func processReady(_ id: NodeID, file: StaticString = #filePath, line: UInt = #line) -> Ready? {
        guard nodes[id]!.hasReady else { return nil }
        let ready = nodes[id]!.ready()
        history[id, default: []].append(ready)
        for message in ready.messages {
            XCTAssertFalse(message.mustWaitForPersistence, "response \(message) sent before persistence", file: file, line: line)
        }
        for message in ready.messagesAfterPersist {
            XCTAssertTrue(message.mustWaitForPersistence, "request \(message) held until persistence", file: file, line: line)
        }
        network += ready.messages
        if manualPersistence.contains(id) {
            heldReadies[id, default: []].append(ready)
        } else {
            complete(ready, on: id)
        }
        if let snapshot = ready.snapshot { installedSnapshots[id, default: []].append(snapshot) }
        applied[id, default: []] += ready.committedEntries
        readStates[id, default: []] += ready.readStates
        return ready
    }

    /// Persists every held Ready of a manual-persistence node, in order.
    func persist(_ id: NodeID) {
        let held = heldReadies[id] ?? []
        heldReadies[id] = []
        for ready in held { complete(ready, on: id) }
    }

    private func complete(_ ready: Ready, on id: NodeID) {
        storage[id]!.persist(ready)
        network += ready.messagesAfterPersist
        nodes[id]!.storageDidPersist(through: ready.id)
    }

    /// Delivers every queued message once (in order); messages produced meanwhile stay queued.
    /// Messages for which `hold` returns true stay queued as well. Returns the number delivered.
    @discardableResult
    func deliverQueued(hold: (Message) -> Bool = { _ in false }) -> Int {
        let batch = network
        network = []
        var count = 0
        for message in batch {
            if hold(message) {
                network.append(message)
                continue
            }
            if isolated.contains(message.from) || isolated.contains(message.to) { continue }
            nodes[message.to]!.step(message)
            delivered.append(message)
            count += 1
        }
        return count
    }

    /// Processes Readies and delivers messages until nothing moves (no ticks happen).
    func stabilize(hold: (Message) -> Bool = { _ in false }, maxRounds: Int = 200,
                   file: StaticString = #filePath, line: UInt = #line) {
        for _ in 0..<maxRounds {
            var progressed = false
            for id in ids where processReady(id, file: file, line: line) != nil { progressed = true }
            if deliverQueued(hold: hold) > 0 { progressed = true }
            if !progressed { return }
        }
        XCTFail("cluster did not settle within \(maxRounds) rounds", file: file, line: line)
    }

    /// Ticks `id` until it campaigns, then lets the cluster settle.
    func elect(_ id: NodeID, file: StaticString = #filePath, line: UInt = #line) {
        tickUntilCampaign(&nodes[id]!)
        stabilize(file: file, line: line)
        XCTAssertEqual(nodes[id]!.role, .leader, "node \(id) did not win", file: file, line: line)
    }

    /// Ticks one node `times` times.
    func tick(_ id: NodeID, times: Int = 1) {
        for _ in 0..<times { nodes[id]!.tick() }
    }

    /// Proposes commands on `id` (which must be leader) and returns the receipt.
    @discardableResult
    func propose(_ id: NodeID, _ commands: [[UInt8]], file: StaticString = #filePath, line: UInt = #line) -> ProposalReceipt? {
        do {
            return try nodes[id]!.propose(commands)
        } catch {
            XCTFail("proposal refused: \(error)", file: file, line: line)
            return nil
        }
    }

    /// Messages currently queued from `from` to `to`.
    func queued(from: NodeID, to: NodeID) -> [Message] {
        network.filter { $0.from == from && $0.to == to }
    }
}

/// Helper for asserting on a thrown typed error.
func assertThrows<E: Error & Equatable>(_ expected: E, file: StaticString = #filePath, line: UInt = #line,
                                        _ body: () throws(E) -> Void) {
    do {
        try body()
        XCTFail("expected \(expected) to be thrown", file: file, line: line)
    } catch {
        XCTAssertEqual(error, expected, file: file, line: line)
    }
}
