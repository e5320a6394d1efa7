import Foundation
import RaftSimulation

/// Totals over many seeds, printed as the run's closing line and passed between worker processes.
struct Summary {
    var seeds = 0
    var failures = 0
    var simulatedMs: UInt64 = 0
    var acknowledged = 0
    var reads = 0
    var messages = 0
    var faults = 0

    init() {}

    init(results: [RandomizedRun.Result], durationMs: UInt64) {
        for result in results {
            seeds += 1
            failures += result.violation == nil ? 0 : 1
            simulatedMs += result.simulatedMs
            acknowledged += result.acknowledged
            reads += result.confirmedReads
            messages += result.messages
            faults += result.faults
        }
    }

    mutating func add(_ other: Summary) {
        seeds += other.seeds
        failures += other.failures
        simulatedMs += other.simulatedMs
        acknowledged += other.acknowledged
        reads += other.reads
        messages += other.messages
        faults += other.faults
    }

    /// Two lines: what was covered, then the verdict as "simulation: N passed, M failed".
    var line: String {
        let seconds = Double(simulatedMs) / 1000
        return "simulation: \(seeds) seeds, \(String(format: "%.1f", seconds)) simulated s, \(faults) faults injected, "
            + "\(acknowledged) proposals acknowledged, \(reads) linearizable reads confirmed, \(messages) messages\n"
            + "simulation: \(seeds - failures) passed, \(failures) failed"
    }

    /// A machine-readable line for the parent process.
    var workerLine: String {
        "WORKER \(seeds) \(failures) \(simulatedMs) \(acknowledged) \(reads) \(messages) \(faults)"
    }

    init?(workerLine: String) {
        let fields = workerLine.split(separator: " ")
        guard fields.count == 8, fields[0] == "WORKER" else { return nil }
        let numbers = fields.dropFirst().compactMap { UInt64($0) }
        guard numbers.count == 7 else { return nil }
        seeds = Int(numbers[0])
        failures = Int(numbers[1])
        simulatedMs = numbers[2]
        acknowledged = Int(numbers[3])
        reads = Int(numbers[4])
        messages = Int(numbers[5])
        faults = Int(numbers[6])
    }
}
