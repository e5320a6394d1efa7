import Foundation
import NIOCore
import NIOPosix

/// Runs a process's Swift concurrency tasks on swift-nio's event loops, so that a message read
/// from a socket is handled, and its answer written, on the thread that read it instead of being
/// handed to another thread and back. On a machine whose cores several busy processes share,
/// each such hand-off is a thread wake-up that costs more than the work it hands over.
///
/// raftd's nodes run on `node_threads` event loops; `raftctl bench` on `--threads` of them.
public enum EventLoopExecutor {
    /// How many event loops run the process's tasks, once `install` has set them up.
    nonisolated(unsafe) public private(set) static var threads: Int?

    /// Makes `threads` event loops the executor of every task. Must run before any task starts
    /// (in `main`), once. Warns on standard error, naming `program`, and leaves Swift's default
    /// executor in place if swift-nio cannot take it over.
    public static func install(_ threads: Int, program: String) {
        NIOSingletons.groupLoopCountSuggestion = threads
        if NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor() {
            self.threads = threads
        } else {
            let warning = "\(program): warning: could not run tasks on the event loops (\(threads) asked for); they run on Swift's default executor\n"
            FileHandle.standardError.write(Data(warning.utf8))
        }
    }
}
