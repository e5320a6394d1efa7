extension Renderer {
    /// The event log, newest at the bottom, filtered by `/`, scrolled with ↑/↓.
    mutating func drawEvents() {
        let heading = layout.eventHeadingRow
        guard heading < layout.resultRow else { return }
        let matching = state.events.matching(state.ui.eventFilter)
        var title = "\(theme.horizontal) events "
        if !state.ui.eventFilter.isEmpty { title += "(filter \"\(state.ui.eventFilter)\": \(matching.count) of \(state.events.events.count)) " }
        let scroll = min(state.ui.eventScroll, max(0, matching.count - layout.eventRows))
        if scroll > 0 { title += "(\(scroll) newer below) " }
        let x = grid.write(title, row: heading, column: 0, style: Theme.dimmed)
        grid.fill(row: heading, column: x, count: layout.width - x, character: theme.horizontal, style: Theme.dimmed)
        let end = matching.count - scroll
        let shown = matching[max(0, end - layout.eventRows)..<end]
        for (offset, event) in shown.enumerated() {
            let row = heading + 1 + offset
            var x = grid.write(event.time + " ", row: row, column: 0, style: Theme.dimmed)
            x = grid.write(Self.fit(event.kind.rawValue, 9), row: row, column: x, style: style(of: event.kind))
            grid.write(event.text, row: row, column: x, style: event.kind == .error ? CellStyle(foreground: .red) : .plain)
        }
    }

    private func style(of kind: EventKind) -> CellStyle {
        switch kind {
        case .election: CellStyle(foreground: .yellow)
        case .leader: CellStyle(foreground: .green, bold: true)
        case .term: CellStyle(foreground: .magenta)
        case .fault, .error: CellStyle(foreground: .red, bold: true)
        case .heal: CellStyle(foreground: .green)
        case .command: CellStyle(foreground: .cyan)
        case .node: CellStyle(foreground: .blue)
        }
    }

    /// The result of the last action, red when it failed.
    mutating func drawResult() {
        guard let result = state.ui.lastResult else {
            grid.write("press : for commands, ? for help", row: layout.resultRow, column: 0, style: Theme.dimmed)
            return
        }
        let x = grid.write(result.isError ? theme.cross + " " : theme.check + " ", row: layout.resultRow, column: 0,
                           style: result.isError ? Theme.error : CellStyle(foreground: .green, bold: true))
        grid.write(result.text, row: layout.resultRow, column: x, style: result.isError ? CellStyle(foreground: .red) : .plain)
    }

    /// The key hints, or the command line or filter being typed, with its cursor.
    mutating func drawFooter() {
        let row = layout.footerRow
        switch state.ui.mode {
        case .commandLine(let editor): drawEditor(editor, prompt: ":", row: row)
        case .filterLine(let editor): drawEditor(editor, prompt: "/", row: row)
        default:
            let hints: [(String, String)] = [("?", "help"), (":", "command"), ("K", "kill leader"), ("x", "kill"), ("r", "restart"),
                                              ("p", "partition"), ("h", "heal"), ("c", "put"), ("Tab", "node"), ("space", "freeze"), ("q", "quit")]
            var x = 0
            for (key, label) in hints {
                x = grid.write(key, row: row, column: x, style: CellStyle(bold: true, reverse: true))
                x = grid.write(" \(label) ", row: row, column: x, style: Theme.dimmed)
            }
        }
    }

    private mutating func drawEditor(_ editor: LineEditor, prompt: String, row: Int) {
        let x = grid.write(prompt, row: row, column: 0, style: Theme.heading)
        let visible = max(1, layout.width - x - 1)
        let skip = max(0, editor.cursor - visible + 1)
        let text = Array(editor.text.dropFirst(skip))
        grid.write(String(text), row: row, column: x)
        let cursorColumn = x + editor.cursor - skip
        let under: Character = editor.cursor < editor.text.count ? editor.text[editor.cursor] : " "
        grid.write(String(under), row: row, column: cursorColumn, style: CellStyle(reverse: true))
    }
}
