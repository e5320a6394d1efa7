/// What the network side learns about one node; the only way cluster state changes.
public enum NodeFeed: Sendable, Equatable {
    /// The node's WatchStatus stream delivered a status.
    case status(NodeStatus)
    /// The node could not be reached or its stream broke; the reason, for the panel.
    case failed(String)
    /// The Supervisor's process states (`raftd cluster` only), by node id.
    case processes([Int: ProcessState])
}

/// A node process as `raftd cluster` reports it.
public enum ProcessState: String, Sendable, Equatable {
    case running, stopped, paused
}
