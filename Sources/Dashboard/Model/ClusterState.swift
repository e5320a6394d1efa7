/// The cluster as the dashboard sees it: one view per node, in id order.
public struct ClusterState: Sendable, Equatable {
    public var nodes: [NodeView]

    /// Nodes from config.ini: (id, address).
    public init(nodes: [(id: Int, address: String)]) {
        self.nodes = nodes.map { NodeView(id: $0.id, address: $0.address) }
    }

    public var nodeIDs: [Int] { nodes.map(\.id) }
    public var majority: Int { nodes.count / 2 + 1 }

    public func node(_ id: Int) -> NodeView? { nodes.first { $0.id == id } }

    /// Applies one update from the network side and returns the events it caused.
    public mutating func apply(_ feed: NodeFeed, node id: Int, at now: Moment) -> [Event] {
        let before = ClusterSummary(self, at: now.sinceStart)
        var events: [Event] = []
        switch feed {
        case .processes(let states):
            for index in nodes.indices { nodes[index].process = states[nodes[index].id] }
        case .status(let status):
            guard let index = nodes.firstIndex(where: { $0.id == id }) else { return [] }
            let old = nodes[index]
            if case .unreachable = old.reachability {
                events.append(Event(time: now.timeOfDay, kind: .node, text: "node \(id) answers again (term \(status.term))"))
            }
            events += Self.roleEvents(node: id, from: old.status, to: status, time: now.timeOfDay)
            nodes[index].status = status
            nodes[index].reachability = .live
            nodes[index].lastUpdate = now.sinceStart
            if !status.address.isEmpty { nodes[index].address = status.address }
        case .failed(let reason):
            guard let index = nodes.firstIndex(where: { $0.id == id }) else { return [] }
            switch nodes[index].reachability {
            case .unreachable(let since, _):
                nodes[index].reachability = .unreachable(since: since, error: reason)
            case .live, .connecting:
                nodes[index].reachability = .unreachable(since: now.sinceStart, error: reason)
                events.append(Event(time: now.timeOfDay, kind: .node, text: "node \(id) does not answer: \(reason)"))
            }
        }
        let after = ClusterSummary(self, at: now.sinceStart)
        events += Self.clusterEvents(from: before, to: after, time: now.timeOfDay)
        return events
    }

    private static func roleEvents(node id: Int, from old: NodeStatus?, to new: NodeStatus, time: String) -> [Event] {
        var events: [Event] = []
        if new.role == .candidate, old?.role != .candidate || old?.term != new.term {
            events.append(Event(time: time, kind: .election, text: "node \(id) starts an election for term \(new.term)"))
        }
        if old?.role == .leader, new.role != .leader {
            events.append(Event(time: time, kind: .leader, text: "node \(id) steps down (term \(new.term))"))
        }
        if new.storageError != (old?.storageError ?? ""), !new.storageError.isEmpty {
            events.append(Event(time: time, kind: .error, text: "node \(id) storage failure: \(new.storageError)"))
        }
        return events
    }

    private static func clusterEvents(from before: ClusterSummary, to after: ClusterSummary, time: String) -> [Event] {
        var events: [Event] = []
        if after.term > before.term, before.term > 0 {
            events.append(Event(time: time, kind: .term, text: "term \(after.term) begins"))
        }
        if after.leader != before.leader {
            if let leader = after.leader, let term = after.leaderTerm {
                let votes = after.leaderVotes.map { " with votes from " + $0.map(String.init).joined(separator: ",") } ?? ""
                events.append(Event(time: time, kind: .leader, text: "node \(leader) is leader for term \(term)\(votes)"))
            } else if let previous = before.leader, let term = before.leaderTerm {
                events.append(Event(time: time, kind: .leader, text: "no leader (node \(previous) was leader for term \(term))"))
            }
        }
        if before.quorumOK, !after.quorumOK, let leader = after.leader {
            events.append(Event(time: time, kind: .fault, text: "quorum lost: leader \(leader) cannot reach a majority"))
        }
        return events
    }
}
