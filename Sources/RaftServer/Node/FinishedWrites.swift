import RaftStorage
import Synchronization

/// Storage's answers to the node's writes, in the order they finished, until the node actor takes
/// them.
///
/// Storage adds each answer here, from whichever thread made the write or ran its completion. It
/// wakes the actor at once only when the node needs its own durability at once: a leader counts it
/// toward a commit, a candidate toward its vote, and a failed write stops the node. A follower's
/// acknowledgement leaves right after its answer is added, and the actor takes the answer with its
/// next input (the append or heartbeat that brings the commit back, or a tick), which saves a
/// thread wake-up for every write under load. Taking an answer late only delays what the engine
/// learns, as a slower disk would.
final class FinishedWrites: Sendable {
    typealias Answer = (readyID: UInt64, result: Result<DurableWrite, StorageError>)

    private struct State {
        var answers: [Answer] = []
        var wakesAtOnce = true
    }

    private let state = Mutex(State())
    private let wakeContinuation: AsyncStream<Void>.Continuation
    /// One element whenever the actor should take the answers now (several wake-ups may merge).
    let wakeUps: AsyncStream<Void>

    init() {
        (wakeUps, wakeContinuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Adds the answer to a write; called by storage, in order.
    func add(_ answer: Answer) {
        let wake = state.withLock { state in
            state.answers.append(answer)
            if case .failure = answer.result { return true }
            return state.wakesAtOnce
        }
        if wake { wakeContinuation.yield() }
    }

    /// Every answer added since the last call, oldest first.
    func takeAll() -> [Answer] {
        state.withLock { state in
            defer { state.answers = [] }
            return state.answers
        }
    }

    /// Whether answers to writes from now on wake the actor at once.
    func setWakesAtOnce(_ wakesAtOnce: Bool) {
        state.withLock { $0.wakesAtOnce = wakesAtOnce }
    }

    /// No more wake-ups: the node stopped.
    func finish() {
        wakeContinuation.finish()
    }
}
