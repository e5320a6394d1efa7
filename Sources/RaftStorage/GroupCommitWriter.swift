import Foundation
import RaftEngine

/// Owns a `NodeStorage` on a dedicated thread and makes writes durable in groups: every write
/// submitted while the previous fsync was running is written and then covered by a single fsync.
/// Completions run in submission order, only after that fsync returned; when more writes are
/// already waiting, a second thread runs them while the writer starts the next write and fsync.
/// A caller may also make a write on its own thread while the writer is idle (`writeHereIfIdle`).
///
/// Snapshots the application takes are encoded and saved on a third thread, at a lower CPU
/// priority, so that neither log writes nor the node's other work wait for them; only releasing
/// the log they cover happens on the writer thread, in order with the writes.
///
/// After a write or sync error every pending and later write fails with the error: the node must
/// stop acknowledging (and a leader step down) until it is restarted.
public final class GroupCommitWriter: @unchecked Sendable {
    /// Called once per write with its proof of durability, or the error that stopped storage.
    public typealias Completion = @Sendable (Result<DurableWrite, StorageError>) -> Void
    /// Called once per snapshot with the snapshot, durable and in place, or the error.
    public typealias SnapshotCompletion = @Sendable (Result<Snapshot, StorageError>) -> Void
    /// A snapshot that was saved (or failed to be), waiting for the log it covers to be released.
    private typealias SnapshotJob = (snapshot: Snapshot, saved: Result<Void, StorageError>, completion: SnapshotCompletion)

    private let storage: NodeStorage
    private let completions = CompletionThread(name: "wal-completion")
    private let snapshotSaver = CompletionThread(name: "snapshot-saver", background: true)
    private let condition = NSCondition()
    private var queue: [(write: StorageWrite, completion: Completion)] = []
    private var snapshotJobs: [SnapshotJob] = []
    private var stopping = false
    private var stopped = false
    /// Set while storage is in use: by the writer thread from taking work until its completions
    /// are handed over (or have run, when it runs them itself) and the log its snapshots cover is
    /// released, or by a caller of `writeHereIfIdle`. Only one of them uses storage at once.
    private var busy = false
    private var failure: StorageError?
    private var thread: Thread?
    /// Number of fsyncs issued and writes they covered, for benchmarks and status.
    private(set) public var syncs = 0
    private(set) public var writesCovered = 0

    public init(storage: NodeStorage) {
        self.storage = storage
        let thread = Thread { [unowned self] in
            // Named from inside: Foundation on Linux names only the thread that sets the name.
            Thread.current.name = "wal-writer"
            self.runLoop()
        }
        self.thread = thread
        thread.start()
    }

    /// Queues a write; `completion` runs once it is durable (or storage failed).
    public func submit(_ write: StorageWrite, completion: @escaping Completion) {
        condition.lock()
        // Even after a failure the write is queued (and then refused by storage) rather than
        // failed here, so that its completion cannot overtake those of earlier writes.
        precondition(!stopping, "write submitted after the writer was stopped")
        queue.append((write, completion))
        condition.unlock()
        // Signalled after unlocking, so that the writer, once woken, does not block on the lock.
        condition.signal()
    }

    /// Writes and syncs on the calling thread, if no write is queued or being written, and runs
    /// `completion` in order with those of earlier writes (at once, unless the completion thread
    /// still runs earlier ones). Returns false, having done nothing, otherwise; the caller then
    /// submits the write.
    ///
    /// For a caller that has nothing to do until the write is durable: it saves handing the write
    /// to the writer thread and the answer back, two thread wake-ups, at the cost of the calling
    /// thread waiting for the disk.
    public func writeHereIfIdle(_ write: StorageWrite, completion: @escaping Completion) -> Bool {
        condition.lock()
        guard !busy, queue.isEmpty, snapshotJobs.isEmpty, failure == nil, !stopping else {
            condition.unlock()
            return false
        }
        busy = true
        condition.unlock()
        writeAndComplete([(write, completion)], handOff: false)
        condition.lock()
        busy = false
        let workWaiting = !queue.isEmpty || !snapshotJobs.isEmpty || stopping
        condition.unlock()
        // Both the writer thread and a `stop()` may be waiting.
        if workWaiting { condition.broadcast() }
        return true
    }

    /// Saves a snapshot the application takes: `take` runs and the file is saved on the snapshot
    /// thread; then, on the writer thread after the writes queued by that time, the log the
    /// snapshot covers is released. `completion` gets the snapshot.
    public func saveSnapshot(_ take: @escaping @Sendable () -> Snapshot, completion: @escaping SnapshotCompletion) {
        condition.lock()
        let failed = failure
        condition.unlock()
        if let failed { return completion(.failure(.failed(failed.description))) }
        snapshotSaver.run([{ [self] in
            let snapshot = take()
            let saved = Result { () throws(StorageError) in try storage.putSnapshotInPlace(snapshot) }
            condition.lock()
            snapshotJobs.append((snapshot, saved, completion))
            condition.signal()
            condition.unlock()
        }], handOff: true)
    }

    /// Writes and waits until durable.
    public func persist(_ write: StorageWrite) async throws(StorageError) -> DurableWrite {
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<DurableWrite, StorageError>, Never>) in
            submit(write) { continuation.resume(returning: $0) }
        }
        return try result.get()
    }

    /// Finishes queued writes and their completions, then stops both threads and closes the log.
    public func stop() {
        snapshotSaver.stop()
        condition.lock()
        stopping = true
        condition.signal()
        while !stopped { condition.wait() }
        condition.unlock()
        completions.stop()
        storage.close()
    }

    private func runLoop() {
        while true {
            condition.lock()
            while busy || (queue.isEmpty && snapshotJobs.isEmpty && !stopping) { condition.wait() }
            if queue.isEmpty && snapshotJobs.isEmpty && stopping {
                stopped = true
                condition.broadcast()
                condition.unlock()
                return
            }
            let batch = queue
            let snapshots = snapshotJobs
            queue = []
            snapshotJobs = []
            busy = true
            condition.unlock()
            if !batch.isEmpty {
                writeAndComplete(batch, handOff: nil)
            }
            saveSnapshots(snapshots)
            condition.lock()
            busy = false
            condition.unlock()
        }
    }

    /// Writes `batch`, covers it with one fsync, and hands its completions to `completions`: to be
    /// run there when `handOff` is true or, when it is nil, if more writes are already waiting.
    /// Only while `busy` is held.
    private func writeAndComplete(_ batch: [(write: StorageWrite, completion: Completion)], handOff: Bool?) {
        let outcome: Result<Void, StorageError>
        do throws(StorageError) {
            for item in batch { try storage.write(item.write) }
            try storage.sync()
            outcome = .success(())
        } catch {
            outcome = .failure(error)
        }
        condition.lock()
        syncs += 1
        writesCovered += batch.count
        let writesWaiting = !queue.isEmpty
        condition.unlock()
        let callbacks: [() -> Void] = batch.map { item in
            switch outcome {
            case .success: { item.completion(.success(DurableWrite(readyID: item.write.readyID))) }
            case .failure(let error): { item.completion(.failure(error)) }
            }
        }
        completions.run(callbacks, handOff: handOff ?? writesWaiting)
        if case .failure(let error) = outcome {
            condition.lock()
            failure = error
            condition.unlock()
        }
    }

    private func saveSnapshots(_ jobs: [SnapshotJob]) {
        for job in jobs {
            do throws(StorageError) {
                try job.saved.get()
                try storage.releaseLog(upTo: job.snapshot.index)
                completions.run([{ job.completion(.success(job.snapshot)) }], handOff: false)
            } catch {
                condition.lock()
                failure = error
                condition.unlock()
                completions.run([{ job.completion(.failure(error)) }], handOff: false)
            }
        }
    }
}
