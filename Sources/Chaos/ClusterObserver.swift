import RaftProto

/// Asks every node for its status over the Control API to find the leader, and applies and heals
/// Control-API partitions.
public struct ClusterObserver: Sendable {
    let connections: ClusterConnections

    public init(connections: ClusterConnections) { self.connections = connections }

    /// The status of every node that answers within 500 ms.
    public func statuses() async -> [Int: Raftkv_V1_NodeStatus] {
        await withTaskGroup(of: (Int, Raftkv_V1_NodeStatus?).self) { group in
            for id in connections.nodeIDs {
                group.addTask {
                    let status = try? await connections.control(id).status(
                        Raftkv_V1_StatusRequest(), options: ClusterConnections.options(timeout: .milliseconds(500)))
                    return (id, status)
                }
            }
            var result: [Int: Raftkv_V1_NodeStatus] = [:]
            for await (id, status) in group { if let status { result[id] = status } }
            return result
        }
    }

    /// The node that reports itself leader in the highest term, if any answers.
    public func leader() async -> Int? {
        let leaders = await statuses().values.filter { $0.role == "leader" }
        return leaders.max { $0.term < $1.term }.map { Int($0.id) }
    }

    /// Waits until a leader is acknowledged by a majority; `nil` when `timeout` passes first.
    public func awaitStableLeader(timeout: Duration) async -> Int? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let statuses = await statuses()
            if let leader = statuses.values.filter({ $0.role == "leader" }).max(by: { $0.term < $1.term }) {
                let followers = statuses.values.filter { $0.term == leader.term && $0.leader == leader.id }
                if followers.count > connections.nodeIDs.count / 2 { return Int(leader.id) }
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return nil
    }

    /// Tells every node, all at once, which peers to drop; throws when a node cannot be told.
    public func partition(_ cuts: PartitionCuts) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (node, peers) in cuts.cuts where !peers.isEmpty {
                var request = Raftkv_V1_PartitionRequest()
                request.peers = peers.sorted().map(UInt64.init)
                group.addTask {
                    _ = try await connections.control(node).partition(request, options: ClusterConnections.options(timeout: .seconds(5)))
                }
            }
            try await group.waitForAll()
        }
    }

    /// Degrades the outgoing links of `nodes`, all at once.
    public func degradeLinks(_ nodes: [Int], _ faults: LinkFaults) async throws {
        var degrade = Raftkv_V1_DegradeLinksRequest()
        degrade.delayMs = UInt32(faults.delayMs)
        degrade.jitterMs = UInt32(faults.jitterMs)
        degrade.lossPercent = UInt32(faults.lossPercent)
        let request = degrade
        try await withThrowingTaskGroup(of: Void.self) { group in
            for node in nodes {
                group.addTask {
                    _ = try await connections.control(node).degradeLinks(request, options: ClusterConnections.options(timeout: .seconds(5)))
                }
            }
            try await group.waitForAll()
        }
    }

    /// Heals every node at once, retrying a node that does not answer (a loaded machine can delay
    /// a call by seconds) for up to 15 s; returns the nodes that never confirmed.
    @discardableResult
    public func healAll() async -> [Int] {
        let deadline = ContinuousClock.now + .seconds(15)
        return await withTaskGroup(of: Int?.self) { group in
            for node in connections.nodeIDs {
                group.addTask {
                    while ContinuousClock.now < deadline {
                        let options = ClusterConnections.options(timeout: .seconds(5))
                        if (try? await connections.control(node).heal(Raftkv_V1_HealRequest(), options: options)) != nil { return nil }
                        try? await Task.sleep(for: .milliseconds(200))
                    }
                    return node
                }
            }
            var unreachable: [Int] = []
            for await node in group { if let node { unreachable.append(node) } }
            return unreachable.sorted()
        }
    }
}
