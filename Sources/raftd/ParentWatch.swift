import Foundation
import Logging

/// Ends a child node when the process that started it (`raftd cluster`, a test) is gone, so that
/// no node outlives its supervisor, even one killed with SIGKILL.
enum ParentWatch {
    static func exitWhenGone(_ parent: Int32, logger: Logger) {
        Thread.detachNewThread {
            while getppid() == parent { usleep(200_000) }
            logger.notice("parent process \(parent) is gone; exiting")
            exit(0)
        }
    }
}
