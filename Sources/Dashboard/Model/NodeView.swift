/// Everything the dashboard knows about one node: its last status, whether it answers now, and
/// its process state when a supervisor reports one.
public struct NodeView: Sendable, Equatable {
    public var id: Int
    public var address: String
    /// The last status received; kept (shown greyed) while the node does not answer.
    public var status: NodeStatus?
    public var reachability: Reachability
    /// When the last status arrived.
    public var lastUpdate: Duration?
    public var process: ProcessState?

    public init(id: Int, address: String) {
        self.id = id
        self.address = address
        reachability = .connecting
    }

    /// A status stream that has said nothing for this long counts as not answering: a paused
    /// (SIGSTOP) node keeps its connection open but stops talking. Live nodes report several
    /// times a second because their election timer moves.
    public static let silenceLimit: Duration = .seconds(2)

    /// Answering, with a status no older than `silenceLimit`, and not paused.
    public func isAnswering(at now: Duration) -> Bool {
        guard case .live = reachability, let lastUpdate, process != .paused, process != .stopped else { return false }
        return now - lastUpdate <= Self.silenceLimit
    }
}

/// Whether the dashboard currently hears from a node.
public enum Reachability: Sendable, Equatable {
    /// No answer yet since the dashboard started.
    case connecting
    case live
    /// Not answering since `since`; `error` is the last reason.
    case unreachable(since: Duration, error: String)
}
