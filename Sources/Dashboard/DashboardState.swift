/// The whole dashboard: the live cluster, the event log and the UI state. The curses layer owns
/// one, feeds it keys, network updates and command outcomes, and renders it.
public struct DashboardState: Sendable, Equatable {
    public var cluster: ClusterState
    public var events = EventLog()
    public var ui: UIState

    public init(cluster: ClusterState) {
        self.cluster = cluster
        ui = UIState(selectedNode: cluster.nodeIDs.first ?? 1)
    }

    /// The cluster as displayed: the frozen copy while frozen, else the live one.
    public var displayed: ClusterState { ui.frozen ?? cluster }

    /// Applies a network update to the live cluster and logs what it caused.
    public mutating func apply(_ feed: NodeFeed, node: Int, at now: Moment) {
        events.append(cluster.apply(feed, node: node, at: now))
    }

    /// Commands the network side is asked to run; logged when issued and when they finish.
    public mutating func issue(_ command: DashboardCommand, at now: Moment) {
        events.append([Event(time: now.timeOfDay, kind: command.isFault ? .fault : .command, text: "\(command.summary) ...")])
        ui.lastResult = StatusLine("\(command.summary) ...")
    }

    public mutating func record(_ outcome: CommandOutcome, at now: Moment) {
        let text = "\(outcome.command.summary): \(outcome.detail)"
        let kind: EventKind = !outcome.succeeded ? .error : outcome.command == .heal || outcome.command.isRestore ? .heal
            : outcome.command.isFault ? .fault : .command
        events.append([Event(time: now.timeOfDay, kind: kind, text: text)])
        ui.lastResult = StatusLine(text, isError: !outcome.succeeded)
    }

    /// Shows a problem the dashboard found itself (a bad command line, no leader to kill).
    public mutating func complain(_ text: String, at now: Moment) {
        events.append([Event(time: now.timeOfDay, kind: .error, text: text)])
        ui.lastResult = StatusLine(text, isError: true)
    }
}

extension DashboardCommand {
    /// Undoes a fault: start and resume.
    var isRestore: Bool {
        switch self {
        case .start, .resume: true
        default: false
        }
    }
}
