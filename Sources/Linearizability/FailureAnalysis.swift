/// Turns a failed search into a report with a minimal failing window.
///
/// The failing prefix ends at the furthest return the search could not pass. A window is a suffix of
/// that prefix cut after some completion: operations completed by the cut are dropped, the rest must
/// have no valid order from any starting value. Operations invoked before the cut may have taken
/// effect before it, so they become optional; that keeps the window a sound witness. The window is
/// then shrunk by dropping operations that cannot change the key (reads, failed or optional ones).
struct FailureAnalysis {
    let history: KeyHistory
    let outcome: SearchOutcome
    let initial: StateID
    let minimize: Bool

    private static let subBudget = 200_000
    private static let workLimit = 4_000_000

    func failure() -> LinearizabilityFailure {
        let end = outcome.furthestReturn
        var prefix: [CompiledOp] = []
        for (i, op) in history.compiled.enumerated() where outcome.callPosition[i] < end {
            var sub = op
            sub.invoke = UInt64(outcome.callPosition[i])
            sub.required = op.required && outcome.returnPosition[i] <= end
            sub.complete = sub.required ? UInt64(outcome.returnPosition[i]) : UInt64.max
            prefix.append(sub)
        }
        var window = prefix
        var start = initial
        var ignoresPrior = initial == .unknown
        if minimize {
            if let found = suffixWindow(prefix) {
                window = found
                start = .unknown
                ignoresPrior = true
            }
            window = shrink(window, start: start)
        }
        let operations = window.map { history.operations[$0.source] }
            .sorted { ($0.invokedAt, $0.process) < ($1.invokedAt, $1.process) }
        let blocked = history.compiled[outcome.blockedOp]
        return LinearizabilityFailure(
            key: history.key,
            blockedOperation: history.operations[blocked.source],
            possibleValues: outcome.statesWhenBlocked.filter { $0 != .unknown }.map(history.value),
            window: operations,
            windowIgnoresPriorState: ignoresPrior,
            prefixLength: prefix.count,
            explanation: explain(blocked))
    }

    private func fails(_ ops: [CompiledOp], start: StateID) -> Bool {
        guard ops.contains(where: \.required) else { return false }
        var search = LinearizationSearch(ops: ops, initial: start)
        return search.run(budget: Self.subBudget).verdict == .notLinearizable
    }

    /// The latest cut whose remaining operations fail from any starting value.
    private func suffixWindow(_ prefix: [CompiledOp]) -> [CompiledOp]? {
        let cuts = Set(prefix.filter(\.required).map(\.complete)).sorted(by: >)
        var work = 0
        for cut in cuts {
            var window: [CompiledOp] = []
            for op in prefix where !(op.required && op.complete <= cut) {
                var sub = op
                if sub.required && sub.invoke < cut {
                    sub.required = false
                    sub.complete = UInt64.max
                }
                window.append(sub)
            }
            work += window.count
            if work > Self.workLimit { return nil }
            if fails(window, start: .unknown) { return window }
        }
        return nil
    }

    /// Drops operations whose removal keeps the window failing and cannot hide an effect.
    private func shrink(_ window: [CompiledOp], start: StateID) -> [CompiledOp] {
        guard window.count <= 400 else { return window }
        var current = window
        var i = current.count - 1
        while i >= 0 {
            let op = current[i]
            if !op.required || !op.mutates {
                var candidate = current
                candidate.remove(at: i)
                if fails(candidate, start: start) { current = candidate }
            }
            i -= 1
        }
        return current
    }

    private func explain(_ op: CompiledOp) -> String {
        let recorded = history.operations[op.source]
        let states = outcome.statesWhenBlocked
        let held: String
        if states.contains(.unknown) {
            held = "any value"
        } else {
            held = states.map { history.value($0).map { "\($0)" } ?? "<absent>" }
                .sorted().joined(separator: " or ")
        }
        var text = "no valid order: in every order consistent with real time, when `\(recorded)` had to take effect the key held \(held)"
        let written = Set(history.compiled.filter(\.mutates).map { $0.code == .write ? $0.a : $0.b })
        let observed: StateID? = switch op.code {
        case .read: op.a
        case .cas where op.swapped == 1: op.a
        default: nil
        }
        if let observed, observed != .absent, observed != initial, !written.contains(observed) {
            text += "; \(history.value(observed).map { "\($0)" } ?? "<absent>") was never written to this key"
        }
        return text
    }
}
