import Foundation
import Linearizability

/// The numbers of one schedule: operation counts, availability by phase, latency, the checker's
/// verdict and lost writes. Written to `summary.json` and printed as one row of the suite table.
public struct ScheduleSummary: Sendable, Codable {
    /// Share of operations acknowledged among those invoked in a phase; `nil` when none were.
    public struct Availability: Sendable, Codable {
        public var beforeFaults: Double?
        /// During faults that leave some node able to lead: writes should keep succeeding.
        public var duringMinorityFaults: Double?
        /// During faults that leave no node able to lead: everything should be refused or time out.
        public var duringMajorityFaults: Double?
        public var afterFaults: Double?
    }

    public var index: Int
    public var seed: UInt64
    public var nemesis: NemesisKind
    public var faults: Int
    public var ok: Int
    public var fail: Int
    public var info: Int
    public var availability: Availability
    public var latencyP50Ms: Double?
    public var latencyP99Ms: Double?
    public var verdict: LinearizabilityResult.Verdict
    /// The checker's report (with the smallest failing window when not linearizable).
    public var checkerReport: String
    public var lostWrites: Int
    /// Keys whose final read did not succeed within 10 s after healing.
    public var unreadableKeys: [String]
    public var checkSeconds: Double

    /// Passed: linearizable, nothing lost, every final read answered.
    public var passed: Bool { verdict == .linearizable && lostWrites == 0 && unreadableKeys.isEmpty }

    /// What the clients' history says without the checker.
    struct Measurements {
        var ok = 0, fail = 0, info = 0
        var availability: Availability
        var p50: Double?, p99: Double?
    }

    /// Counts outcomes, availability by phase (operations are placed by invocation time) and latency.
    static func measure(history: [HistoryEntry], windows: [(start: UInt64, end: UInt64, majorityAffected: Bool)]) -> Measurements {
        var ok = 0, fail = 0, info = 0
        var phases: [String: (ok: Int, all: Int)] = [:]
        let firstStart = windows.first?.start ?? .max
        let lastEnd = windows.last?.end ?? 0
        var latencies: [UInt64] = []
        for entry in history {
            let op = entry.operation
            let acknowledged: Bool
            switch op.outcome {
            case .ok: ok += 1; acknowledged = true
            case .fail: fail += 1; acknowledged = false
            case .info: info += 1; acknowledged = false
            }
            if let latency = entry.latency { latencies.append(latency) }
            let phase: String?
            if let window = windows.first(where: { $0.start <= op.invokedAt && op.invokedAt < $0.end }) {
                phase = window.majorityAffected ? "majority" : "minority"
            } else if op.invokedAt < firstStart {
                phase = "before"
            } else if op.invokedAt >= lastEnd {
                phase = "after"
            } else {
                phase = nil
            }
            if let phase {
                phases[phase, default: (0, 0)].all += 1
                if acknowledged { phases[phase, default: (0, 0)].ok += 1 }
            }
        }
        func share(_ phase: String) -> Double? {
            guard let counts = phases[phase], counts.all > 0 else { return nil }
            return Double(counts.ok) / Double(counts.all)
        }
        latencies.sort()
        func percentile(_ p: Double) -> Double? {
            guard !latencies.isEmpty else { return nil }
            let rank = min(latencies.count - 1, Int((p * Double(latencies.count)).rounded(.up)) - 1)
            return Double(latencies[max(0, rank)]) / 1e6
        }
        let availability = Availability(beforeFaults: share("before"), duringMinorityFaults: share("minority"),
                                        duringMajorityFaults: share("majority"), afterFaults: share("after"))
        return Measurements(ok: ok, fail: fail, info: info, availability: availability, p50: percentile(0.5), p99: percentile(0.99))
    }
}
