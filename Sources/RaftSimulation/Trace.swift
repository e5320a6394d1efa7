import RaftEngine

/// One thing that happened in a simulated run.
enum TraceEvent {
    case deliver(Message)
    case drop(Message, reason: String)
    case crash(node: NodeID)
    case restart(node: NodeID)
    case network(String)
    case role(node: NodeID, role: Role, term: Term, leader: NodeID)
    case propose(node: NodeID, proposal: UInt64, index: LogIndex, term: Term)
    case acknowledged(proposal: UInt64, index: LogIndex)
    case read(node: NodeID, request: UInt64, outcome: ReadState.Outcome)
    case violation(String)
}

/// The run's event trace: the most recent events (all of them with `keepAll`), formatted only when
/// asked, plus a digest of every event that two runs of the same seed must share.
struct Trace {
    private var records: [(time: UInt64, event: TraceEvent)] = []
    private var start = 0
    private let capacity: Int
    private let keepAll: Bool
    private(set) var digest: UInt64 = 0xCBF2_9CE4_8422_2325
    private(set) var count = 0

    init(keepAll: Bool, capacity: Int = 400) {
        self.keepAll = keepAll
        self.capacity = capacity
    }

    mutating func record(_ time: UInt64, _ event: TraceEvent) {
        count += 1
        mixDigest(time, event)
        if keepAll || records.count < capacity {
            records.append((time, event))
        } else {
            records[start] = (time, event)
            start = (start + 1) % capacity
        }
    }

    /// The kept events, oldest first, one line each.
    func lines() -> [String] {
        let ordered = Array(records[start...] + records[..<start])
        return ordered.map { Trace.format($0.time, $0.event) }
    }

    private mutating func mixDigest(_ time: UInt64, _ event: TraceEvent) {
        func mix(_ value: UInt64) {
            digest = (digest ^ value) &* 0x0000_0100_0000_01B3
        }
        mix(time)
        switch event {
        case .deliver(let m): mix(1); mix(m.from); mix(m.to); mix(m.term)
        case .drop(let m, _): mix(2); mix(m.from); mix(m.to); mix(m.term)
        case .crash(let node): mix(3); mix(node)
        case .restart(let node): mix(4); mix(node)
        case .network(let text): mix(5); mix(UInt64(text.utf8.count))
        case .role(let node, _, let term, let leader): mix(6); mix(node); mix(term); mix(leader)
        case .propose(let node, let proposal, let index, _): mix(7); mix(node); mix(proposal); mix(index)
        case .acknowledged(let proposal, let index): mix(8); mix(proposal); mix(index)
        case .read(let node, let request, _): mix(9); mix(node); mix(request)
        case .violation: mix(10)
        }
    }

    static func format(_ time: UInt64, _ event: TraceEvent) -> String {
        let ms = time / 1000
        let micros = time % 1000
        let stamp = "\(ms).\(String(repeating: "0", count: 3 - String(micros).count))\(micros)ms"
        return "\(stamp) \(describe(event))"
    }

    static func describe(_ event: TraceEvent) -> String {
        switch event {
        case .deliver(let m): return "deliver \(describe(m))"
        case .drop(let m, let reason): return "drop (\(reason)) \(describe(m))"
        case .crash(let node): return "CRASH n\(node)"
        case .restart(let node): return "RESTART n\(node)"
        case .network(let text): return "NET \(text)"
        case .role(let node, let role, let term, let leader):
            return "n\(node) is \(role.rawValue) in term \(term)" + (leader != noNode ? " (leader n\(leader))" : "")
        case .propose(let node, let proposal, let index, let term):
            return "n\(node) proposed p\(proposal) at \(index)/t\(term)"
        case .acknowledged(let proposal, let index): return "ack p\(proposal) at \(index)"
        case .read(let node, let request, let outcome): return "n\(node) read r\(request): \(outcome)"
        case .violation(let text): return "VIOLATION \(text)"
        }
    }

    static func describe(_ m: Message) -> String {
        let head = "n\(m.from)->n\(m.to) t\(m.term)"
        switch m.body {
        case .append(let a):
            let range = a.entries.isEmpty ? "none" : "\(a.entries.first!.index)...\(a.entries.last!.index)"
            return "\(head) append prev=\(a.prevIndex)/t\(a.prevTerm) entries=\(range) commit=\(a.commit)"
        case .appendResponse(let r):
            return r.rejected
                ? "\(head) append-reject at=\(r.index) hint=\(r.hintIndex)/t\(r.hintTerm)"
                : "\(head) append-ok match=\(r.index)"
        case .heartbeat(let commit, let round): return "\(head) heartbeat commit=\(commit) round=\(round)"
        case .heartbeatResponse(let round): return "\(head) heartbeat-ok round=\(round)"
        case .vote(let v):
            return "\(head) \(v.prevote ? "prevote" : "vote")-request last=\(v.lastIndex)/t\(v.lastTerm)\(v.leadershipTransfer ? " transfer" : "")"
        case .voteResponse(let prevote, let granted):
            return "\(head) \(prevote ? "prevote" : "vote") \(granted ? "granted" : "refused")"
        case .snapshot(let s): return "\(head) snapshot index=\(s.index)/t\(s.term)"
        case .timeoutNow: return "\(head) timeout-now"
        case .readIndexRequest(let id): return "\(head) read-index-request r\(id)"
        case .readIndexResponse(let id, let index): return "\(head) read-index-response r\(id) index=\(index.map(String.init) ?? "refused")"
        }
    }
}
