/// What the person at the terminal has chosen: selection, scrolling, open overlays, the command
/// line, the filter, freeze and refresh rate, and the last result shown in the status bar.
public struct UIState: Sendable, Equatable {
    /// What keys currently go to.
    public enum Mode: Sendable, Equatable {
        case normal
        case commandLine(LineEditor)
        case filterLine(LineEditor)
        case help
        /// The entry at `index` in node `node`'s log strip, shown in a box.
        case entryDetail(node: Int, index: UInt64)
    }

    public var mode: Mode = .normal
    public var selectedNode: Int
    /// The log-strip column picked with the arrows; nil follows the newest entries.
    public var logCursor: UInt64?
    /// Event-log lines scrolled up from the newest.
    public var eventScroll = 0
    public var eventFilter = ""
    /// The cluster as it was when the display was frozen (space); nil when live.
    public var frozen: ClusterState?
    public var refreshIndex = 1
    /// The partition preset `p` applies next.
    public var nextPreset = PartitionPreset.isolateLeader
    /// The value the next quick put (`c`) writes.
    public var quickPutCounter = 1
    public var history = CommandHistory()
    public var lastResult: StatusLine?
    public var quitRequested = false

    /// Redraw intervals `+` and `-` step through.
    public static let refreshSteps: [Duration] = [.milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2)]

    public var refreshInterval: Duration { Self.refreshSteps[refreshIndex] }

    public init(selectedNode: Int) { self.selectedNode = selectedNode }
}

/// The last action's result, for the status bar.
public struct StatusLine: Sendable, Equatable {
    public var text: String
    public var isError: Bool

    public init(_ text: String, isError: Bool = false) {
        self.text = text
        self.isError = isError
    }
}
