import Foundation
import GRPCCore
import RaftEngine
import RaftProto

/// Status for operators and the dashboard, leadership transfer, and fault injection (refused
/// with PERMISSION_DENIED unless `fault_injection` is enabled).
struct ControlService: Raftkv_V1_Control.SimpleServiceProtocol {
    let node: NodeHost

    func status(request: Raftkv_V1_StatusRequest, context: ServerContext) async throws -> Raftkv_V1_NodeStatus {
        NodeStatusMessage.make(await node.status())
    }

    func watchStatus(request: Raftkv_V1_WatchStatusRequest, response: RPCWriter<Raftkv_V1_NodeStatus>, context: ServerContext) async throws {
        let interval = Duration.milliseconds(max(50, Int(request.minIntervalMs)))
        var last = NodeStatusMessage.make(await node.status())
        try await response.write(last)
        let clock = ContinuousClock()
        var lastSent = clock.now
        for await _ in await node.statusChanges() {
            let wait = lastSent + interval - clock.now
            if wait > .zero { try await Task.sleep(for: wait) }
            let current = NodeStatusMessage.make(await node.status())
            if current != last {
                try await response.write(current)
                last = current
                lastSent = clock.now
            }
        }
    }

    func transferLeader(request: Raftkv_V1_TransferLeaderRequest, context: ServerContext) async throws -> Raftkv_V1_TransferLeaderResponse {
        try await mapNodeErrors(node.options.peers) { try await node.transferLeadership(to: request.target) }
        return Raftkv_V1_TransferLeaderResponse()
    }

    private func requireFaultInjection() throws {
        guard node.options.faultInjection else {
            throw RPCError(code: .permissionDenied, message: "fault injection is disabled; set fault_injection = true in config.ini to allow it")
        }
    }

    func partition(request: Raftkv_V1_PartitionRequest, context: ServerContext) async throws -> Raftkv_V1_PartitionResponse {
        try requireFaultInjection()
        await node.partition(from: request.peers)
        return Raftkv_V1_PartitionResponse()
    }

    func degradeLinks(request: Raftkv_V1_DegradeLinksRequest, context: ServerContext) async throws -> Raftkv_V1_DegradeLinksResponse {
        try requireFaultInjection()
        guard request.lossPercent <= 100 else {
            throw RPCError(code: .invalidArgument, message: "loss_percent is \(request.lossPercent); it is a percentage, 0 to 100")
        }
        guard request.delayMs <= 10_000, request.jitterMs <= 10_000 else {
            throw RPCError(code: .invalidArgument, message: "delay_ms and jitter_ms must be at most 10000 (10 s); they are \(request.delayMs) and \(request.jitterMs)")
        }
        await node.degradeLinks(LinkDegradation(
            delay: .milliseconds(Int(request.delayMs)), jitter: .milliseconds(Int(request.jitterMs)), lossPercent: Int(request.lossPercent)))
        return Raftkv_V1_DegradeLinksResponse()
    }

    func heal(request: Raftkv_V1_HealRequest, context: ServerContext) async throws -> Raftkv_V1_HealResponse {
        try requireFaultInjection()
        await node.heal()
        return Raftkv_V1_HealResponse()
    }

    func kill(request: Raftkv_V1_KillRequest, context: ServerContext) async throws -> Raftkv_V1_KillResponse {
        try requireFaultInjection()
        // Like SIGKILL: nothing beyond what is already fsynced survives.
        Foundation.kill(getpid(), SIGKILL)
        return Raftkv_V1_KillResponse()
    }
}

/// Builds the wire form of a node's status.
enum NodeStatusMessage {
    static func make(_ snapshot: NodeStatusSnapshot) -> Raftkv_V1_NodeStatus {
        let raft = snapshot.raft
        var status = Raftkv_V1_NodeStatus()
        status.id = raft.id
        status.address = snapshot.address
        status.role = raft.role.rawValue
        status.term = raft.term
        status.vote = raft.vote
        status.leader = raft.leader
        status.lastIndex = raft.lastIndex
        status.lastTerm = raft.lastTerm
        status.commitIndex = raft.commitIndex
        status.appliedIndex = snapshot.appliedIndex
        status.snapshotIndex = raft.snapshotIndex
        status.peers = raft.followers.map { follower in
            var peer = Raftkv_V1_PeerProgress()
            peer.id = follower.id
            peer.matchIndex = follower.progress.match
            peer.nextIndex = follower.progress.next
            peer.state = follower.progress.state.rawValue
            return peer
        }
        status.electionElapsedTicks = UInt32(clamping: raft.electionElapsed)
        status.electionTimeoutTicks = UInt32(clamping: raft.electionTimeout)
        status.tickMs = UInt32(clamping: snapshot.tickMs)
        status.recentEntries = snapshot.recentEntries.map { entry in
            var summary = Raftkv_V1_LogEntrySummary()
            summary.index = entry.index
            summary.term = entry.term
            summary.description_p = entry.summary
            return summary
        }
        status.partitionedFrom = snapshot.partitionedFrom
        status.storageError = snapshot.storageError ?? ""
        return status
    }
}
