import Foundation
import Linearizability

/// Runs one schedule end to end: a fresh cluster in the schedule's artifact directory, clients
/// and nemesis for the schedule's duration, then heal, final reads, checking and artifacts.
public struct ScheduleRunner: Sendable {
    /// The cluster did not come up, so nothing was tested.
    public struct SetupFailure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Nodes per cluster: the fault shapes (majority kills, bridges, rings) are written for five.
    static let nodeCount = 5

    let options: SuiteOptions

    public init(options: SuiteOptions) { self.options = options }

    /// The keys clients use: `k00`...
    var keys: [Bytes] { (0..<options.keys).map { Bytes(String(format: "k%02d", $0)) } }

    public func run(index: Int, directory: URL) async throws -> ScheduleSummary {
        let schedule = options.schedule(index)
        let network = schedule.kind.needsNetworkNamespaces ? try NamespaceNetwork(nodeIDs: Array(1...Self.nodeCount)) : nil
        defer { network?.tearDown() }
        let cluster = try LocalCluster(directory: directory, raftd: options.raftd, nodeCount: Self.nodeCount, network: network)
        InterruptCleanup.register(cluster)
        defer {
            cluster.stopAll()
            InterruptCleanup.unregister(cluster)
        }
        let artifacts = ArtifactWriter(directory: directory)
        try artifacts.writeSchedule(schedule, index: index)
        try cluster.startAll()
        let connections = try ClusterConnections(cluster: cluster)
        let observer = ClusterObserver(connections: connections)
        guard await observer.awaitStableLeader(timeout: .seconds(30)) != nil, await gatewayAnswers(connections, within: .seconds(30)) else {
            await connections.close()
            throw SetupFailure(description: "no leader answering through the gateway within 30 s of starting the cluster; see \(directory.path)/logs/")
        }

        let clock = RunClock()
        let recorder = HistoryRecorder()
        let timeline = FaultTimeline()
        await runWorkload(schedule: schedule, cluster: cluster, connections: connections, observer: observer,
                          clock: clock, recorder: recorder, timeline: timeline)
        let endOfFaults = clock.now
        await recover(cluster: cluster, observer: observer, timeline: timeline, clock: clock)
        let finals = await finalReads(connections: connections, clock: clock)
        await connections.close()
        cluster.stopAll()

        let history = recorder.all
        let checked = history.map(\.operation) + finals.entries.map(\.operation)
        let start = Date()
        let result = try LinearizabilityChecker().check(checked)
        let checkSeconds = Date().timeIntervalSince(start)
        let measured = ScheduleSummary.measure(history: history, windows: timeline.faultWindows(end: endOfFaults))
        let summary = ScheduleSummary(
            index: index, seed: schedule.seed, nemesis: schedule.kind, faults: schedule.slots.count,
            ok: measured.ok, fail: measured.fail, info: measured.info, availability: measured.availability,
            latencyP50Ms: measured.p50, latencyP99Ms: measured.p99, verdict: result.verdict,
            checkerReport: result.description,
            lostWrites: LostWrites.count(history: history.map(\.operation), finalValues: finals.values),
            unreadableKeys: finals.unreadable.map(\.description), checkSeconds: checkSeconds)
        try artifacts.writeResults(history: history + finals.entries, timeline: timeline.all, summary: summary,
                                   rerun: options.rerunCommand(index, executable: "raft-chaos"))
        return summary
    }

    private func runWorkload(schedule: Schedule, cluster: LocalCluster, connections: ClusterConnections,
                             observer: ClusterObserver, clock: RunClock, recorder: HistoryRecorder,
                             timeline: FaultTimeline) async {
        let end = UInt64(schedule.duration.components.seconds) * 1_000_000_000
        let leader = LeaderGuess(nodes: cluster.nodeIDs)
        let sessionBase = UInt64.random(in: 1...(UInt64.max / 2))
        let keys = keys
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<options.clients {
                let client = ChaosClient(
                    index: index, clientCount: options.clients, route: index.isMultiple(of: 2) ? .gateway : .direct,
                    connections: connections, leader: leader, recorder: recorder, clock: clock,
                    sessionBase: sessionBase, timeout: options.requestTimeout,
                    generator: OperationGenerator(client: index, keys: keys, seed: schedule.seed))
                group.addTask {
                    var running = client
                    await running.run(until: { clock.now >= end })
                }
            }
            group.addTask {
                await Nemesis(schedule: schedule, cluster: cluster, observer: observer, timeline: timeline, clock: clock).run()
            }
        }
    }

    /// Undoes anything still broken (the nemesis heals its own faults; this catches nodes that
    /// exited by themselves), then waits for a leader.
    private func recover(cluster: LocalCluster, observer: ClusterObserver, timeline: FaultTimeline, clock: RunClock) async {
        func note(_ text: String) {
            timeline.record(FaultEvent(at: clock.now, phase: .note, description: text, majorityAffected: false))
        }
        for node in cluster.pausedNodes { cluster.resume(node) }
        for node in cluster.stoppedNodes {
            note("node \(node) was not running after the schedule; restarting it")
            do { try cluster.start(node) } catch { note("restart of node \(node) failed: \(error)") }
        }
        for problem in cluster.network?.healAll() ?? [] { note("network heal failed: \(problem)") }
        let unhealed = await observer.healAll()
        note(unhealed.isEmpty ? "final heal of every node" : "final heal did not reach nodes \(unhealed)")
        if await observer.awaitStableLeader(timeout: .seconds(15)) == nil {
            note("no stable leader within 15 s after the final heal")
        }
    }

    /// Whether a read through the gateway succeeds within `timeout` (the gateway starts listening
    /// and finds the leader on its own schedule).
    private func gatewayAnswers(_ connections: ClusterConnections, within timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let probe = try? await KVRequests.perform(.get, key: keys[0], session: KVRequests.Session(clientID: 0, sequence: 0),
                                                      on: connections.gateway, options: ClusterConnections.options(timeout: .seconds(2)))
            if probe != nil { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    /// Reads every key through the gateway, retrying until each answers or 10 s pass.
    private func finalReads(connections: ClusterConnections, clock: RunClock) async
        -> (entries: [HistoryEntry], values: [Bytes: Bytes?], unreadable: [Bytes]) {
        let deadline = ContinuousClock.now + .seconds(10)
        var entries: [HistoryEntry] = []
        var values: [Bytes: Bytes?] = [:]
        var unreadable: [Bytes] = []
        for key in keys {
            var done = false
            while !done && ContinuousClock.now < deadline {
                let invoked = clock.now
                let session = KVRequests.Session(clientID: 0, sequence: 0)
                if let answer = try? await KVRequests.perform(.get, key: key, session: session, on: connections.gateway,
                                                              options: ClusterConnections.options(timeout: .seconds(2))),
                   case .value(let value) = answer.response {
                    let operation = Linearizability.Operation(process: -1, key: key, kind: .get, invokedAt: invoked,
                                                              completedAt: clock.now, outcome: .ok(answer.response))
                    entries.append(HistoryEntry(operation: operation, via: "final-read"))
                    values[key] = .some(value)
                    done = true
                } else {
                    try? await Task.sleep(for: .milliseconds(100))
                }
            }
            if !done { unreadable.append(key) }
        }
        return (entries, values, unreadable)
    }
}
