import Foundation
import NIOCore
import NIOPosix

/// The threads a node runs on. A node's network I/O (swift-nio's event loops) and its Swift
/// concurrency tasks (the node actor, the gRPC handlers, the peer streams) share one set of
/// threads, so that a message read from a socket is handled, and its answer written, on the
/// thread that read it instead of being handed to another thread and back. On a machine whose
/// cores several nodes share, each such hand-off is a thread wake-up that costs more than the
/// work it hands over.
///
/// The write-ahead log keeps threads of its own (`GroupCommitWriter`): an fsync never blocks these.
enum NodeThreads {
    /// How many threads the node runs on, once `install` has set them up.
    nonisolated(unsafe) private(set) static var count: Int?

    /// Makes `threads` event loops the executor of every task. Must run before any task starts
    /// (in `main`), once. Warns on standard error and leaves Swift's default executor in place if
    /// swift-nio cannot take it over.
    static func install(_ threads: Int) {
        NIOSingletons.groupLoopCountSuggestion = threads
        if NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor() {
            count = threads
        } else {
            let warning = "raftd: warning: could not run the node's tasks on its \(threads) network threads; they run on Swift's default executor\n"
            FileHandle.standardError.write(Data(warning.utf8))
        }
    }
}
