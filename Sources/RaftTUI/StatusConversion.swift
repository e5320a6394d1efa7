import Dashboard
import RaftProto

extension NodeStatus {
    /// The dashboard's copy of a Control.NodeStatus message.
    init(_ message: Raftkv_V1_NodeStatus) {
        self.init(
            id: Int(message.id), address: message.address, role: Role(reported: message.role) ?? .follower,
            term: message.term, vote: Int(message.vote), leader: Int(message.leader),
            lastIndex: message.lastIndex, lastTerm: message.lastTerm, commitIndex: message.commitIndex,
            appliedIndex: message.appliedIndex, snapshotIndex: message.snapshotIndex,
            peers: message.peers.map { PeerProgress(id: Int($0.id), matchIndex: $0.matchIndex, nextIndex: $0.nextIndex, state: $0.state) },
            electionElapsedTicks: Int(message.electionElapsedTicks), electionTimeoutTicks: Int(message.electionTimeoutTicks),
            recentEntries: message.recentEntries.map { LogEntry(index: $0.index, term: $0.term, description: $0.description_p) },
            partitionedFrom: message.partitionedFrom.map { Int($0) }, votesReceived: message.votesReceived.map { Int($0) },
            storageError: message.storageError)
    }
}
