/// Register state during search: `absent`, an interned value id (>= 1), or `unknown` (any value).
typealias StateID = Int32

extension StateID {
    static let absent: StateID = 0
    static let unknown: StateID = -1
}

/// One operation of a single key in the compact form the search runs on.
struct CompiledOp: Sendable {
    enum Code: UInt8, Sendable { case read, write, cas }

    /// Index into the key's operation list.
    var source: Int
    var code: Code
    /// read: observed value; write: new value; cas: expected value.
    var a: StateID
    /// cas: new value.
    var b: StateID = 0
    /// cas: 1 swapped, 0 did not, -1 unknown.
    var swapped: Int8 = -1
    /// Required operations must be linearized; optional ones may be left out.
    var required: Bool
    var invoke: UInt64
    /// Ignored for optional operations, which stay open forever.
    var complete: UInt64

    /// The state after this operation in `state`, or `nil` when its recorded result is impossible there.
    @inline(__always)
    func step(_ state: StateID) -> StateID? {
        switch code {
        case .write:
            return a
        case .read:
            if state == .unknown || state == a { return a }
            return nil
        case .cas:
            switch swapped {
            case 1:
                return (state == .unknown || state == a) ? b : nil
            case 0:
                return (state == .unknown || state != a) ? state : nil
            default:
                if state == .unknown { return .unknown }
                return state == a ? b : state
            }
        }
    }

    /// Whether the operation can change state (reads and failed cas never do).
    var mutates: Bool {
        switch code {
        case .read: return false
        case .write: return true
        case .cas: return swapped != 0
        }
    }
}

/// The operations of one key, with values interned to small integers.
struct KeyHistory: Sendable {
    var key: Bytes
    /// Original operations of this key (failed ones and indeterminate reads already removed).
    var operations: [Operation]
    var compiled: [CompiledOp]
    /// `values[id - 1]` is the value with id `id`.
    var values: [Bytes]
    /// The state before the first operation (`.unknown` when any value is acceptable).
    var initial: StateID

    func value(_ id: StateID) -> Bytes? {
        id > 0 ? values[Int(id) - 1] : nil
    }

    /// Builds the compiled form; `operations` must all have `key`.
    init(key: Bytes, operations all: [Operation], initial: Bytes??) {
        self.key = key
        var interned: [Bytes: StateID] = [:]
        var values: [Bytes] = []
        func intern(_ value: Bytes?) -> StateID {
            guard let value else { return .absent }
            if let id = interned[value] { return id }
            values.append(value)
            let id = StateID(values.count)
            interned[value] = id
            return id
        }
        if let start = initial { self.initial = intern(start) } else { self.initial = .unknown }
        var kept: [Operation] = []
        var compiled: [CompiledOp] = []
        for op in all {
            let required: Bool
            var swapped: Int8 = -1
            var observed: Bytes?? = nil
            switch op.outcome {
            case .fail:
                continue
            case .info:
                if case .get = op.kind { continue }
                required = false
            case .ok(let response):
                required = true
                switch response {
                case .swapped(let didSwap): swapped = didSwap ? 1 : 0
                case .value(let value): observed = .some(value)
                case .done: break
                }
            }
            let source = kept.count
            let invoke = op.invokedAt
            let complete = required ? (op.completedAt ?? UInt64.max) : UInt64.max
            let entry: CompiledOp
            switch op.kind {
            case .get:
                entry = CompiledOp(source: source, code: .read, a: intern(observed ?? nil),
                                   required: required, invoke: invoke, complete: complete)
            case .put(let value):
                entry = CompiledOp(source: source, code: .write, a: intern(value),
                                   required: required, invoke: invoke, complete: complete)
            case .delete:
                entry = CompiledOp(source: source, code: .write, a: .absent,
                                   required: required, invoke: invoke, complete: complete)
            case .cas(let expected, let new):
                entry = CompiledOp(source: source, code: .cas, a: intern(expected), b: intern(new),
                                   swapped: swapped, required: required, invoke: invoke, complete: complete)
            }
            kept.append(op)
            compiled.append(entry)
        }
        self.operations = kept
        self.compiled = compiled
        self.values = values
    }
}
