import GRPCCore
import Linearizability
import Synchronization

/// Where a client sends its requests.
public enum ClientRoute: Sendable, Equatable {
    /// Through the gateway, which finds the leader and retries within the deadline.
    case gateway
    /// Straight to the nodes: to the last known leader, following not-leader hints.
    case direct
}

/// The node direct clients try first, shared by them and updated from not-leader hints.
final class LeaderGuess: Sendable {
    private let node: Mutex<Int>
    private let nodes: [Int]

    init(nodes: [Int]) {
        self.nodes = nodes
        node = Mutex(nodes[0])
    }

    var current: Int { node.withLock { $0 } }

    /// Moves to `hint`, or to the next node when there is none.
    func update(after tried: Int, hint: Int?) {
        node.withLock { guess in
            if let hint, nodes.contains(hint) { guess = hint; return }
            guard guess == tried, let position = nodes.firstIndex(of: tried) else { return }
            guess = nodes[(position + 1) % nodes.count]
        }
    }
}

/// One client of a schedule: issues operations back to back until told to stop and records each.
/// After an indeterminate operation it continues as a new process (Jepsen's convention: the old
/// one may still have a request in flight), with a fresh client session.
struct ChaosClient: Sendable {
    let index: Int
    let clientCount: Int
    let route: ClientRoute
    let connections: ClusterConnections
    let leader: LeaderGuess
    let recorder: HistoryRecorder
    let clock: RunClock
    let sessionBase: UInt64
    let timeout: Duration
    var generator: OperationGenerator

    private(set) var generation = 0
    private(set) var sequence: UInt64 = 0

    var process: Int { index + clientCount * generation }

    mutating func run(until stop: @Sendable () -> Bool) async {
        while !stop() {
            let (key, kind) = generator.next()
            let entry = await perform(kind, key: key)
            recorder.record(entry)
            switch entry.operation.outcome {
            case .ok: continue
            case .info:
                generation += 1
                sequence = 0
            case .fail: break
            }
            // Errors can come back at once (no connection): pause so a client does not spin.
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    private mutating func perform(_ kind: Linearizability.Operation.Kind, key: Bytes) async -> HistoryEntry {
        sequence += 1
        let session = KVRequests.Session(clientID: sessionBase + UInt64(process), sequence: sequence)
        let invoked = clock.now
        let options = ClusterConnections.options(timeout: timeout)
        var via = "gateway"
        var lastError = ""
        var outcome = Linearizability.Operation.Outcome.fail
        // Definite rejections (not the leader, no connection) may be retried on another node.
        for _ in 0..<(route == .gateway ? 1 : 3) {
            let target = leader.current
            let kv = route == .gateway ? connections.gateway : connections.kv(target)
            if route == .direct { via = "node-\(target)" }
            do {
                let answer = try await KVRequests.perform(kind, key: key, session: session, on: kv, options: options)
                if let seen = answer.seen { generator.observe(key, value: seen) }
                let operation = Linearizability.Operation(process: process, key: key, kind: kind, invokedAt: invoked,
                                                          completedAt: clock.now, outcome: .ok(answer.response))
                return HistoryEntry(operation: operation, via: via)
            } catch {
                lastError = String(describing: error)
                switch ErrorClassification.classify(error, viaGateway: route == .gateway) {
                case .definite(let hint):
                    if route == .direct { leader.update(after: target, hint: hint) }
                    outcome = .fail
                    continue
                case .indeterminate:
                    if route == .direct { leader.update(after: target, hint: nil) }
                    outcome = .info
                }
                break
            }
        }
        let completed: UInt64? = outcome == .info ? nil : clock.now
        let operation = Linearizability.Operation(process: process, key: key, kind: kind, invokedAt: invoked,
                                                  completedAt: completed, outcome: outcome)
        return HistoryEntry(operation: operation, via: via, error: lastError)
    }
}
