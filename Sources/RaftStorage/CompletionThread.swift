import Foundation

/// Runs completion callbacks one at a time, in the order they were handed over, on a thread of its
/// own when the caller has more to do. The group-commit writer passes each finished batch here and,
/// when writes are already waiting, goes straight on to write and fsync them, so callbacks never
/// delay the disk; when none are waiting it runs the callbacks itself and saves a thread switch.
///
/// Callbacks handed over with `handOff: false` may run right there, so they must never be handed
/// over from two threads at once (the group-commit writer hands them over only while it holds the
/// storage); with `handOff: true` any thread may hand them over.
final class CompletionThread: @unchecked Sendable {
    private let condition = NSCondition()
    private var work: [() -> Void] = []
    /// True while the completion thread runs callbacks it took from `work`.
    private var running = false
    private var stopping = false
    private var stopped = false

    /// `name` is the thread's name in `top -H` and `ps -L`: at most 15 bytes on Linux, which
    /// ignores a longer one.
    ///
    /// `background` lowers the thread's CPU priority, for work nothing waits on: on Linux, where a
    /// thread has a niceness of its own, to niceness 10; elsewhere to background quality of service.
    init(name: String, background: Bool = false) {
        let thread = Thread { [unowned self] in
            // Named from inside: Foundation on Linux names only the thread that sets the name.
            Thread.current.name = name
            if background { CompletionThread.lowerPriority() }
            self.runLoop()
        }
        thread.start()
    }

    private static func lowerPriority() {
        #if os(Linux)
        setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)
        #else
        Thread.current.qualityOfService = .background
        #endif
    }

    /// Runs callbacks after everything handed over before them: on the completion thread when
    /// `handOff` is true or earlier callbacks are still pending there, otherwise right here.
    func run(_ callbacks: [() -> Void], handOff: Bool) {
        guard !callbacks.isEmpty else { return }
        condition.lock()
        precondition(!stopping, "completions handed over after the thread was stopped")
        if !handOff && work.isEmpty && !running {
            condition.unlock()
            for callback in callbacks { callback() }
            return
        }
        work.append(contentsOf: callbacks)
        condition.unlock()
        // Signalled after unlocking, so that the thread, once woken, does not block on the lock.
        condition.signal()
    }

    /// Runs everything queued so far, then ends the thread; returns once it has.
    func stop() {
        condition.lock()
        stopping = true
        condition.signal()
        while !stopped { condition.wait() }
        condition.unlock()
    }

    private func runLoop() {
        while true {
            condition.lock()
            while work.isEmpty && !stopping { condition.wait() }
            if work.isEmpty {
                stopped = true
                condition.broadcast()
                condition.unlock()
                return
            }
            let batch = work
            work = []
            running = true
            condition.unlock()
            for callback in batch { callback() }
            condition.lock()
            running = false
            condition.unlock()
        }
    }
}
