import Dashboard

/// A five-node cluster in a known state: node 3 leads term 7 with nodes 1, 2 and 4 following
/// (node 4 two entries behind), node 5 was killed one and a half seconds ago.
enum Fixtures {
    static func moment(_ seconds: Double) -> Moment {
        let total = Int(seconds)
        return Moment(sinceStart: .milliseconds(Int64(seconds * 1000)), timeOfDay: "12:00:\(total < 10 ? "0" : "")\(total)")
    }

    static let nodes = (1...5).map { (id: $0, address: "127.0.0.1:\(9000 + $0)") }

    static func entries(upTo last: UInt64) -> [LogEntry] {
        (1...last).map { index in
            LogEntry(index: index, term: index <= 3 ? 1 : index <= 9 ? 4 : 7, description: index == 10 ? "no-op" : "put k\(index)=v\(index)")
        }
    }

    static func status(_ id: Int, role: Role = .follower, last: UInt64 = 14, commit: UInt64 = 13) -> NodeStatus {
        NodeStatus(
            id: id, address: "127.0.0.1:\(9000 + id)", role: role, term: 7, vote: 3, leader: 3,
            lastIndex: last, lastTerm: 7, commitIndex: commit, appliedIndex: commit, snapshotIndex: 0,
            peers: role == .leader ? [1, 2, 4, 5].map { PeerProgress(id: $0, matchIndex: $0 == 4 ? 12 : $0 == 5 ? 11 : 14, nextIndex: $0 == 4 ? 13 : $0 == 5 ? 12 : 15, state: $0 == 5 ? "probe" : "replicate") } : [],
            electionElapsedTicks: id * 3, electionTimeoutTicks: 20, recentEntries: entries(upTo: commit),
            votesReceived: role == .leader ? [2, 3, 4] : [])
    }

    /// The dashboard a few seconds in: a put committed, node 5 killed, nodes 1-4 reporting.
    static func dashboard() -> DashboardState {
        var state = DashboardState(cluster: ClusterState(nodes: nodes))
        state.apply(.status(status(5, last: 11, commit: 11)), node: 5, at: moment(1))
        reportHealthyNodes(into: &state, at: moment(1))
        state.issue(.put(key: "demo", value: "42"), at: moment(2))
        state.record(CommandOutcome(command: .put(key: "demo", value: "42"), succeeded: true, detail: "OK, committed at index 13"), at: moment(2))
        state.issue(.kill(node: 5), at: moment(3))
        state.record(CommandOutcome(command: .kill(node: 5), succeeded: true, detail: "node 5 is stopped"), at: moment(3))
        state.apply(.processes([1: .running, 2: .running, 3: .running, 4: .running, 5: .stopped]), node: 0, at: moment(3))
        state.apply(.failed("connection refused"), node: 5, at: moment(3))
        reportHealthyNodes(into: &state, at: moment(3))
        return state
    }

    private static func reportHealthyNodes(into state: inout DashboardState, at now: Moment) {
        for id in [1, 2, 4] {
            state.apply(.status(status(id, last: id == 4 ? 12 : 14, commit: id == 4 ? 12 : 13)), node: id, at: now)
        }
        state.apply(.status(status(3, role: .leader)), node: 3, at: now)
    }

    static let renderTime = moment(4.5)
}
