import ArgumentParser
import Foundation
import RaftSimulation

/// Runs seeded randomized simulations of a 5-node cluster and reports any safety or liveness
/// violation with the command that replays it.
@main
struct RaftSim: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "raft-sim",
        abstract: "Deterministic fault-injection simulation of the Raft engine.")

    @Option(help: "How many seeds to run.")
    var seeds: Int = 100

    @Option(help: "Run this one seed only (prints its full trace on failure, or always with --trace).")
    var seed: UInt64?

    @Option(help: "The first seed of the range.")
    var firstSeed: UInt64 = 1

    @Option(help: "Simulated milliseconds of faults per seed (a liveness phase follows).")
    var durationMs: UInt64 = 10_000

    @Option(help: "Worker processes running seeds in parallel.")
    var jobs: Int = 1

    @Flag(help: "Print the full event trace of the run (single seed).")
    var trace = false

    @Flag(inversion: .prefixedNo, help: "Storage-fault mode for every seed (default: one seed in four, chosen by the seed).")
    var storageFaults: Bool?

    @Option(help: .hidden)
    var worker: Int?

    mutating func validate() throws {
        guard seeds >= 1 else { throw ValidationError("--seeds must be at least 1") }
        guard durationMs >= 100 else { throw ValidationError("--duration-ms must be at least 100") }
        guard jobs >= 1 && jobs <= 64 else { throw ValidationError("--jobs must be between 1 and 64") }
    }

    mutating func run() throws {
        if let seed {
            try runSingle(seed)
        } else if jobs > 1 && worker == nil {
            try runWorkers()
        } else {
            try runRange(worker: worker ?? 0, of: worker == nil ? 1 : jobs)
        }
    }

    private func replayCommand(_ seed: UInt64) -> String {
        let flag = storageFaults.map { $0 ? " --storage-faults" : " --no-storage-faults" } ?? ""
        let make = flag.isEmpty ? "" : " SIM_FLAGS=\(flag.dropFirst())"
        return "make sim SEED=\(seed) SIM_MS=\(durationMs)\(make)   (or: .build/release/raft-sim --seed \(seed) --duration-ms \(durationMs)\(flag) --trace)"
    }

    private func runSingle(_ seed: UInt64) throws {
        CrashReporter.install(durationMs: durationMs)
        CrashReporter.setCurrentSeed(seed)
        var run = RandomizedRun(seed: seed, durationMs: durationMs)
        run.fullTrace = trace
        run.realStorage = storageFaults
        let result = run.run()
        if trace || result.violation != nil {
            for line in result.traceLines { print(line) }
        }
        print(Summary(results: [result], durationMs: durationMs).line)
        print("trace digest: \(String(result.traceDigest, radix: 16)) (\(result.traceLines.count) events kept)")
        if let violation = result.violation {
            print("FAILED seed \(seed): \(violation)")
            print("replay: \(replayCommand(seed))")
            throw ExitCode(1)
        }
    }

    /// Runs this worker's share of the seed range: seeds firstSeed + k where k % workers == worker.
    private func runRange(worker: Int, of workers: Int) throws {
        CrashReporter.install(durationMs: durationMs)
        var results: [RandomizedRun.Result] = []
        var failed: [RandomizedRun.Result] = []
        for offset in stride(from: worker, to: seeds, by: workers) {
            let seed = firstSeed + UInt64(offset)
            CrashReporter.setCurrentSeed(seed)
            var run = RandomizedRun(seed: seed, durationMs: durationMs)
            run.realStorage = storageFaults
            var result = run.run()
            if result.violation != nil {
                failed.append(result)
            } else {
                result.traceLines = []
            }
            results.append(result)
        }
        for result in failed {
            print("FAILED seed \(result.seed): \(result.violation!)")
            print("last events:")
            for line in result.traceLines.suffix(60) { print("  \(line)") }
            print("replay: \(replayCommand(result.seed))")
        }
        let summary = Summary(results: results, durationMs: durationMs)
        print(worker == 0 && workers == 1 ? summary.line : summary.workerLine)
        if !failed.isEmpty { throw ExitCode(1) }
    }

    /// Splits the seeds over `jobs` child processes of this executable and merges their summaries.
    private func runWorkers() throws {
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).path
        var processes: [(Process, Pipe)] = []
        for index in 0..<jobs {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = [
                "--seeds", "\(seeds)", "--first-seed", "\(firstSeed)", "--duration-ms", "\(durationMs)",
                "--jobs", "\(jobs)", "--worker", "\(index)",
            ] + (storageFaults.map { [$0 ? "--storage-faults" : "--no-storage-faults"] } ?? [])
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            processes.append((process, pipe))
        }
        var merged = Summary()
        var failure = false
        for (process, pipe) in processes {
            let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            for line in output.split(separator: "\n") {
                if let part = Summary(workerLine: String(line)) {
                    merged.add(part)
                } else {
                    print(line)
                }
            }
            if process.terminationStatus != 0 { failure = true }
        }
        print(merged.line)
        if failure || merged.failures > 0 {
            print("simulation FAILED: see the replay commands above")
            throw ExitCode(1)
        }
    }
}
