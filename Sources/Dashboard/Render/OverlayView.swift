extension Renderer {
    static let helpLines = [
        "?  F1        this help (any key closes it)",
        "q  F10 ^C    quit",
        "Tab  1-9     select a node",
        "<-  ->       move along the log strip; Enter shows the entry",
        "Up Dn  k j   scroll the event log",
        "/            filter the event log (Esc clears)",
        "K            kill the leader",
        "x  r         kill / restart the selected node",
        "p            partition: isolate leader, 3/2 split, 2/2/1",
        "h            heal every partition",
        "c            put demo=<n>",
        "space        freeze the display",
        "+  -         refresh faster / slower",
        ":            command line: " + "put K V, get K, del K,",
        "             cas K OLD NEW, kill N, start N, pause N,",
        "             resume N, partition 1,2/3,4,5, heal,",
        "             transfer N, help, quit",
        "Cells: term of each entry; filled = committed,",
        "* = not yet committed, . = not reported",
    ]

    mutating func drawHelp() {
        drawBox(title: "keys", lines: Self.helpLines)
    }

    /// The entry at `index` of one node: its term, whether it is committed, and its command.
    mutating func drawEntryDetail(node id: Int, index: UInt64) {
        guard let status = cluster.node(id)?.status else {
            drawBox(title: "node \(id), index \(index)", lines: ["no status from node \(id) yet"])
            return
        }
        let entry = status.recentEntries.last { $0.index == index }
        let term = status.term(at: index).map { "term \($0)" } ?? "term not reported"
        let state = index > status.lastIndex ? "not in this node's log" : index <= status.commitIndex ? "committed" : "not committed"
        let command = entry?.description
            ?? (index > status.appliedIndex ? "(the node reports commands once applied)" : "(older than the node's recent entries)")
        drawBox(title: "node \(id), index \(index)", lines: ["\(term), \(state)", command, "any key closes"])
    }

    /// A framed box centred on the screen.
    private mutating func drawBox(title: String, lines: [String]) {
        let inner = min(layout.width - 4, max(title.count + 4, lines.map(\.count).max() ?? 0))
        let height = min(layout.height, lines.count + 2)
        guard inner > 0, height >= 3 else { return }
        let left = (layout.width - inner - 2) / 2
        let top = max(0, (layout.height - height) / 2)
        let frame = CellStyle(foreground: .yellow, bold: true)
        let (topLeft, topRight, bottomLeft, bottomRight) = theme.corners
        let rule = String(repeating: theme.horizontal, count: inner)
        grid.write(String(topLeft) + Self.fit(String(theme.horizontal) + " \(title) " + rule, inner) + String(topRight),
                   row: top, column: left, style: frame)
        for (offset, line) in lines.prefix(height - 2).enumerated() {
            let row = top + 1 + offset
            grid.write(String(theme.vertical), row: row, column: left, style: frame)
            grid.write(Self.fit(line, inner), row: row, column: left + 1)
            grid.write(String(theme.vertical), row: row, column: left + inner + 1, style: frame)
        }
        grid.write(String(bottomLeft) + rule + String(bottomRight), row: top + height - 1, column: left, style: frame)
    }
}
