import RaftClient

/// An action on the cluster, from the command line or a key. The network side carries it out and
/// reports a `CommandOutcome`.
public enum DashboardCommand: Sendable, Equatable {
    case put(key: String, value: String)
    case get(key: String)
    case delete(key: String)
    case compareAndSwap(key: String, expected: String, new: String)
    case kill(node: Int)
    case start(node: Int)
    case pause(node: Int)
    case resume(node: Int)
    case partition(PartitionSpec)
    case heal
    case transfer(node: Int)

    /// How the event log and status bar name it: "put demo=42", "kill node 3".
    public var summary: String {
        switch self {
        case .put(let key, let value): "put \(key)=\(value)"
        case .get(let key): "get \(key)"
        case .delete(let key): "del \(key)"
        case .compareAndSwap(let key, let expected, let new): "cas \(key) \(expected)->\(new)"
        case .kill(let node): "kill node \(node)"
        case .start(let node): "start node \(node)"
        case .pause(let node): "pause node \(node)"
        case .resume(let node): "resume node \(node)"
        case .partition(let spec): "partition " + spec.groups.map { $0.map(String.init).joined(separator: ",") }.joined(separator: "/")
        case .heal: "heal"
        case .transfer(let node): "transfer to node \(node)"
        }
    }

    /// Fault injection and process control, logged as faults rather than client commands.
    public var isFault: Bool {
        switch self {
        case .kill, .pause, .partition: true
        default: false
        }
    }
}

/// How a command ended, as the network side reports it.
public struct CommandOutcome: Sendable, Equatable {
    public var command: DashboardCommand
    public var succeeded: Bool
    /// "OK (index 43)", "node 3 stopped", or the error with its fix.
    public var detail: String

    public init(command: DashboardCommand, succeeded: Bool, detail: String) {
        self.command = command
        self.succeeded = succeeded
        self.detail = detail
    }
}
