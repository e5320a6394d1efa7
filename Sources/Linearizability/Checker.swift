import Dispatch
import Synchronization

/// Checks a recorded history of key-value operations for linearizability.
///
/// The history is split by key (a register per key; linearizability is compositional), then each
/// key is searched independently, in parallel when allowed.
public struct LinearizabilityChecker: Sendable {
    /// What each key held before the history began.
    public enum InitialState: Sendable {
        /// Every key starts absent (a fresh store).
        case absent
        /// Keys start with these values; others start absent.
        case values([Bytes: Bytes])
        /// Any starting value is acceptable.
        case unknown
    }

    /// A history the checker cannot interpret.
    public struct InvalidHistory: Error, Sendable, CustomStringConvertible {
        /// Index of the offending operation in the input.
        public var index: Int
        /// What is wrong with it.
        public var reason: String
        public var description: String { "operation \(index): \(reason)" }
    }

    /// Starting state of the keys.
    public var initialState: InitialState
    /// Maximum search nodes per key before giving up with an `unknown` verdict.
    public var maxStatesPerKey: Int
    /// Check keys on several threads.
    public var parallel: Bool
    /// Shrink failures to a minimal window (costs extra searches over the failing prefix).
    public var minimizeFailures: Bool

    /// A checker with the given options.
    public init(initialState: InitialState = .absent, maxStatesPerKey: Int = 5_000_000,
                parallel: Bool = true, minimizeFailures: Bool = true) {
        self.initialState = initialState
        self.maxStatesPerKey = maxStatesPerKey
        self.parallel = parallel
        self.minimizeFailures = minimizeFailures
    }

    /// Checks `history` (any order); throws when an operation is malformed.
    public func check(_ history: [Operation]) throws(InvalidHistory) -> LinearizabilityResult {
        for (i, op) in history.enumerated() { try Self.validate(op, index: i) }
        var byKey: [Bytes: [Operation]] = [:]
        for op in history { byKey[op.key, default: []].append(op) }
        let keys = byKey.keys.sorted()
        let histories = keys.map { KeyHistory(key: $0, operations: byKey[$0]!, initial: initialValue(for: $0)) }

        let reports = ReportSlots(count: histories.count)
        let work: @Sendable (Int) -> Void = { [self] i in
            reports.store(checkKey(histories[i]), at: i)
        }
        if parallel && histories.count > 1 {
            DispatchQueue.concurrentPerform(iterations: histories.count, execute: work)
        } else {
            for i in histories.indices { work(i) }
        }
        let done = reports.all()

        let failures = done.compactMap(\.failure)
        let undecided = done.filter { $0.verdict == .exhausted }.map(\.key)
        let verdict: LinearizabilityResult.Verdict =
            !failures.isEmpty ? .notLinearizable : (undecided.isEmpty ? .linearizable : .unknown)
        return LinearizabilityResult(
            verdict: verdict, failures: failures, undecidedKeys: undecided, keyCount: histories.count,
            operationCount: histories.reduce(0) { $0 + $1.compiled.count },
            statesExplored: done.reduce(0) { $0 + $1.explored })
    }

    struct KeyReport: Sendable {
        var key: Bytes
        var verdict: SearchOutcome.Verdict
        var explored: Int
        var failure: LinearizabilityFailure?
        var order: [Int]
    }

    /// `.some(value)` for a known start (`.some(nil)`: absent), `nil` when unknown.
    func initialValue(for key: Bytes) -> Bytes?? {
        switch initialState {
        case .absent: return .some(nil)
        case .unknown: return nil
        case .values(let map): return .some(map[key])
        }
    }

    func checkKey(_ history: KeyHistory) -> KeyReport {
        var search = LinearizationSearch(ops: history.compiled, initial: history.initial)
        let outcome = search.run(budget: maxStatesPerKey)
        var report = KeyReport(key: history.key, verdict: outcome.verdict, explored: outcome.explored,
                               failure: nil, order: outcome.order)
        if outcome.verdict == .notLinearizable {
            report.failure = FailureAnalysis(history: history, outcome: outcome,
                                             initial: history.initial, minimize: minimizeFailures).failure()
        }
        return report
    }

    static func validate(_ op: Operation, index: Int) throws(InvalidHistory) {
        guard case .ok(let response) = op.outcome else { return }
        guard let completed = op.completedAt else {
            throw InvalidHistory(index: index, reason: "acknowledged operation has no completion time")
        }
        guard completed >= op.invokedAt else {
            throw InvalidHistory(index: index, reason: "completes before it is invoked")
        }
        switch (op.kind, response) {
        case (.get, .value), (.put, .done), (.delete, .done), (.cas, .swapped): return
        default:
            throw InvalidHistory(index: index, reason: "response \(response) does not fit \(op.kind)")
        }
    }
}

/// Per-key reports filled in from several threads.
private final class ReportSlots: Sendable {
    private let slots: Mutex<[LinearizabilityChecker.KeyReport?]>

    init(count: Int) { slots = Mutex(Array(repeating: nil, count: count)) }

    func store(_ report: LinearizabilityChecker.KeyReport, at index: Int) {
        slots.withLock { $0[index] = report }
    }

    func all() -> [LinearizabilityChecker.KeyReport] {
        slots.withLock { $0.compactMap { $0 } }
    }
}
