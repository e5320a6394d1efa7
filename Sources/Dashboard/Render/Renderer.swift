/// Draws the dashboard: a pure function from (state, size, time, theme) to a grid of cells.
public struct Renderer {
    let state: DashboardState
    let cluster: ClusterState
    let summary: ClusterSummary
    let now: Moment
    let theme: Theme
    let layout: Layout
    var grid: Grid

    public static func render(_ state: DashboardState, width: Int, height: Int, at now: Moment, theme: Theme) -> Grid {
        var renderer = Renderer(state: state, width: width, height: height, now: now, theme: theme)
        renderer.drawAll()
        return renderer.grid
    }

    init(state: DashboardState, width: Int, height: Int, now: Moment, theme: Theme) {
        self.state = state
        cluster = state.displayed
        summary = ClusterSummary(state.displayed, at: now.sinceStart)
        self.now = now
        self.theme = theme
        layout = Layout(width: width, height: height, nodeCount: state.displayed.nodes.count)
        grid = Grid(width: width, height: height, colors: theme.colors)
    }

    mutating func drawAll() {
        drawStatusBar()
        let window = LogWindow(cluster: cluster, cursor: state.ui.logCursor, width: layout.width)
        drawRuler(window)
        for (position, node) in cluster.nodes.enumerated() {
            drawPanel(node, row: layout.nodeRow(position), window: window)
        }
        drawReplication()
        drawEvents()
        drawResult()
        drawFooter()
        switch state.ui.mode {
        case .help: drawHelp()
        case .entryDetail(let node, let index): drawEntryDetail(node: node, index: index)
        default: break
        }
    }

    /// Pads or cuts `text` to exactly `width` characters.
    static func fit(_ text: String, _ width: Int) -> String {
        text.count >= width ? String(text.prefix(width)) : text + String(repeating: " ", count: width - text.count)
    }
}
