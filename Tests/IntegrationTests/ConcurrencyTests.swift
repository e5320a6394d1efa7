import Foundation
import GRPCCore
import Linearizability
import RaftProto
import XCTest

/// 16 clients mix put, get and cas on 10 keys for 20 s while the leader is killed and restarted;
/// the recorded history must be linearizable.
final class ConcurrencyTests: XCTestCase {
    typealias HistoryOperation = Linearizability.Operation

    /// A thread-safe list of recorded operations.
    final class History: @unchecked Sendable {
        private let lock = NSLock()
        private var operations: [HistoryOperation] = []
        func append(_ operation: HistoryOperation) { lock.withLock { operations.append(operation) } }
        var all: [HistoryOperation] { lock.withLock { operations } }
    }

    func testConcurrentClientsWithLeaderKillsAreLinearizable() async throws {
        let cluster = try ProcessCluster(nodes: 5)
        defer { cluster.tearDown() }
        try cluster.startAll()
        let client = try ClusterClient(cluster: cluster)
        defer { client.close() }
        _ = try await client.awaitLeader(timeout: .seconds(15))

        let history = History()
        let start = ContinuousClock.now
        let duration = Duration.seconds(20)
        let keys = (0..<10).map { "key-\($0)" }
        let clientBase = UInt64.random(in: 1...(UInt64.max / 2))
        var kills = 0

        try await withThrowingTaskGroup(of: Int.self) { group in
            for process in 0..<16 {
                group.addTask {
                    try await Self.runClient(process, client: client, keys: keys, clientID: clientBase + UInt64(process),
                                             history: history, until: start + duration)
                    return 0
                }
            }
            group.addTask {
                var killed = 0
                while ContinuousClock.now < start + duration - .seconds(3) {
                    try await Task.sleep(for: .seconds(4))
                    guard let leader = try? await client.awaitLeader(timeout: .seconds(5)) else { continue }
                    cluster.kill(leader)
                    killed += 1
                    try await Task.sleep(for: .seconds(1))
                    try cluster.start(leader)
                }
                return killed
            }
            for try await result in group { kills += result }
        }

        let operations = history.all
        let acknowledged = operations.filter { if case .ok = $0.outcome { return true } else { return false } }
        XCTAssertGreaterThanOrEqual(kills, 3, "the leader should have been killed several times")
        XCTAssertGreaterThan(acknowledged.count, 200, "too few operations succeeded for a meaningful check")
        let result = try LinearizabilityChecker().check(operations)
        XCTAssertTrue(result.isLinearizable, "\(result.description)\nnode 1 log:\n\(cluster.logTail("node-1.log"))")
        print("concurrency: \(operations.count) operations (\(acknowledged.count) acknowledged), \(kills) leader kills, verdict: \(result.verdict)")
    }

    private static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    private static func runClient(_ process: Int, client: ClusterClient, keys: [String], clientID: UInt64,
                                  history: History, until deadline: ContinuousClock.Instant) async throws {
        var sequence: UInt64 = 0
        var written = 0
        while ContinuousClock.now < deadline {
            let key = keys.randomElement()!
            let choice = Int.random(in: 0..<10)
            let invoked = now()
            if choice < 4 {
                do {
                    let value = try await client.get(key)
                    history.append(HistoryOperation(process: process, key: Bytes(key), kind: .get, invokedAt: invoked,
                                                    completedAt: now(), outcome: .ok(.value(value.map { Bytes($0) }))))
                } catch {
                    // A failed read has no effect.
                }
                continue
            }
            sequence += 1
            written += 1
            let value = "c\(process)-\(written)"
            if choice < 8 {
                var request = Raftkv_V1_PutRequest()
                request.key = Data(key.utf8)
                request.value = Data(value.utf8)
                request.client.clientID = clientID
                request.client.sequence = sequence
                let outcome: HistoryOperation.Outcome
                do {
                    _ = try await client.withLeader(timeout: .seconds(3)) { kv, options in try await kv.put(request, options: options) }
                    outcome = .ok(.done)
                } catch {
                    outcome = .info
                }
                history.append(HistoryOperation(process: process, key: Bytes(key), kind: .put(Bytes(value)), invokedAt: invoked,
                                                completedAt: outcome == .info ? nil : now(), outcome: outcome))
            } else {
                let expected: String? = Bool.random() ? nil : "c\(Int.random(in: 0..<16))-\(Int.random(in: 1...max(written, 1)))"
                var request = Raftkv_V1_CompareAndSwapRequest()
                request.key = Data(key.utf8)
                if let expected { request.expectedValue = Data(expected.utf8) } else { request.expectedAbsent = true }
                request.newValue = Data(value.utf8)
                request.client.clientID = clientID
                request.client.sequence = sequence
                let outcome: HistoryOperation.Outcome
                do {
                    let response = try await client.withLeader(timeout: .seconds(3)) { kv, options in
                        try await kv.compareAndSwap(request, options: options)
                    }
                    outcome = .ok(.swapped(response.succeeded))
                } catch {
                    outcome = .info
                }
                history.append(HistoryOperation(process: process, key: Bytes(key),
                                                kind: .cas(expected: expected.map { Bytes($0) }, new: Bytes(value)),
                                                invokedAt: invoked, completedAt: outcome == .info ? nil : now(), outcome: outcome))
            }
        }
    }
}
