import Foundation
import KVStore
import Logging
import NIOCore
import NIOPosix
import RaftEngine
import RaftStorage

/// One running node: the engine driven by real time, its storage, its state machine and its
/// peers. All engine access happens on this actor; storage runs on the group-commit thread (a
/// follower's appends, when nothing else is pending, on this actor's own thread) and reports
/// back, in order, through `finishedWrites`.
///
/// The Ready contract is carried out exactly: messages are sent at once, the write is handed to
/// storage, and the acknowledgements that depend on it (`messagesAfterPersist`) are released only
/// when its fsync (and every earlier one) has returned: right after the fsync, by the thread that
/// made the write (or storage's completion thread, while it still delivers earlier answers), so a
/// follower's answer does not wait for this actor to be scheduled.
public actor NodeHost {
    public let options: NodeOptions
    var engine: RaftNode
    var store: KVStore
    let writer: GroupCommitWriter
    let peers: PeerNetwork
    let logger: Logger
    /// Writes handed to storage whose acknowledgements (messages to release) are still pending.
    private var unsyncedWrites = 0
    /// Set when storage failed: from then on no acknowledgement leaves this node.
    private let halted = HaltFlag()
    private let finishedWrites = FinishedWrites()
    /// What `finishedWrites` was last told about waking this actor at once.
    private var finishedWritesWakeAtOnce = true
    private var storageFailure: StorageError?
    /// Proposals by log index: the term they were proposed in and who waits for the result.
    private var waitingWrites: [LogIndex: (term: Term, reply: WriteReply)] = [:]
    /// Writes not yet proposed, and the batch proposed last until it is committed.
    private(set) var proposals: ProposalBatcher
    /// Reads waiting for the next ReadIndex request, which serves all of them at once.
    private var readsForNextRound: [PendingRead] = []
    /// ReadIndex requests by id (at most one at a time), then reads waiting for the state machine
    /// to catch up.
    private var waitingReadIndex: [UInt64: (issuedAtTick: UInt64, reads: [PendingRead])] = [:]
    private var waitingApply: [(index: LogIndex, read: PendingRead)] = []
    /// Starts at a random point so that an answer meant for a previous run of this node can never
    /// match a new request.
    private var nextReadID = UInt64.random(in: 1...(UInt64.max / 2))
    private var ticks: UInt64 = 0
    private var snapshotInProgress = false
    /// Bytes of the entries applied since the last snapshot was started, for `snapshotBytes`.
    private var bytesAppliedSinceSnapshot = 0
    private var tickTask: Task<Void, Never>?
    /// The gathering deadline a drive is scheduled for (see `ProposalBatcher`).
    private var scheduledGatheringDeadline: ContinuousClock.Instant?
    /// Set by `stop()`: every later input is ignored and nothing more is written.
    private var isStopped = false
    /// The last applied entries, for the dashboard's log strip; summarised only when asked for.
    private var recentEntries = RecentEntries(capacity: 64)
    private var statusListeners: [UUID: AsyncStream<Void>.Continuation] = [:]

    /// Opens storage (recovering the node's state) and builds the node; `start()` runs it.
    public init(options: NodeOptions, logger: Logger) throws {
        self.options = options
        self.logger = logger
        proposals = ProposalBatcher(maximumGathering: .milliseconds(options.tickMs))
        var storageLog = logger
        storageLog[metadataKey: "component"] = "storage"
        let storage = try NodeStorage(
            directory: options.stateDirectory, fileSystem: PosixFileSystem(),
            options: StorageOptions(segmentBytes: options.segmentBytes, preallocation: .background),
            log: { storageLog.notice("\($0)") })
        let recovered = storage.recovered
        engine = try RaftNode(config: options.raft, restoring: recovered)
        store = KVStore()
        if let snapshot = recovered.snapshot {
            try store.restore(snapshot.data, index: snapshot.index)
        }
        writer = GroupCommitWriter(storage: storage)
        peers = PeerNetwork(selfID: options.id, addresses: options.peers, logger: logger)
        logger.info("recovered", metadata: [
            "term": "\(recovered.hardState.term)", "commit": "\(recovered.hardState.commit)",
            "snapshot": "\(recovered.snapshot?.index ?? 0)", "entries": "\(recovered.entries.count)",
        ])
        Task { [finishedWrites] in
            for await _ in finishedWrites.wakeUps { await self.drive() }
        }
    }

    /// Starts ticking and connecting to peers. The tick is timed by an event loop rather than by
    /// `Task.sleep`, which Dispatch times on a thread of its own: where the event loops run the
    /// node's tasks (`node_threads`), each tick then wakes one thread instead of two or three.
    public func start() {
        peers.start()
        let tick = TimeAmount(.milliseconds(options.tickMs))
        let loop = MultiThreadedEventLoopGroup.currentEventLoop ?? MultiThreadedEventLoopGroup.singleton.next()
        tickTask = Task { [weak self] in
            while !Task.isCancelled {
                try? await loop.scheduleTask(in: tick) {}.futureResult.get()
                guard let host = self else { return }
                await host.tick()
            }
        }
    }

    /// Stops ticking and networking and closes storage after pending writes.
    public func stop() {
        guard !isStopped else { return }
        isStopped = true
        tickTask?.cancel()
        peers.stop()
        writer.stop()
        finishedWrites.finish()
        failWaitingWrites(NodeError.stopped)
        for waiter in proposals.takeAll() { waiter.reply(.failure(NodeError.stopped)) }
        failReads(NodeError.stopped)
    }

    private func failReads(_ error: NodeError) {
        for (_, waiter) in waitingReadIndex {
            for read in waiter.reads { read.reply(.failure(error)) }
        }
        waitingReadIndex = [:]
        for read in readsForNextRound { read.reply(.failure(error)) }
        readsForNextRound = []
        for waiter in waitingApply { waiter.read.reply(.failure(error)) }
        waitingApply = []
    }

    // MARK: Inputs

    func tick() {
        guard storageFailure == nil, !isStopped else { return }
        ticks += 1
        engine.tick()
        expireReads()
        drive()
    }

    /// A forwarded read whose request or answer was lost is never answered by the engine: give
    /// up on reads older than two maximum election timeouts.
    private func expireReads() {
        let limit = UInt64(2 * options.raft.electionTimeoutMax)
        for (id, waiter) in waitingReadIndex where ticks - waiter.issuedAtTick > limit {
            waitingReadIndex[id] = nil
            for read in waiter.reads { read.reply(.failure(NodeError.readTimedOut)) }
        }
        requestReadIndex()
    }

    func receive(_ message: Message) {
        guard storageFailure == nil, !isStopped, message.to == options.id else { return }
        guard !peers.isBlocked(message.from) else { return }
        engine.step(message)
        drive()
    }

    /// Proposes a write and waits until it is applied; returns its index and outcome.
    public func write(_ request: KVRequest) async throws -> WriteOutcome {
        try await withCheckedThrowingContinuation { continuation in
            enqueueWrite(request) { continuation.resume(with: $0) }
            drive()
        }
    }

    /// Runs `body` on this actor, then proposes what it enqueued as one batch: the way to hand
    /// the node many requests at once (`enqueueWrite`, `enqueueLinearizableRead`).
    func batch(_ body: @Sendable (isolated NodeHost) -> Void) {
        body(self)
        requestReadIndex()
        drive()
    }

    /// Queues a write for the next proposal batch; `reply` gets its outcome once it is applied,
    /// or at once when the node cannot take it. Nothing is proposed before the next `drive()`.
    func enqueueWrite(_ request: KVRequest, reply: @escaping WriteReply) {
        if let problem = KVLimits(maxKeyBytes: options.maxKeyBytes, maxValueBytes: options.maxValueBytes).problem(with: request.command) {
            return reply(.failure(NodeError.invalidArgument(problem)))
        }
        if let refusal = refusal { return reply(.failure(refusal)) }
        guard engine.role == .leader else { return reply(.failure(notLeader)) }
        var stamped = request
        stamped.proposedAtMs = UInt64(Date().timeIntervalSince1970 * 1000)
        proposals.add(KVCodec.encode(stamped), reply)
    }

    /// Why this node takes no request at all, if it does not.
    private var refusal: NodeError? {
        if let storageFailure { return .storageFailed(storageFailure.description) }
        return isStopped ? .stopped : nil
    }

    private var notLeader: NodeError { .notLeader(leader: engine.leader == noNode ? nil : engine.leader) }

    /// Proposes every waiting write as one batch, unless the previous batch is not committed yet
    /// (see `ProposalBatcher`).
    private func proposeWaitingWrites(at now: ContinuousClock.Instant) {
        guard !isStopped, storageFailure == nil, proposals.canPropose(at: now) else { return }
        let batch = proposals.takeAll()
        do {
            let receipt = try engine.propose(batch.map(\.command))
            for (offset, waiter) in batch.enumerated() {
                waitingWrites[receipt.firstIndex + LogIndex(offset)] = (receipt.term, waiter.reply)
            }
            proposals.proposed(batch.count, through: receipt.lastIndex, at: now)
        } catch {
            for waiter in batch { waiter.reply(.failure(notLeader)) }
        }
    }

    /// A linearizable read: waits for a ReadIndex confirmation and for the state machine to apply
    /// up to it, then reads.
    public func linearizableGet(_ key: [UInt8]) async throws -> ReadOutcome {
        try await withCheckedThrowingContinuation { continuation in
            enqueueLinearizableRead(key) { continuation.resume(with: $0) }
            requestReadIndex()
            drive()
        }
    }

    /// Queues a linearizable read for the next ReadIndex round, which `requestReadIndex()` starts;
    /// `reply` gets the value once the index is confirmed and applied, or at once when the node
    /// cannot take the read.
    func enqueueLinearizableRead(_ key: [UInt8], reply: @escaping ReadReply) {
        if let problem = KVLimits(maxKeyBytes: options.maxKeyBytes, maxValueBytes: options.maxValueBytes).problem(withKey: key) {
            return reply(.failure(NodeError.invalidArgument(problem)))
        }
        if let refusal = refusal { return reply(.failure(refusal)) }
        proposals.readArrived()
        readsForNextRound.append((key, reply))
    }

    /// Asks the engine for one read index on behalf of every waiting read, unless a request is
    /// still out: reads arriving meanwhile share the next one (as in etcd's read loop). Any index
    /// confirmed after a read arrived is a linearizable point for it.
    private func requestReadIndex() {
        guard waitingReadIndex.isEmpty, !readsForNextRound.isEmpty else { return }
        let requestID = nextReadID
        nextReadID += 1
        waitingReadIndex[requestID] = (ticks, readsForNextRound)
        readsForNextRound = []
        engine.readIndex(requestID: requestID)
    }

    /// Reads local state without any round trip: possibly stale.
    public func serializableGet(_ key: [UInt8]) throws -> ReadOutcome {
        if let problem = KVLimits(maxKeyBytes: options.maxKeyBytes, maxValueBytes: options.maxValueBytes).problem(withKey: key) {
            throw NodeError.invalidArgument(problem)
        }
        proposals.readArrived()
        if proposals.canPropose(at: .now) { drive() }
        return (store.get(key), store.appliedIndex)
    }

    public func transferLeadership(to target: NodeID) throws {
        do {
            try engine.transferLeadership(to: target)
        } catch {
            throw NodeError.notLeader(leader: engine.leader == noNode ? nil : engine.leader)
        }
        drive()
    }

    // MARK: The Ready loop

    /// Carries out every Ready, proposing waiting writes whenever the previous batch allows. The
    /// next batch is proposed before the Ready that announces the previous one's commit is taken,
    /// so that followers get the commit and the new entries in one append; after a busy batch, the
    /// next one may instead gather first, and the commit goes with it (see `ProposalBatcher`).
    private func drive() {
        takeFinishedWrites()
        while !isStopped, storageFailure == nil {
            let now = ContinuousClock.now
            proposals.committed(through: engine.commitIndex, at: now)
            proposeWaitingWrites(at: now)
            guard engine.hasReady else { break }
            handle(engine.ready())
        }
        scheduleGatheringDeadline()
        notifyStatusListeners()
    }

    /// Arranges a drive for when the writes waiting for a batch to gather are due (see
    /// `ProposalBatcher`), unless one is arranged for that time already.
    private func scheduleGatheringDeadline() {
        guard let deadline = proposals.gatheringDeadline, deadline != scheduledGatheringDeadline else { return }
        scheduledGatheringDeadline = deadline
        let loop = MultiThreadedEventLoopGroup.currentEventLoop ?? MultiThreadedEventLoopGroup.singleton.next()
        loop.scheduleTask(in: TimeAmount(ContinuousClock.now.duration(to: deadline))) {
            Task { await self.gatheringDeadlinePassed(deadline) }
        }
    }

    private func gatheringDeadlinePassed(_ deadline: ContinuousClock.Instant) {
        // A later deadline has a drive of its own arranged.
        if scheduledGatheringDeadline == deadline { scheduledGatheringDeadline = nil }
        drive()
    }

    private func handle(_ ready: Ready) {
        if let soft = ready.softState {
            logger.info("role changed", metadata: ["role": "\(soft.role.rawValue)", "term": "\(engine.term)", "leader": "\(soft.leader)"])
        }
        peers.send(ready.messages)
        if ready.needsPersistence || (unsyncedWrites > 0 && !ready.messagesAfterPersist.isEmpty) {
            unsyncedWrites += 1
            // Only a follower can take this write's answer with its next input.
            let wakesAtOnce = engine.role != .follower
            if wakesAtOnce != finishedWritesWakeAtOnce {
                finishedWrites.setWakesAtOnce(wakesAtOnce)
                finishedWritesWakeAtOnce = wakesAtOnce
            }
            let finished = finishedWrites
            let id = ready.id
            let release = ready.messagesAfterPersist
            let peers = self.peers
            let halted = self.halted
            let completion: GroupCommitWriter.Completion = { result in
                // The answer goes first: a follower whose acknowledgement brings the commit index
                // back at once then already knows, when that arrives, that the entries are durable.
                finished.add((id, result))
                if case .success = result, !halted.isSet { peers.send(release) }
            }
            let write = StorageWrite(ready)
            // A follower has nothing to send before its write of entries is durable: unless
            // storage is busy, it writes right here rather than waking the writer thread and being
            // woken back. A snapshot from the leader (megabytes) still goes to the writer thread.
            let writesHere = engine.role == .follower && write.snapshot == nil
            if !writesHere || !writer.writeHereIfIdle(write, completion: completion) {
                writer.submit(write, completion: completion)
            }
        } else {
            peers.send(ready.messagesAfterPersist)
        }
        if let snapshot = ready.snapshot {
            do {
                try store.restore(snapshot.data, index: snapshot.index)
                failWaitingWrites(upTo: snapshot.index)
            } catch {
                fatalStorage(.corrupt(path: "snapshot from leader", offset: 0, index: snapshot.index, reason: "\(error)"))
            }
        }
        for entry in ready.committedEntries { apply(entry) }
        // Only after applying what this Ready committed: writes still waiting when leadership is
        // lost may or may not commit later under the new leader.
        if let soft = ready.softState, soft.role != .leader {
            failWaitingWrites(NodeError.outcomeUnknown)
            for waiter in proposals.takeAll() { waiter.reply(.failure(notLeader)) }
            proposals.reset()
        }
        for state in ready.readStates { readConfirmed(state) }
        releaseReadsWaitingForApply()
        maybeSnapshot()
    }

    private func apply(_ entry: Entry) {
        let outcome = store.apply(entry)
        bytesAppliedSinceSnapshot += entry.data.count
        recentEntries.append(entry)
        guard let waiter = waitingWrites.removeValue(forKey: entry.index) else { return }
        if waiter.term == entry.term {
            waiter.reply(.success((entry.index, outcome)))
        } else {
            waiter.reply(.failure(NodeError.lostLeadership))
        }
    }

    private func readConfirmed(_ state: ReadState) {
        guard let waiter = waitingReadIndex.removeValue(forKey: state.requestID) else { return }
        for read in waiter.reads {
            switch state.outcome {
            case .confirmed(let index) where store.appliedIndex >= index: read.reply(.success((store.get(read.key), store.appliedIndex)))
            case .confirmed(let index): waitingApply.append((index, read))
            case .rejected(let hint): read.reply(.failure(NodeError.notLeader(leader: hint)))
            }
        }
        requestReadIndex()
    }

    private func releaseReadsWaitingForApply() {
        guard !waitingApply.isEmpty else { return }
        let applied = store.appliedIndex
        let ready = waitingApply.filter { $0.index <= applied }
        waitingApply.removeAll { $0.index <= applied }
        for waiter in ready { waiter.read.reply(.success((store.get(waiter.read.key), applied))) }
    }

    private func failWaitingWrites(_ error: NodeError) {
        let failed = waitingWrites
        waitingWrites = [:]
        for (_, waiter) in failed { waiter.reply(.failure(error)) }
    }

    private func failWaitingWrites(upTo index: LogIndex) {
        for (position, waiter) in waitingWrites where position <= index {
            waitingWrites[position] = nil
            waiter.reply(.failure(NodeError.outcomeUnknown))
        }
    }

    // MARK: Storage callbacks

    /// Tells the engine what storage made durable since the last call (see `FinishedWrites`).
    private func takeFinishedWrites() {
        for answer in finishedWrites.takeAll() {
            unsyncedWrites -= 1
            switch answer.result {
            case .success(let durable):
                if storageFailure == nil { engine.storageDidPersist(durable) }
            case .failure(let error):
                fatalStorage(error)
            }
        }
    }

    /// After a write error the node stops acknowledging anything; a leader steps down. A restart
    /// (after fixing the disk) recovers everything that was acknowledged.
    private func fatalStorage(_ error: StorageError) {
        guard storageFailure == nil else { return }
        storageFailure = error
        halted.set()
        logger.critical("storage failed; this node stops serving until restarted", metadata: ["error": "\(error)"])
        engine.stepDown()
        failWaitingWrites(NodeError.storageFailed(error.description))
        for waiter in proposals.takeAll() { waiter.reply(.failure(NodeError.storageFailed(error.description))) }
        proposals.reset()
        failReads(NodeError.storageFailed(error.description))
        notifyStatusListeners()
    }

    /// Snapshots the state machine once `snapshotEntries` entries or `snapshotBytes` bytes were
    /// applied since the last snapshot, one at a time and off this actor (see
    /// `GroupCommitWriter.saveSnapshot`).
    private func maybeSnapshot() {
        let enoughEntries = options.snapshotEntries > 0
            && store.appliedIndex >= engine.snapshotIndex + LogIndex(options.snapshotEntries)
        let enoughBytes = options.snapshotBytes > 0 && bytesAppliedSinceSnapshot >= options.snapshotBytes
        guard !snapshotInProgress, enoughEntries || enoughBytes, store.appliedIndex > engine.snapshotIndex,
              let term = engine.term(at: store.appliedIndex) else { return }
        snapshotInProgress = true
        bytesAppliedSinceSnapshot = 0
        let image = store
        let index = image.appliedIndex
        let host = self
        writer.saveSnapshot({ Snapshot(index: index, term: term, data: image.snapshotData()) }) { result in
            Task { await host.snapshotSaved(result) }
        }
    }

    private func snapshotSaved(_ result: Result<Snapshot, StorageError>) {
        snapshotInProgress = false
        switch result {
        case .success(let snapshot):
            engine.compact(upTo: snapshot.index, snapshotData: snapshot.data)
            logger.info("snapshot saved", metadata: ["index": "\(snapshot.index)", "bytes": "\(snapshot.data.count)"])
        case .failure(let error):
            fatalStorage(error)
        }
    }

    // MARK: Status

    public var storageError: String? { storageFailure?.description }

    public func status() -> NodeStatusSnapshot {
        NodeStatusSnapshot(
            raft: engine.status, appliedIndex: store.appliedIndex, address: options.address, tickMs: options.tickMs,
            recentEntries: recentEntries.summaries(followedBy: unappliedEntries), partitionedFrom: peers.blockedPeers,
            storageError: storageFailure?.description)
    }

    /// The log beyond the applied index, uncommitted entries included, so the dashboard can show
    /// their terms and a divergent suffix (at most as many as the strip keeps).
    private var unappliedEntries: [Entry] {
        let last = engine.lastIndex
        let keep = LogIndex(recentEntries.capacity)
        let first = max(store.appliedIndex + 1, last >= keep ? last - keep + 1 : 1)
        guard first <= last else { return [] }
        return engine.entries(from: first, through: last) ?? []
    }

    /// A stream that yields whenever the node's state may have changed.
    public func statusChanges() -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let key = UUID()
        statusListeners[key] = continuation
        continuation.onTermination = { [weak self] _ in
            Task { await self?.removeListener(key) }
        }
        return stream
    }

    private func removeListener(_ key: UUID) {
        statusListeners[key] = nil
    }

    private func notifyStatusListeners() {
        for listener in statusListeners.values { listener.yield() }
    }

    // MARK: Fault injection

    public func partition(from peersToCut: [NodeID]) {
        peers.block(peersToCut)
        logger.warning("partitioned", metadata: ["from": "\(peersToCut)"])
        notifyStatusListeners()
    }

    public func degradeLinks(_ degradation: LinkDegradation) {
        peers.degrade(degradation)
        logger.warning("links degraded", metadata: ["degradation": "\(degradation)"])
        notifyStatusListeners()
    }

    public func heal() {
        peers.healAll()
        logger.warning("partitions and link faults healed")
        notifyStatusListeners()
    }
}

/// What the status APIs report about one node.
public struct NodeStatusSnapshot: Sendable {
    public var raft: RaftStatus
    public var appliedIndex: LogIndex
    public var address: String
    public var tickMs: Int
    public var recentEntries: [(index: LogIndex, term: Term, summary: String)]
    public var partitionedFrom: [NodeID]
    public var storageError: String?
}
