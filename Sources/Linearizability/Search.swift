/// What one search over a single key's operations found.
struct SearchOutcome: Sendable {
    enum Verdict: Sendable { case linearizable, notLinearizable, exhausted }

    var verdict: Verdict
    /// A witness order (operation indices) when linearizable.
    var order: [Int] = []
    /// Event position of the furthest return the search could not get past, or -1.
    var furthestReturn: Int = -1
    /// The operation whose return that is, or -1.
    var blockedOp: Int = -1
    /// Distinct register states seen when `blockedOp` had to take effect (at most 8).
    var statesWhenBlocked: [StateID] = []
    /// Event positions of each operation's call and return (return is `Int.max` for optional ones).
    var callPosition: [Int] = []
    var returnPosition: [Int] = []
    /// Search nodes visited.
    var explored: Int = 0
}

/// Wing & Gong depth-first search with Lowe's memoisation over a linked list of call and return
/// events. Optional operations have no return event; they are not tried eagerly but only as short
/// runs placed right before a required operation that could not otherwise take effect.
struct LinearizationSearch {
    private let ops: [CompiledOp]
    private let eventOp: [Int32]
    private let eventIsCall: [Bool]
    private var next: [Int32]
    private var prev: [Int32]
    private let head: Int32
    private var callPosition: [Int]
    private var returnPosition: [Int]
    /// Mutating optional operations grouped by identical effect, each group sorted by call position.
    private var groups: [[Int32]] = []
    private var groupsByTarget: [StateID: [Int]] = [:]

    private var bits: [UInt64]
    private let zobrist: [UInt64]
    private var hash: UInt64 = 0
    private var state: StateID
    private var cache = Set<Node>()
    private var stack: [Frame] = []
    private var runPool: [Int32] = []
    private var liftedRequired = 0
    private let requiredCount: Int

    private struct Frame {
        var entry: Int32
        var alternative: Int
        var previousState: StateID
        var runStart: Int
        var runCount: Int
    }

    private struct Node: Hashable {
        let hash: UInt64
        let state: StateID
        let bits: [UInt64]
        func hash(into hasher: inout Hasher) { hasher.combine(hash) }
        static func == (l: Node, r: Node) -> Bool { l.hash == r.hash && l.state == r.state && l.bits == r.bits }
    }

    init(ops: [CompiledOp], initial: StateID) {
        self.ops = ops
        self.state = initial
        var events: [(time: UInt64, isReturn: Bool, op: Int32)] = []
        events.reserveCapacity(ops.count * 2)
        for (i, op) in ops.enumerated() {
            events.append((op.invoke, false, Int32(i)))
            if op.required { events.append((op.complete, true, Int32(i))) }
        }
        events.sort { l, r in
            if l.time != r.time { return l.time < r.time }
            if l.isReturn != r.isReturn { return !l.isReturn }
            return l.op < r.op
        }
        eventOp = events.map(\.op)
        eventIsCall = events.map { !$0.isReturn }
        callPosition = Array(repeating: 0, count: ops.count)
        returnPosition = Array(repeating: Int.max, count: ops.count)
        for (pos, e) in events.enumerated() {
            if e.isReturn { returnPosition[Int(e.op)] = pos } else { callPosition[Int(e.op)] = pos }
        }
        // Linked list over events of required operations only; index `events.count` is the head.
        head = Int32(events.count)
        next = Array(repeating: -1, count: events.count + 1)
        prev = Array(repeating: -1, count: events.count + 1)
        var last = head
        for (pos, e) in events.enumerated() where ops[Int(e.op)].required {
            next[Int(last)] = Int32(pos)
            prev[pos] = last
            last = Int32(pos)
        }
        requiredCount = ops.reduce(0) { $0 + ($1.required ? 1 : 0) }

        var groupIndex: [[Int64]: Int] = [:]
        let calls = callPosition
        let optional = ops.indices.filter { !ops[$0].required && ops[$0].mutates }
            .sorted { calls[$0] < calls[$1] }
        for i in optional {
            let op = ops[i]
            let signature: [Int64] = [Int64(op.code.rawValue), Int64(op.a), Int64(op.b), Int64(op.swapped)]
            if let g = groupIndex[signature] {
                groups[g].append(Int32(i))
            } else {
                groupIndex[signature] = groups.count
                groups.append([Int32(i)])
                let target = op.code == .write ? op.a : op.b
                groupsByTarget[target, default: []].append(groups.count - 1)
            }
        }

        bits = Array(repeating: 0, count: (ops.count + 63) / 64)
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        let randoms: [UInt64] = (0..<ops.count).map { _ in
            seed &+= 0x9E37_79B9_7F4A_7C15
            var z = seed
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        zobrist = randoms
    }

    /// Runs the search; `budget` caps the number of visited nodes.
    mutating func run(budget: Int) -> SearchOutcome {
        var outcome = SearchOutcome(verdict: .notLinearizable)
        outcome.callPosition = callPosition
        outcome.returnPosition = returnPosition
        var entry = next[Int(head)]
        while true {
            if liftedRequired == requiredCount {
                outcome.verdict = .linearizable
                outcome.order = witness()
                break
            }
            if cache.count > budget {
                outcome.verdict = .exhausted
                break
            }
            if eventIsCall[Int(entry)] {
                if tryLift(entry, from: 0) {
                    entry = next[Int(head)]
                } else {
                    entry = next[Int(entry)]
                }
                continue
            }
            let position = Int(entry)
            if position > outcome.furthestReturn {
                outcome.furthestReturn = position
                outcome.blockedOp = Int(eventOp[position])
                outcome.statesWhenBlocked = [state]
            } else if position == outcome.furthestReturn, outcome.statesWhenBlocked.count < 8,
                      !outcome.statesWhenBlocked.contains(state) {
                outcome.statesWhenBlocked.append(state)
            }
            guard let frame = stack.popLast() else { break }
            undo(frame)
            if tryLift(frame.entry, from: frame.alternative + 1) {
                entry = next[Int(head)]
            } else {
                entry = next[Int(frame.entry)]
            }
        }
        outcome.explored = cache.count
        return outcome
    }

    private func witness() -> [Int] {
        var order: [Int] = []
        for frame in stack {
            for k in frame.runStart..<(frame.runStart + frame.runCount) { order.append(Int(runPool[k])) }
            order.append(Int(eventOp[Int(frame.entry)]))
        }
        return order
    }

    /// Tries alternatives `from...` for the call at `entry`; on success pushes a frame and lifts it.
    private mutating func tryLift(_ entry: Int32, from first: Int) -> Bool {
        let x = Int(eventOp[Int(entry)])
        if let after = ops[x].step(state) {
            guard first == 0 else { return false }
            return commit(entry: entry, op: x, run: [], newState: after, alternative: 0)
        }
        guard !groups.isEmpty else { return false }
        let runs = candidateRuns(for: x, limit: firstPendingReturn(after: entry))
        var k = first
        while k < runs.count {
            var s = state
            var valid = true
            for o in runs[k] {
                guard let t = ops[Int(o)].step(s) else { valid = false; break }
                s = t
            }
            if valid, let after = ops[x].step(s),
               commit(entry: entry, op: x, run: runs[k], newState: after, alternative: k) {
                return true
            }
            k += 1
        }
        return false
    }

    private mutating func commit(entry: Int32, op x: Int, run: [Int32], newState: StateID, alternative: Int) -> Bool {
        toggle(x)
        for o in run { toggle(Int(o)) }
        let node = Node(hash: hash ^ mix(newState), state: newState, bits: bits)
        guard cache.insert(node).inserted else {
            toggle(x)
            for o in run { toggle(Int(o)) }
            return false
        }
        stack.append(Frame(entry: entry, alternative: alternative, previousState: state,
                           runStart: runPool.count, runCount: run.count))
        runPool.append(contentsOf: run)
        state = newState
        unlink(entry)
        unlink(Int32(returnPosition[x]))
        liftedRequired += 1
        return true
    }

    private mutating func undo(_ frame: Frame) {
        let x = Int(eventOp[Int(frame.entry)])
        relink(Int32(returnPosition[x]))
        relink(frame.entry)
        toggle(x)
        for k in frame.runStart..<(frame.runStart + frame.runCount) { toggle(Int(runPool[k])) }
        runPool.removeSubrange(frame.runStart...)
        state = frame.previousState
        liftedRequired -= 1
    }

    @inline(__always)
    private mutating func toggle(_ i: Int) {
        bits[i >> 6] ^= 1 << UInt64(i & 63)
        hash ^= zobrist[i]
    }

    @inline(__always)
    private func isSet(_ i: Int) -> Bool { bits[i >> 6] & (1 << UInt64(i & 63)) != 0 }

    @inline(__always)
    private func mix(_ s: StateID) -> UInt64 {
        var z = UInt64(bitPattern: Int64(s)) &+ 0x632B_E59B_D9B4_E019
        z = (z ^ (z >> 33)) &* 0xFF51_AFD7_ED55_8CCD
        return z ^ (z >> 29)
    }

    private mutating func unlink(_ e: Int32) {
        let p = prev[Int(e)], n = next[Int(e)]
        next[Int(p)] = n
        if n >= 0 { prev[Int(n)] = p }
    }

    private mutating func relink(_ e: Int32) {
        let p = prev[Int(e)], n = next[Int(e)]
        next[Int(p)] = e
        if n >= 0 { prev[Int(n)] = e }
    }

    private func firstPendingReturn(after entry: Int32) -> Int {
        var e = entry
        while e >= 0 {
            if !eventIsCall[Int(e)] { return Int(e) }
            e = next[Int(e)]
        }
        return Int.max
    }

    /// The earliest unused member of `group` if it was invoked before `limit`.
    private func available(_ group: Int, limit: Int) -> Int32? {
        for o in groups[group] where !isSet(Int(o)) {
            return callPosition[Int(o)] < limit ? o : nil
        }
        return nil
    }

    /// Short runs of optional operations that make `x` possible from the current state.
    private func candidateRuns(for x: Int, limit: Int) -> [[Int32]] {
        let op = ops[x]
        switch op.code {
        case .read:
            return runs(reaching: op.a, limit: limit)
        case .cas where op.swapped == 1:
            return runs(reaching: op.a, limit: limit)
        case .cas, .write:
            // A failed cas blocked by the current value: any single effect that changes it.
            var result: [[Int32]] = []
            for g in groups.indices.reversed() {
                guard let o = available(g, limit: limit), let s = ops[Int(o)].step(state), s != state else { continue }
                result.append([o])
            }
            return result
        }
    }

    private func runs(reaching target: StateID, limit: Int) -> [[Int32]] {
        var result: [[Int32]] = []
        var path: [Int32] = []
        var targets: [StateID] = []
        collect(reaching: target, limit: limit, path: &path, targets: &targets, into: &result)
        return result
    }

    /// Backward search: the last operation of a run produces `target`; a cas needs its expected value first.
    private func collect(reaching target: StateID, limit: Int, path: inout [Int32], targets: inout [StateID],
                         into result: inout [[Int32]]) {
        guard result.count < 64, targets.count < 4, !targets.contains(target) else { return }
        targets.append(target)
        defer { targets.removeLast() }
        for g in (groupsByTarget[target] ?? []).reversed() {
            guard let o = available(g, limit: limit), !path.contains(o) else { continue }
            let op = ops[Int(o)]
            if op.code == .write || op.a == state {
                result.append([o] + path.reversed())
            } else {
                path.append(o)
                collect(reaching: op.a, limit: limit, path: &path, targets: &targets, into: &result)
                path.removeLast()
            }
        }
    }
}
