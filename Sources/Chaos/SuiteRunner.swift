import Foundation

/// Runs the schedules of a suite one after another, each with a fresh cluster, and prints a row
/// per schedule as it finishes, then the totals and the rerun command of every failed schedule.
public struct SuiteRunner: Sendable {
    /// What the whole suite found.
    public struct Outcome: Sendable {
        public var directory: URL
        public var summaries: [ScheduleSummary]
        public var setupFailures: [Int]
        public var passed: Bool { setupFailures.isEmpty && summaries.allSatisfy(\.passed) }
    }

    let options: SuiteOptions
    let executableName: String

    public init(options: SuiteOptions, executableName: String) {
        self.options = options
        self.executableName = executableName
    }

    /// `<artifactsRoot>/<UTC time>-seed-<seed>/`.
    public func suiteDirectory(now: Date = Date()) -> URL {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        formatter.timeZone = TimeZone(identifier: "UTC")
        return options.artifactsRoot.appendingPathComponent("\(formatter.string(from: now))-seed-\(options.seed)")
    }

    public func run(print emit: (String) -> Void) async throws -> Outcome {
        InterruptCleanup.install()
        let directory = suiteDirectory()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var output: [String] = []
        func say(_ line: String) {
            emit(line)
            output.append(line)
        }
        say("raft-chaos: \(options.schedules) schedule(s) of \(options.duration.components.seconds)s, seed \(options.seed), "
            + "\(options.clients) clients, \(options.keys) keys; artifacts in \(directory.path)")
        say(SuiteTable.header)
        var summaries: [ScheduleSummary] = []
        var setupFailures: [Int] = []
        for index in 0..<options.schedules {
            let kind = options.schedule(index).kind
            let scheduleDirectory = directory.appendingPathComponent("schedule-\(index)-\(kind.rawValue)")
            do {
                let summary = try await ScheduleRunner(options: options).run(index: index, directory: scheduleDirectory)
                summaries.append(summary)
                say(SuiteTable.row(summary))
            } catch {
                setupFailures.append(index)
                say(String(format: "%3d ", index) + "\(kind.rawValue): not run: \(error)")
            }
        }
        say("")
        say(SuiteTable.totals(summaries, setupFailures: setupFailures.count))
        let failed = summaries.filter { !$0.passed }.map(\.index) + setupFailures
        for index in failed.sorted() {
            let kind = options.schedule(index).kind
            let scheduleDirectory = directory.appendingPathComponent("schedule-\(index)-\(kind.rawValue)")
            if let summary = summaries.first(where: { $0.index == index }), summary.verdict == .notLinearizable {
                say("")
                say("schedule \(index) (\(kind.rawValue)) is not linearizable:")
                say(summary.checkerReport)
            }
            say("schedule \(index) failed; artifacts: \(scheduleDirectory.path)/report.txt")
            say("rerun it: \(options.rerunCommand(index, executable: executableName))")
        }
        try (output.joined(separator: "\n") + "\n").write(to: directory.appendingPathComponent("summary.txt"),
                                                         atomically: true, encoding: .utf8)
        return Outcome(directory: directory, summaries: summaries, setupFailures: setupFailures)
    }
}
