import RaftClient

extension Renderer {
    /// Row 0: leader, term, quorum, active faults; on the right freeze, refresh rate and clock.
    mutating func drawStatusBar() {
        let bar = CellStyle(reverse: true)
        let row = layout.statusRow
        grid.fill(row: row, column: 0, count: layout.width, style: bar)
        let separator = " \(theme.vertical) "
        var x = grid.write(" raftkv", row: row, column: 0, style: CellStyle(bold: true, reverse: true))
        x = grid.write(separator + "leader " + (summary.leader.map(String.init) ?? "none"), row: row, column: x, style: bar)
        x = grid.write(separator, row: row, column: x, style: bar)
        x = grid.write("term \(summary.term)", row: row, column: x,
                       style: CellStyle(foreground: Theme.color(ofTerm: summary.term), bold: true, reverse: true))
        x = grid.write(separator, row: row, column: x, style: bar)
        x = grid.write(summary.quorumOK ? "quorum ok" : "quorum LOST", row: row, column: x,
                       style: CellStyle(foreground: summary.quorumOK ? .green : .red, bold: true, reverse: true))
        let faults = summary.faultsText
        x = grid.write(separator + "faults: ", row: row, column: x, style: bar)
        var right = (state.ui.frozen != nil ? "FROZEN  " : "") + "refresh \(DurationText.format(state.ui.refreshInterval))  \(now.timeOfDay) "
        if x + faults.count + right.count > layout.width { right = "\(now.timeOfDay) " }
        let rightStart = max(x, layout.width - right.count)
        grid.write(faults, row: row, column: x, style: CellStyle(foreground: faults == "none" ? nil : .red, bold: faults != "none", reverse: true),
                   limit: max(0, rightStart - x - 1))
        grid.write(right, row: row, column: rightStart, style: CellStyle(bold: state.ui.frozen != nil, reverse: true))
    }
}
