import Foundation
import GRPCCore
import Histogram
import RaftClient
import Synchronization

/// Timing of a closed-loop run: each client sends its next request as soon as the previous one
/// is answered. Operations finishing during the warm-up are not counted.
struct BenchTiming: Sendable {
    var warmup: Duration
    var duration: Duration
    var requestTimeout: Duration
}

/// What one client (or, merged, the whole run) measured after the warm-up.
struct BenchTally: Sendable {
    /// Latencies of successful operations in microseconds.
    var latencies = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three)
    var puts = 0
    var gets = 0
    var errors = 0
    var firstError: String?

    mutating func merge(_ other: BenchTally) {
        latencies.add(other.latencies)
        puts += other.puts
        gets += other.gets
        errors += other.errors
        if firstError == nil { firstError = other.firstError }
    }
}

/// Runs the clients of a benchmark against the targets (client i uses target i mod count) and
/// prints a progress line to stderr once a second.
struct BenchRunner: Sendable {
    let workload: BenchWorkload
    let timing: BenchTiming
    let clients: Int

    func run(on targets: [any BenchTarget]) async -> BenchTally {
        let completed = BenchCounter()
        let clock = ContinuousClock()
        let start = clock.now
        let measuredFrom = start + timing.warmup
        let end = measuredFrom + timing.duration
        return await withTaskGroup(of: BenchTally.self) { group in
            for index in 0..<clients {
                let target = targets[index % targets.count]
                group.addTask {
                    await runClient(index, target: target, measuredFrom: measuredFrom, end: end, completed: completed)
                }
            }
            let progress = Task { await reportProgress(completed, start: start, measuredFrom: measuredFrom, end: end) }
            var total = BenchTally()
            for await tally in group { total.merge(tally) }
            progress.cancel()
            await progress.value
            return total
        }
    }

    private func runClient(_ index: Int, target: any BenchTarget, measuredFrom: ContinuousClock.Instant,
                           end: ContinuousClock.Instant, completed: BenchCounter) async -> BenchTally {
        var random = BenchRandom(seed: UInt64(index + 1) &* 0x2545_F491_4F6C_DD1D)
        var tally = BenchTally()
        var options = CallOptions.defaults
        options.timeout = timing.requestTimeout
        options.maxRequestMessageBytes = AnswerSizeLimit.bytes
        let clock = ContinuousClock()
        var failedInARow = 0
        while clock.now < end {
            let operation = workload.nextOperation(&random)
            let sent = clock.now
            do {
                switch operation {
                case .put(let key): try await target.put(key: key, value: workload.value, options: options)
                case .get(let key): try await target.get(key: key, options: options)
                }
                failedInARow = 0
            } catch {
                failedInARow += 1
                if sent >= measuredFrom {
                    tally.errors += 1
                    if tally.firstError == nil { tally.firstError = String(describing: error) }
                }
                // A dropped connection is retried at once; a cluster that keeps failing answers at
                // once too, so back off rather than spin.
                if failedInARow > 1 { try? await Task.sleep(for: .milliseconds(10)) }
                continue
            }
            let answered = clock.now
            completed.increment()
            guard sent >= measuredFrom, answered <= end else { continue }
            _ = tally.latencies.record(Self.microseconds(answered - sent))
            switch operation {
            case .put: tally.puts += 1
            case .get: tally.gets += 1
            }
        }
        return tally
    }

    private func reportProgress(_ completed: BenchCounter, start: ContinuousClock.Instant,
                                measuredFrom: ContinuousClock.Instant, end: ContinuousClock.Instant) async {
        let clock = ContinuousClock()
        let interactive = isatty(STDERR_FILENO) != 0
        var previous = 0
        while !Task.isCancelled, (try? await Task.sleep(for: .seconds(1))) != nil {
            let now = clock.now
            let done = completed.value
            let phase = now < measuredFrom ? "warming up" : "measuring"
            let elapsed = Int(Self.seconds(min(now, end) - start).rounded())
            let line = "\(elapsed)s \(phase): \(done - previous) ops/s"
            previous = done
            FileHandle.standardError.write(Data((interactive ? "\r\(line)\u{1B}[K" : line + "\n").utf8))
        }
        if interactive { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }

    static func microseconds(_ duration: Duration) -> UInt64 {
        let (seconds, attoseconds) = duration.components
        return UInt64(max(0, seconds)) * 1_000_000 + UInt64(max(0, attoseconds) / 1_000_000_000_000)
    }

    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

/// Successful operations so far, warm-up included, for the progress line.
final class BenchCounter: Sendable {
    private let count = Atomic<Int>(0)

    func increment() { count.add(1, ordering: .relaxed) }

    var value: Int { count.load(ordering: .relaxed) }
}
