import Foundation

/// How the write-ahead log gets the space of its segments.
public enum SegmentPreallocation: Sendable {
    /// Segments grow as records are appended, so every fdatasync also writes the file's new size.
    case off
    /// Each segment is a zero-filled file of the full segment size, prepared on the writing thread
    /// right after the previous segment was started (deterministic, for tests and simulation).
    case synchronous
    /// As `synchronous`, but the next segment is zero-filled on a background thread while the
    /// current one fills; a roll that finds it unfinished starts a growing segment instead.
    case background
}

/// The file the next log segment will be: zero-filled to the segment size ahead of time, so that
/// writing records into it changes no file size and each fdatasync writes only data (on ext4 with
/// a file that grows, it also writes the inode). It lives in the log directory as
/// `next-segment.tmp`, which replay ignores; a roll renames it to the segment's name.
///
/// A failure to prepare it (a full disk) is logged, and the log goes on with growing segments.
final class SpareSegment: @unchecked Sendable {
    static let fileName = "next-segment.tmp"

    let path: String
    private let size: Int
    private let fileSystem: any FileSystem
    private let mode: SegmentPreallocation
    private let log: (String) -> Void
    private let condition = NSCondition()
    /// True once the file is zero-filled and durable, until `take()` hands it out.
    private var ready = false
    private var preparing = false
    private let worker: CompletionThread?

    init(directory: String, size: Int, fileSystem: any FileSystem, mode: SegmentPreallocation,
         log: @escaping (String) -> Void) {
        self.path = joinPath(directory, SpareSegment.fileName)
        self.size = size
        self.fileSystem = fileSystem
        self.mode = mode
        self.log = log
        worker = mode == .background ? CompletionThread(name: "wal-prealloc", background: true) : nil
    }

    /// Removes a spare that a crash left behind: whether it was finished is unknown.
    func discardLeftover() throws(StorageError) {
        if fileSystem.fileExists(path) { try fileSystem.removeFile(path) }
    }

    /// Starts preparing the spare (in `synchronous` mode, prepares it before returning). In the
    /// background the zeros are written paced (see `FileSystem.createZeroFilled`) unless `urgent`.
    func prepare(urgent: Bool = false) {
        condition.lock()
        let start = mode != .off && !ready && !preparing
        if start { preparing = true }
        condition.unlock()
        guard start else { return }
        if let worker {
            worker.run([{ [self] in fill(paced: !urgent) }], handOff: true)
        } else {
            fill(paced: false)
        }
    }

    /// Waits until the preparation started last has finished (successfully or not).
    func waitUntilPrepared() {
        condition.lock()
        while preparing { condition.wait() }
        condition.unlock()
    }

    /// True when the spare is ready: the file at `path` then belongs to the caller.
    func take() -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard ready else { return false }
        ready = false
        return true
    }

    /// Waits for a preparation under way, then stops the background thread.
    func stop() {
        waitUntilPrepared()
        worker?.stop()
    }

    private func fill(paced: Bool) {
        var done = false
        do throws(StorageError) {
            try fileSystem.createZeroFilled(path, size: size, paced: paced)
            done = true
        } catch {
            log("could not prepare the next log segment (\(error)); the log goes on with segments that grow as they are written")
            try? fileSystem.removeFile(path)
        }
        condition.lock()
        ready = done
        preparing = false
        condition.broadcast()
        condition.unlock()
    }
}
