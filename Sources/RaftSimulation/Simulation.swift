import DequeModule
import RaftEngine
import RaftStorage

/// Runs a cluster of `RaftNode`s in one process with virtual time, a faulty network, crashes that
/// lose unsynced writes, and safety checks after every step. Everything is driven by one seeded
/// generator, so a seed always replays the same run.
public final class Simulation {
    enum Event {
        case tick(node: Int, incarnation: Int)
        case deliver(Message)
        case syncComplete(node: Int, incarnation: Int)
        case restart(node: Int)
    }

    public let options: SimulationOptions
    /// Virtual time in microseconds.
    public private(set) var now: UInt64 = 0
    var queue = EventQueue<Event>()
    var random: SeededRandom
    let nodes: [SimulatedNode]
    /// `cut[from][to]`: messages from `from` to `to` are lost.
    var cut: [[Bool]]
    var checker = SafetyChecker()
    var trace: Trace
    /// Fault rates in force now (the options' rates until `heal()` clears them).
    var dropRate: Double
    var duplicateRate: Double
    var longTailRate: Double
    var nextProposalID: UInt64 = 1
    var nextReadID: UInt64 = 1
    public private(set) var acknowledgedProposals: [(proposal: UInt64, index: LogIndex)] = []
    public private(set) var confirmedReads = 0
    /// How each finished ReadIndex read ended, by request id.
    public private(set) var readOutcomes: [UInt64: ReadState.Outcome] = [:]
    public private(set) var messagesSent: [String: Int] = [:]
    public private(set) var totalMessagesSent = 0

    public init(options: SimulationOptions) {
        self.options = options
        self.random = SeededRandom(seed: options.seed)
        self.trace = Trace(keepAll: options.fullTrace)
        self.dropRate = options.dropRate
        self.duplicateRate = options.duplicateRate
        self.longTailRate = options.longTailRate
        let voters = (1...options.nodeCount).map { NodeID($0) }
        var skewRandom = SeededRandom(seed: options.seed ^ 0x5EED)
        self.nodes = voters.map { id in
            let skew = options.tickSkew > 0 ? Double.random(in: -options.tickSkew...options.tickSkew, using: &skewRandom) : 0
            let tick = UInt64(Double(options.tickMs * 1000) * (1 + skew))
            return SimulatedNode(id: id, config: options.raftConfig(for: id, voters: voters), tickMicros: max(tick, 1),
                                 realStorage: options.realStorage)
        }
        self.cut = Array(repeating: Array(repeating: false, count: options.nodeCount), count: options.nodeCount)
        for index in nodes.indices {
            restartFromDisk(index)
        }
    }

    // MARK: Observation

    /// The first safety violation seen, if any.
    public var violation: String? { checker.violation }
    public var nodeIDs: [NodeID] { nodes.map(\.id) }
    public var traceDigest: UInt64 { trace.digest }
    public var traceEventCount: Int { trace.count }
    public var traceLines: [String] { trace.lines() }
    public var highestCommitted: LogIndex { checker.globalCommit }

    public func status(of id: NodeID) -> RaftStatus? { node(id).engine?.status }
    public func isUp(_ id: NodeID) -> Bool { node(id).isUp }
    public func appliedIndex(of id: NodeID) -> LogIndex { node(id).appliedIndex }

    /// The leader with the highest term among running nodes, if any.
    public var leader: NodeID? {
        nodes.compactMap { $0.engine }.filter { $0.role == .leader }.max { $0.term < $1.term }?.id
    }

    /// Every running leader (a deposed one may not know it yet).
    public var leaders: [NodeID] {
        nodes.compactMap { $0.engine }.filter { $0.role == .leader }.map(\.id)
    }

    func node(_ id: NodeID) -> SimulatedNode {
        precondition(id >= 1 && Int(id) <= nodes.count, "no node \(id)")
        return nodes[Int(id) - 1]
    }

    // MARK: Running

    /// Processes events until virtual time reaches `now + milliseconds`, or a violation is found.
    public func run(forMs milliseconds: UInt64) {
        run(until: now + milliseconds * 1000)
    }

    public func run(until deadline: UInt64) {
        while violation == nil, let next = queue.nextTime, next <= deadline {
            let (time, event) = queue.popFirst()!
            now = time
            handle(event)
        }
        if violation == nil { now = max(now, deadline) }
    }

    /// Runs until `condition` holds (checked after every event) or `milliseconds` pass.
    /// Returns whether the condition was met.
    @discardableResult
    public func run(forMs milliseconds: UInt64, until condition: () -> Bool) -> Bool {
        let deadline = now + milliseconds * 1000
        if condition() { return true }
        while violation == nil, let next = queue.nextTime, next <= deadline {
            let (time, event) = queue.popFirst()!
            now = time
            handle(event)
            if condition() { return true }
        }
        if violation == nil { now = max(now, deadline) }
        return false
    }

    private func handle(_ event: Event) {
        switch event {
        case .tick(let index, let incarnation):
            let node = nodes[index]
            guard node.incarnation == incarnation, node.isUp else { return }
            node.engine!.tick()
            process(index)
            queue.schedule(at: now + node.tickMicros, .tick(node: index, incarnation: incarnation))
        case .deliver(let message):
            let index = Int(message.to) - 1
            guard nodes[index].isUp else {
                trace.record(now, .drop(message, reason: "receiver down"))
                return
            }
            if cut[Int(message.from) - 1][index] {
                trace.record(now, .drop(message, reason: "partitioned"))
                return
            }
            trace.record(now, .deliver(message))
            nodes[index].engine!.step(message)
            process(index)
        case .syncComplete(let index, let incarnation):
            guard nodes[index].incarnation == incarnation else { return }
            completeSyncs(index)
        case .restart(let index):
            if !nodes[index].isUp { restart(NodeID(index + 1)) }
        }
    }

    // MARK: Driving one node

    /// Drains the node's Readies, carrying out each as a real driver would.
    func process(_ index: Int) {
        let node = nodes[index]
        while violation == nil, node.engine?.hasReady == true {
            let ready = node.engine!.ready()
            handleReady(ready, node: node, index: index)
        }
    }

    private func handleReady(_ ready: Ready, node: SimulatedNode, index: Int) {
        if let soft = ready.softState {
            node.role = soft.role
            let term = node.engine!.term
            trace.record(now, .role(node: node.id, role: soft.role, term: term, leader: soft.leader))
            if soft.role == .leader {
                checker.leaderElected(node.id, term: term, log: node.mirror)
            }
        }
        if let snapshot = ready.snapshot {
            let image = SimulatedNode.decodeSnapshot(snapshot.data)
            precondition(image.index == snapshot.index, "snapshot image index mismatch")
            if snapshot.index < node.appliedIndex {
                checker.report("n\(node.id) installed snapshot \(snapshot.index) below its applied index \(node.appliedIndex)")
            }
            node.mirror.reset(baseIndex: snapshot.index, baseChain: image.chain)
            node.appliedIndex = snapshot.index
            node.appliedChain = image.chain
            node.pendingProposals = node.pendingProposals.filter { $0.key > snapshot.index }
            checker.applied(node.id, index: snapshot.index, chain: image.chain)
        }
        if !ready.entries.isEmpty {
            checker.logWritten(node.id, node.mirror.write(ready.entries))
            if node.role == .leader {
                for entry in ready.entries where entry.kind == .command {
                    trace.record(now, .propose(node: node.id, proposal: SimulatedNode.proposalID(entry.data), index: entry.index, term: entry.term))
                }
            }
        }
        for message in ready.messages { send(message) }
        enqueueWrite(ready, node: node, index: index)

        let commit = node.engine!.commitIndex
        if commit < node.lastCommit {
            checker.report("n\(node.id) commit index went backwards: \(node.lastCommit) -> \(commit)")
        }
        node.lastCommit = commit
        checker.commitObserved(node.id, term: node.engine!.term, commit: commit, log: node.mirror)

        for entry in ready.committedEntries { apply(entry, node: node) }
        maybeCompact(node)
        for state in ready.readStates { readCompleted(state, node: node) }
    }

    private func enqueueWrite(_ ready: Ready, node: SimulatedNode, index: Int) {
        guard ready.needsPersistence || !node.pendingWrites.isEmpty else {
            for message in ready.messagesAfterPersist { send(message) }
            return
        }
        if let disk = node.disk, ready.needsPersistence {
            do {
                try disk.write(StorageWrite(ready))
            } catch {
                checker.report("n\(node.id): storage write failed: \(error)")
            }
        }
        let latency = UInt64.random(in: options.minSyncMicros...options.maxSyncMicros, using: &random)
        let completesAt = max(now + latency, node.pendingWrites.last?.completesAt ?? 0)
        node.pendingWrites.append(PendingWrite(
            readyID: ready.id, snapshot: ready.snapshot, entries: ready.entries, hardState: ready.hardState,
            messagesAfterPersist: ready.messagesAfterPersist, completesAt: completesAt))
        queue.schedule(at: completesAt, .syncComplete(node: index, incarnation: node.incarnation))
    }

    private func completeSyncs(_ index: Int) {
        let node = nodes[index]
        var lastID: UInt64?
        var released: [Message] = []
        while let write = node.pendingWrites.first, write.completesAt <= now {
            node.pendingWrites.removeFirst()
            if let problem = node.durable.apply(write) { checker.report("n\(node.id): \(problem)") }
            released += write.messagesAfterPersist
            lastID = write.readyID
        }
        guard let lastID else { return }
        do {
            try node.disk?.sync()
        } catch {
            checker.report("n\(node.id): storage sync failed: \(error)")
        }
        for message in released { send(message) }
        node.engine!.storageDidPersist(through: lastID)
        process(index)
    }

    private func apply(_ entry: Entry, node: SimulatedNode) {
        if entry.index != node.appliedIndex + 1 {
            checker.report("n\(node.id) applied index \(entry.index) after \(node.appliedIndex)")
            return
        }
        node.appliedChain = LogMirror.extend(node.appliedChain, with: entry)
        node.appliedIndex = entry.index
        checker.applied(node.id, index: entry.index, chain: node.appliedChain)
        if let pending = node.pendingProposals.removeValue(forKey: entry.index), entry.term == pending.term,
           SimulatedNode.proposalID(entry.data) == pending.proposal {
            acknowledgedProposals.append((pending.proposal, entry.index))
            checker.acknowledged(index: entry.index)
            trace.record(now, .acknowledged(proposal: pending.proposal, index: entry.index))
        }
    }

    private func maybeCompact(_ node: SimulatedNode) {
        guard options.snapshotEvery > 0, let engine = node.engine,
              node.appliedIndex >= engine.snapshotIndex + LogIndex(options.snapshotEvery) else { return }
        let data = SimulatedNode.encodeSnapshot(index: node.appliedIndex, chain: node.appliedChain)
        node.engine!.compact(upTo: node.appliedIndex, snapshotData: data)
        node.durable.compact(to: node.engine!.snapshot!)
        do {
            try node.disk?.saveSnapshot(node.engine!.snapshot!)
        } catch {
            checker.report("n\(node.id): saving a snapshot failed: \(error)")
        }
        node.mirror.compact(upTo: node.appliedIndex)
    }

    private func readCompleted(_ state: ReadState, node: SimulatedNode) {
        guard let required = node.pendingReads.removeValue(forKey: state.requestID) else { return }
        trace.record(now, .read(node: node.id, request: state.requestID, outcome: state.outcome))
        readOutcomes[state.requestID] = state.outcome
        if case .confirmed(let index) = state.outcome {
            confirmedReads += 1
            checker.readConfirmed(node.id, request: state.requestID, index: index, requiredIndex: required)
        }
    }

    // MARK: Network

    func send(_ message: Message) {
        totalMessagesSent += 1
        messagesSent[Simulation.kind(of: message), default: 0] += 1
        let from = Int(message.from) - 1, to = Int(message.to) - 1
        if cut[from][to] {
            trace.record(now, .drop(message, reason: "partitioned"))
            return
        }
        if dropRate > 0 && Double.random(in: 0..<1, using: &random) < dropRate {
            trace.record(now, .drop(message, reason: "lost"))
            return
        }
        queue.schedule(at: now + deliveryDelay(), .deliver(message))
        if duplicateRate > 0 && Double.random(in: 0..<1, using: &random) < duplicateRate {
            queue.schedule(at: now + deliveryDelay(), .deliver(message))
        }
    }

    private func deliveryDelay() -> UInt64 {
        var delay = UInt64.random(in: options.minDelayMicros...options.maxDelayMicros, using: &random)
        if longTailRate > 0 && Double.random(in: 0..<1, using: &random) < longTailRate {
            delay += UInt64.random(in: 0...options.longTailMicros, using: &random)
        }
        return delay
    }

    static func kind(of message: Message) -> String {
        switch message.body {
        case .append(let request): return request.entries.isEmpty ? "append-empty" : "append"
        case .appendResponse: return "append-response"
        case .heartbeat: return "heartbeat"
        case .heartbeatResponse: return "heartbeat-response"
        case .vote(let request): return request.prevote ? "prevote" : "vote"
        case .voteResponse(let prevote, _): return prevote ? "prevote-response" : "vote-response"
        case .snapshot: return "snapshot"
        case .timeoutNow: return "timeout-now"
        case .readIndexRequest: return "read-index-request"
        case .readIndexResponse: return "read-index-response"
        }
    }

    // MARK: Lifecycle

    /// Boots node `index` from its durable state (empty on the first start).
    func restartFromDisk(_ index: Int) {
        let node = nodes[index]
        var state = node.durable.persistentState
        if let disk = node.disk {
            switch disk.recover(expected: node.durable, committed: node.commitAtCrash) {
            case .success(let recovered):
                state = recovered
                node.durable = DurableStorage(recovered)
            case .failure(let problem):
                checker.report("n\(node.id) storage: \(problem)")
                return
            }
        }
        do {
            node.engine = try RaftNode(config: node.config, restoring: state)
        } catch {
            preconditionFailure("simulated node config rejected: \(error)")
        }
        node.incarnation += 1
        let base = state.snapshot.map { SimulatedNode.decodeSnapshot($0.data) } ?? (index: 0, chain: 0)
        node.mirror.reset(baseIndex: base.index, baseChain: base.chain)
        checker.logWritten(node.id, node.mirror.write(state.entries))
        node.appliedIndex = base.index
        node.appliedChain = base.chain
        node.lastCommit = 0
        node.role = .follower
        let phase = UInt64.random(in: 0..<node.tickMicros, using: &random)
        queue.schedule(at: now + phase, .tick(node: index, incarnation: node.incarnation))
        process(index)
    }
}

extension SimulatedNode {
    static func proposalID(_ data: [UInt8]) -> UInt64 {
        data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
    }

    static func command(for proposal: UInt64) -> [UInt8] {
        withUnsafeBytes(of: proposal.littleEndian) { Array($0) }
    }
}
