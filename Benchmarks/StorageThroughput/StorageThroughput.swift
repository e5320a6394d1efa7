// Storage throughput on the real disk: N concurrent proposers each append one entry and wait
// until it is durable. Group commit lets one fdatasync cover every entry that arrived while the
// previous one ran, so throughput should grow almost linearly with the number of proposers.

import ArgumentParser
import Foundation
import RaftEngine
import RaftStorage

@main
struct StorageThroughput: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "storage-bench",
        abstract: "Durable appends per second and fsyncs per second for concurrent proposers.")

    @Option(help: "Directory for the test logs (default: a new temporary directory, removed afterwards).")
    var directory: String?

    @Option(parsing: .upToNextOption, help: "Numbers of concurrent proposers to measure.")
    var proposers: [Int] = [1, 16, 64]

    @Option(help: "Payload bytes per entry.")
    var entrySize = 256

    @Option(help: "Seconds per measurement.")
    var seconds = 3.0

    func run() async throws {
        let base = directory ?? FileManager.default.temporaryDirectory.appendingPathComponent("raftkv-storage-bench-\(getpid())").path
        defer { if directory == nil { try? FileManager.default.removeItem(atPath: base) } }
        print("storage-bench: \(entrySize)-byte entries, \(seconds) s per row, directory \(base)")
        print("proposers  appends/s  fsyncs/s  entries/fsync  speed-up")
        var single: Double?
        for count in proposers {
            let row = try await measure(proposers: count, directory: "\(base)/p\(count)")
            let speedUp = single.map { row.appends / $0 } ?? 1
            if single == nil { single = row.appends }
            print("\(pad(count, 9))  \(pad(Int(row.appends), 9))  \(pad(Int(row.syncs), 8))  \(pad(Int(row.appends / max(row.syncs, 1)), 13))  \(String(format: "%.1fx", speedUp))")
        }
    }

    /// Each proposer is a task that appends one entry and awaits its durability, in a loop.
    private func measure(proposers: Int, directory: String) async throws -> (appends: Double, syncs: Double) {
        let storage = try NodeStorage(directory: directory, fileSystem: PosixFileSystem())
        let writer = GroupCommitWriter(storage: storage)
        let state = ProposerState()
        let payload = [UInt8](repeating: 0xAB, count: entrySize)
        let deadline = Date().addingTimeInterval(seconds)
        let start = Date()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<proposers {
                group.addTask {
                    while Date() < deadline {
                        await withCheckedContinuation { continuation in
                            state.submitNext(to: writer, payload: payload) { _ in continuation.resume() }
                        }
                    }
                }
            }
        }
        let elapsed = Date().timeIntervalSince(start)
        let syncs = writer.syncs
        let appends = state.submitted
        writer.stop()
        return (Double(appends) / elapsed, Double(syncs) / elapsed)
    }

    private func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: " ", count: max(0, width - text.count)) + text
    }
}

/// Hands out consecutive log indexes and submits in index order, as a leader would.
final class ProposerState: @unchecked Sendable {
    private let lock = NSLock()
    private var nextIndex: LogIndex = 1
    private(set) var submitted = 0

    func submitNext(to writer: GroupCommitWriter, payload: [UInt8], completion: @escaping GroupCommitWriter.Completion) {
        lock.lock()
        defer { lock.unlock() }
        let entry = Entry(term: 1, index: nextIndex, data: payload)
        writer.submit(StorageWrite(readyID: nextIndex, entries: [entry], hardState: nextIndex == 1 ? HardState(term: 1) : nil),
                      completion: completion)
        nextIndex += 1
        submitted += 1
    }
}
