import RaftEngine

/// Client operations: proposals and ReadIndex reads, with their outcomes tracked for the checks.
extension Simulation {
    /// Proposes one command on `target` (default: the current leader). Returns the proposal id, or
    /// nil when that node refused (not leader, transfer in progress, or down).
    @discardableResult
    public func propose(on target: NodeID? = nil) -> UInt64? {
        guard let id = target ?? leader else { return nil }
        let node = node(id)
        guard node.isUp else { return nil }
        let proposal = nextProposalID
        do {
            let receipt = try node.engine!.propose([SimulatedNode.command(for: proposal)])
            nextProposalID += 1
            node.pendingProposals[receipt.firstIndex] = (proposal, receipt.term)
            process(Int(id) - 1)
            return proposal
        } catch {
            return nil
        }
    }

    /// Whether the proposal was applied and acknowledged to its client.
    public func isAcknowledged(_ proposal: UInt64) -> Bool {
        acknowledgedProposals.contains { $0.proposal == proposal }
    }

    /// Starts a ReadIndex read on `target`; its answer is checked against acknowledged writes.
    @discardableResult
    public func read(on target: NodeID) -> UInt64? {
        let node = node(target)
        guard node.isUp else { return nil }
        let request = nextReadID
        nextReadID += 1
        node.pendingReads[request] = checker.highestAcknowledged
        node.engine!.readIndex(requestID: request)
        process(Int(target) - 1)
        return request
    }

    /// Asks the leader to hand leadership to `target`.
    public func transferLeadership(to target: NodeID) -> Bool {
        guard let current = leader else { return false }
        do {
            try node(current).engine!.transferLeadership(to: target)
        } catch {
            return false
        }
        process(Int(current) - 1)
        return true
    }

    /// True when every running node has applied every acknowledged proposal.
    public var allAcknowledgedAppliedEverywhere: Bool {
        let highest = acknowledgedProposals.map(\.index).max() ?? 0
        return nodes.allSatisfy { $0.isUp && $0.appliedIndex >= highest }
    }

    /// Runs until the running nodes agree on a leader that a quorum follows, within `milliseconds`.
    @discardableResult
    public func awaitStableLeader(withinMs milliseconds: UInt64) -> NodeID? {
        var found: NodeID?
        run(forMs: milliseconds) {
            guard let leader = self.leader, let term = self.status(of: leader)?.term else { return false }
            let followers = self.nodes.filter { $0.engine?.term == term && $0.engine?.leader == leader }
            if followers.count >= self.options.nodeCount / 2 + 1 {
                found = leader
                return true
            }
            return false
        }
        return found
    }
}
