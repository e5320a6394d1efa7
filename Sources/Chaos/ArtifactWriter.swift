import Foundation

/// Writes one schedule's artifact files next to the cluster's own `config.ini`, `logs/` and
/// `state/` (the nodes' data directories) in the schedule directory:
/// `schedule.txt` (the plan), `history.jsonl`, `timeline.jsonl`, `summary.json` and `report.txt`.
struct ArtifactWriter {
    let directory: URL

    func writeSchedule(_ schedule: Schedule, index: Int) throws {
        var lines = ["schedule \(index): nemesis \(schedule.kind.rawValue), seed \(schedule.seed), "
                     + "duration \(schedule.duration.components.seconds)s, warmup \(Self.seconds(schedule.warmup))"]
        for (i, slot) in schedule.slots.enumerated() {
            lines.append("fault \(i + 1): at +\(Self.seconds(slot.start)) for \(Self.seconds(slot.length))")
        }
        try write(lines.joined(separator: "\n") + "\n", to: "schedule.txt")
    }

    func writeResults(history: [HistoryEntry], timeline: [FaultEvent], summary: ScheduleSummary, rerun: String) throws {
        let lines = JSONEncoder()
        lines.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        try write(try history.map { String(decoding: try lines.encode($0), as: UTF8.self) }.joined(separator: "\n") + "\n",
                  to: "history.jsonl")
        try write(try timeline.map { String(decoding: try lines.encode($0), as: UTF8.self) }.joined(separator: "\n") + "\n",
                  to: "timeline.jsonl")
        let pretty = JSONEncoder()
        pretty.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try write(String(decoding: try pretty.encode(summary), as: UTF8.self) + "\n", to: "summary.json")
        var report = [SuiteTable.header, SuiteTable.row(summary), ""]
        report += timeline.map { "+\(String(format: "%8.3f", Double($0.at) / 1e9))s  \($0.phase.rawValue)  \($0.description)" }
        report += ["", summary.checkerReport, "lost acknowledged writes: \(summary.lostWrites)"]
        if !summary.unreadableKeys.isEmpty {
            report.append("final reads failed within 10 s for keys: \(summary.unreadableKeys.joined(separator: ", "))")
        }
        report += ["", "rerun: \(rerun)"]
        try write(report.joined(separator: "\n") + "\n", to: "report.txt")
    }

    private func write(_ text: String, to name: String) throws {
        try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }

    private static func seconds(_ duration: Duration) -> String {
        String(format: "%.1fs", Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
    }
}
