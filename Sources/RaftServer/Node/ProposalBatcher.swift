import KVStore
import RaftEngine

/// A leader's writes that wait to be proposed, and the batch proposed last. A new batch is
/// proposed only once the previous one is committed; writes arriving meanwhile gather into the next
/// batch. Under load this makes a batch hold every write that arrived during one commit round
/// (one append message per follower and one fsync per node for many writes); a write arriving
/// at an idle leader is proposed at once.
///
/// Once a busy batch (`busyBatch` writes or more) is committed, the next batch also waits for the
/// clients just answered: it is proposed when as many requests arrived (writes waiting, and reads
/// since the commit, as a client may come back with a read) as writes were waiting at the commit
/// plus as were answered, or when as long has passed as the committed batch took from proposal to
/// commit (at most `maximumGathering`), whichever comes first. Without that, clients that wait for
/// each answer before sending again split into two groups that take turns, each group's batch half
/// as large as it could be, while every batch costs an append and an fsync on every node whatever
/// its size. Writes wait that long at most when fewer clients come back: clients that pause
/// between requests, or that stop. Followers learn the commit with the next append, so after a
/// busy batch they too learn it up to that much later.
struct ProposalBatcher {
    typealias Waiter = (command: [UInt8], reply: WriteReply)

    /// The smallest committed batch after which the next one gathers.
    static let busyBatch = 8

    /// The longest a batch waits for clients to come back.
    let maximumGathering: Duration
    private var waiting: [Waiter] = []
    /// The batch in flight, if any: its last log index, its size and when it was proposed.
    private var inFlight: (through: LogIndex, count: Int, proposedAt: ContinuousClock.Instant)?
    /// After a busy batch was committed: how many requests the next batch waits for, how many
    /// reads came meanwhile, and until when it waits.
    private var gathering: (requests: Int, reads: Int, until: ContinuousClock.Instant)?

    init(maximumGathering: Duration) {
        self.maximumGathering = maximumGathering
    }

    mutating func add(_ command: [UInt8], _ reply: @escaping WriteReply) {
        waiting.append((command, reply))
    }

    /// A read arrived: while a batch gathers, it counts as a client come back.
    mutating func readArrived() {
        gathering?.reads += 1
    }

    /// Whether the waiting writes are to be proposed now.
    func canPropose(at now: ContinuousClock.Instant) -> Bool {
        guard !waiting.isEmpty, inFlight == nil else { return false }
        guard let gathering else { return true }
        return waiting.count + gathering.reads >= gathering.requests || now >= gathering.until
    }

    /// When the writes waiting now are to be proposed even if fewer requests came than the batch
    /// gathers for; nil if nothing waits for a deadline.
    var gatheringDeadline: ContinuousClock.Instant? {
        guard !waiting.isEmpty, inFlight == nil else { return nil }
        return gathering?.until
    }

    /// Removes and returns every waiting write.
    mutating func takeAll() -> [Waiter] {
        defer { waiting = [] }
        return waiting
    }

    /// `count` writes were proposed as one batch ending at `lastIndex`.
    mutating func proposed(_ count: Int, through lastIndex: LogIndex, at now: ContinuousClock.Instant) {
        inFlight = (lastIndex, count, now)
        gathering = nil
    }

    /// The log is committed through `index`.
    mutating func committed(through index: LogIndex, at now: ContinuousClock.Instant) {
        guard let batch = inFlight, index >= batch.through else { return }
        inFlight = nil
        guard batch.count >= Self.busyBatch else { return }
        let round = min(batch.proposedAt.duration(to: now), maximumGathering)
        gathering = (waiting.count + batch.count, 0, now + round)
    }

    /// Leadership was lost: what was proposed is no longer this node's to wait for.
    mutating func reset() {
        inFlight = nil
        gathering = nil
    }
}
