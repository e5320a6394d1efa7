import Foundation

/// The fixed-width table the suite prints: one row per schedule, then totals.
public enum SuiteTable {
    public static let header =
        "  # nemesis            seed faults     ok   fail   info  avail:before minor  major  after   p50ms   p99ms verdict            lost"

    public static func row(_ s: ScheduleSummary) -> String {
        let verdict = s.unreadableKeys.isEmpty ? s.verdict.rawValue : "final reads failed"
        return pad("\(s.index)", 3) + " " + s.nemesis.rawValue.padding(toLength: 17, withPad: " ", startingAt: 0)
            + pad("\(s.seed)", 6) + pad("\(s.faults)", 7) + pad("\(s.ok)", 7) + pad("\(s.fail)", 7) + pad("\(s.info)", 7)
            + pad(percent(s.availability.beforeFaults), 14) + pad(percent(s.availability.duringMinorityFaults), 6)
            + pad(percent(s.availability.duringMajorityFaults), 7) + pad(percent(s.availability.afterFaults), 7)
            + pad(milliseconds(s.latencyP50Ms), 8) + pad(milliseconds(s.latencyP99Ms), 8)
            + " " + verdict.padding(toLength: 18, withPad: " ", startingAt: 0) + pad("\(s.lostWrites)", 5)
    }

    /// Totals over the schedules: operation counts, availability weighted by schedule, verdicts.
    public static func totals(_ summaries: [ScheduleSummary], setupFailures: Int) -> String {
        let violations = summaries.filter { $0.verdict == .notLinearizable }.count
        let unknown = summaries.filter { $0.verdict == .unknown }.count
        let unreadable = summaries.filter { !$0.unreadableKeys.isEmpty }.count
        func mean(_ values: [Double?]) -> String {
            let present = values.compactMap { $0 }
            return present.isEmpty ? "-" : percent(present.reduce(0, +) / Double(present.count))
        }
        let ok = summaries.reduce(0) { $0 + $1.ok }, fail = summaries.reduce(0) { $0 + $1.fail }
        let info = summaries.reduce(0) { $0 + $1.info }
        return """
            schedules: \(summaries.count + setupFailures) run, \(summaries.filter(\.passed).count) passed, \
            \(summaries.count - summaries.filter(\.passed).count + setupFailures) failed (\(setupFailures) could not start a cluster)
            operations: \(ok) ok, \(fail) fail, \(info) info
            availability (mean over schedules): before faults \(mean(summaries.map(\.availability.beforeFaults))), \
            during minority faults \(mean(summaries.map(\.availability.duringMinorityFaults))), \
            during majority faults \(mean(summaries.map(\.availability.duringMajorityFaults))), \
            after faults \(mean(summaries.map(\.availability.afterFaults)))
            linearizability violations: \(violations), undecided (search budget): \(unknown), \
            acknowledged writes lost: \(summaries.reduce(0) { $0 + $1.lostWrites }), \
            schedules with failed final reads: \(unreadable)
            """
    }

    static func percent(_ value: Double?) -> String {
        value.map { String(format: "%.0f%%", $0 * 100) } ?? "-"
    }

    static func milliseconds(_ value: Double?) -> String {
        value.map { String(format: "%.1f", $0) } ?? "-"
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? " " + text : String(repeating: " ", count: width - text.count) + text
    }
}
