import RaftEngine

/// Fault injection: crashes, restarts and network partitions.
extension Simulation {
    /// Stops a node at once. Writes whose sync had not completed are lost, like after power loss.
    public func crash(_ id: NodeID) {
        let node = node(id)
        guard node.isUp else { return }
        node.engine = nil
        node.incarnation += 1
        node.commitAtCrash = node.lastCommit
        node.disk?.crash(tornBytes: Int.random(in: 0..<600, using: &random))
        node.pendingWrites.removeAll()
        node.pendingProposals.removeAll()
        node.pendingReads.removeAll()
        trace.record(now, .crash(node: id))
    }

    /// Whether the node has writes whose sync has not completed yet (a crash now would lose them).
    public func hasUnsyncedWrites(_ id: NodeID) -> Bool { !node(id).pendingWrites.isEmpty }

    /// Starts a crashed node again from what it had made durable.
    public func restart(_ id: NodeID) {
        let node = node(id)
        guard !node.isUp else { return }
        trace.record(now, .restart(node: id))
        restartFromDisk(Int(id) - 1)
    }

    /// Restarts a crashed node after `milliseconds` of virtual time.
    public func restart(_ id: NodeID, afterMs milliseconds: UInt64) {
        queue.schedule(at: now + milliseconds * 1000, .restart(node: Int(id) - 1))
    }

    /// Cuts every link between nodes of different groups (nodes in no group keep all their links).
    public func partition(_ groups: [[NodeID]]) {
        heal(trace: false)
        for (a, groupA) in groups.enumerated() {
            for (b, groupB) in groups.enumerated() where a != b {
                for x in groupA { for y in groupB { cut[Int(x) - 1][Int(y) - 1] = true } }
            }
        }
        trace.record(now, .network("partition \(groups.map { $0.map { "n\($0)" }.joined(separator: ",") }.joined(separator: " | "))"))
    }

    /// Cuts one node off from all others.
    public func isolate(_ id: NodeID) {
        partition([[id], nodeIDs.filter { $0 != id }])
    }

    /// Cuts the links `from -> to` only (asymmetric).
    public func cutLink(from: NodeID, to: NodeID) {
        cut[Int(from) - 1][Int(to) - 1] = true
        trace.record(now, .network("cut n\(from)->n\(to)"))
    }

    /// Cuts the links between the given pairs, both ways; every other link works.
    public func cutLinks(_ pairs: [(NodeID, NodeID)]) {
        heal(trace: false)
        for (a, b) in pairs {
            cut[Int(a) - 1][Int(b) - 1] = true
            cut[Int(b) - 1][Int(a) - 1] = true
        }
        trace.record(now, .network("cut \(pairs.map { "n\($0.0)-n\($0.1)" }.joined(separator: " "))"))
    }

    /// Two halves that can only talk through `bridge`.
    public func bridge(_ left: [NodeID], _ bridge: NodeID, _ right: [NodeID]) {
        cutLinks(left.flatMap { l in right.map { (l, $0) } })
        trace.record(now, .network("bridge via n\(bridge)"))
    }

    /// Each node reaches only its two ring neighbours, so every node sees a different majority.
    public func majoritiesRing() {
        let ids = nodeIDs
        var pairs: [(NodeID, NodeID)] = []
        for (i, a) in ids.enumerated() {
            for (j, b) in ids.enumerated() where j > i {
                let distance = min(j - i, ids.count - (j - i))
                if distance > 1 { pairs.append((a, b)) }
            }
        }
        cutLinks(pairs)
        trace.record(now, .network("majorities ring"))
    }

    /// Restores every link and (optionally) clears message loss, duplication and reordering.
    public func heal(clearingLossyNetwork: Bool = false) {
        heal(trace: true)
        if clearingLossyNetwork {
            dropRate = 0
            duplicateRate = 0
            longTailRate = 0
        }
    }

    func heal(trace shouldTrace: Bool) {
        for a in cut.indices { for b in cut[a].indices { cut[a][b] = false } }
        if shouldTrace { trace.record(now, .network("heal")) }
    }

    /// Sets the network's loss, duplication and long-tail reordering rates.
    public func setNetwork(dropRate: Double, duplicateRate: Double = 0, longTailRate: Double = 0) {
        self.dropRate = dropRate
        self.duplicateRate = duplicateRate
        self.longTailRate = longTailRate
    }
}
