/// Which log indexes the strips show: the same columns for every node, so entries line up by
/// index and divergence is visible. It follows the newest entry unless a cursor is set, and
/// then keeps the cursor in view.
struct LogWindow: Equatable {
    /// Columns left of the first cell, for each strip's label.
    static let margin = 4
    static let cellWidth = 3

    let first: UInt64
    let count: Int
    let cursor: UInt64?

    init(cluster: ClusterState, cursor: UInt64?, width: Int) {
        count = max(1, (width - Self.margin) / Self.cellWidth)
        let newest = Int(cluster.nodes.compactMap(\.status?.lastIndex).max() ?? 0)
        let followingStart = max(1, newest - count + 1)
        if let cursor {
            first = UInt64(min(followingStart, max(1, Int(cursor) - count + 3)))
        } else {
            first = UInt64(followingStart)
        }
        self.cursor = cursor
    }

    var indexes: [UInt64] { (0..<count).map { first + UInt64($0) } }

    func column(of index: UInt64) -> Int { Self.margin + Int(index - first) * Self.cellWidth }
}

extension Renderer {
    /// Row 1: index numbers every five entries, and a marker over the cursor.
    mutating func drawRuler(_ window: LogWindow) {
        let row = layout.rulerRow
        grid.write("idx", row: row, column: 0, style: Theme.dimmed)
        var free = LogWindow.margin
        for index in window.indexes where index % 5 == 0 || index == window.first {
            let column = window.column(of: index)
            guard column >= free else { continue }
            free = grid.write("\(index)", row: row, column: column, style: Theme.dimmed) + 1
        }
        if let cursor = window.cursor, window.indexes.contains(cursor) {
            grid.write(theme.unicode ? "▼" : "v", row: row, column: window.column(of: cursor) + 1, style: CellStyle(foreground: .yellow, bold: true))
        }
    }

    /// One node's strip: a cell per index with its term; committed entries on their term's
    /// colour (reverse video without colour), uncommitted ones marked `*`.
    mutating func drawStrip(_ node: NodeView, row: Int, window: LogWindow, answering: Bool) {
        grid.write("  " + String(theme.vertical), row: row, column: 0, style: Theme.dimmed)
        guard let status = node.status else { return }
        for index in window.indexes where index <= status.lastIndex {
            let committed = index <= status.commitIndex
            let term = status.term(at: index)
            let label = term.map { $0 < 10 ? " \($0)" : String("\($0)".suffix(2)) } ?? (theme.unicode ? " ·" : " .")
            var style: CellStyle
            if let term, answering {
                style = committed ? CellStyle(foreground: .black, background: Theme.color(ofTerm: term), reverse: !grid.colors)
                    : CellStyle(foreground: Theme.color(ofTerm: term), bold: true)
            } else {
                style = CellStyle(dim: true, reverse: committed && !grid.colors)
            }
            if index == window.cursor, node.id == state.ui.selectedNode { style.underline = true; style.bold = true }
            grid.write(label + (committed ? " " : "*"), row: row, column: window.column(of: index), style: style)
        }
    }
}
