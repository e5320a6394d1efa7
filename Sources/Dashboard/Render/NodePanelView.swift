extension Renderer {
    /// Three rows for one node: identity, role, term, vote, leader and election timer; indexes and
    /// faults; the log strip. A node that does not answer keeps its last values, greyed.
    mutating func drawPanel(_ node: NodeView, row: Int, window: LogWindow) {
        let answering = node.isAnswering(at: now.sinceStart)
        let base = answering ? CellStyle.plain : Theme.dimmed
        let selected = node.id == state.ui.selectedNode
        var x = grid.write(selected ? String(theme.selected) : " ", row: row, column: 0, style: CellStyle(foreground: .yellow, bold: true))
        x = grid.write("\(node.id) ", row: row, column: x, style: CellStyle(bold: true, dim: !answering))
        let (roleText, roleStyle) = roleLabel(node, answering: answering)
        x = grid.write(Self.fit(roleText, 20) + " ", row: row, column: x, style: roleStyle)
        x = grid.write(Self.fit(node.address, 16), row: row, column: x, style: base)
        if let status = node.status {
            x = drawIdentityDetails(status, row: row, column: x, answering: answering)
            if answering { drawTimer(status, row: row, column: x) }
        }
        if !answering, case .unreachable(_, let error) = node.reachability {
            grid.write(error, row: row, column: x + 1, style: Theme.dimmed)
        }
        drawIndexes(node, row: row + 1, answering: answering)
        drawStrip(node, row: row + 2, window: window, answering: answering)
    }

    /// "L leader" in the role's colour, or why the node shows no live role.
    private func roleLabel(_ node: NodeView, answering: Bool) -> (String, CellStyle) {
        if node.process == .stopped { return ("- stopped", Theme.error) }
        if node.process == .paused { return ("- paused", Theme.error) }
        if !answering {
            switch node.reachability {
            case .connecting: return ("? connecting", Theme.dimmed)
            case .unreachable(let since, _): return ("? unreachable \((now.sinceStart - since).secondsText)", Theme.error)
            case .live:
                let age = node.lastUpdate.map { (now.sinceStart - $0).secondsText } ?? "?"
                return ("? silent \(age)", Theme.error)
            }
        }
        guard let role = node.status?.role else { return ("? unknown", Theme.dimmed) }
        return ("\(role.letter) \(role.rawValue)", CellStyle(foreground: Theme.color(of: role), bold: role == .leader, underline: role == .leader))
    }

    private mutating func drawIdentityDetails(_ status: NodeStatus, row: Int, column: Int, answering: Bool) -> Int {
        let base = answering ? CellStyle.plain : Theme.dimmed
        var x = grid.write(Self.fit("term \(status.term)", 9), row: row, column: column,
                           style: answering ? CellStyle(foreground: Theme.color(ofTerm: status.term), bold: true) : base)
        let vote: String
        if status.role == .candidate || status.role == .preCandidate {
            vote = "votes " + (status.votesReceived.isEmpty ? "-" : status.votesReceived.sorted().map(String.init).joined(separator: ","))
        } else {
            vote = "vote " + (status.vote == 0 ? "-" : "\(status.vote)")
        }
        x = grid.write(Self.fit(vote, max(9, vote.count + 1)), row: row, column: x, style: base)
        x = grid.write(Self.fit("leader " + (status.leader == 0 ? "-" : "\(status.leader)"), 10), row: row, column: x, style: base)
        return x
    }

    /// The election timer: how much of the randomised timeout has run out.
    private mutating func drawTimer(_ status: NodeStatus, row: Int, column: Int) {
        let width = min(20, layout.width - column - 2)
        guard width >= 4, status.electionTimeoutTicks > 0 else { return }
        let filled = min(width, width * status.electionElapsedTicks / status.electionTimeoutTicks)
        let color: TerminalColor = filled * 4 >= width * 3 ? .red : filled * 2 >= width ? .yellow : .green
        var x = grid.write("[", row: row, column: column, style: Theme.dimmed)
        x = grid.write(String(repeating: theme.barFull, count: filled), row: row, column: x, style: CellStyle(foreground: color))
        x = grid.write(String(repeating: theme.barEmpty, count: width - filled), row: row, column: x, style: Theme.dimmed)
        grid.write("]", row: row, column: x, style: Theme.dimmed)
    }

    /// Last index and term, commit, applied, snapshot; then quorum, partition and storage problems.
    private mutating func drawIndexes(_ node: NodeView, row: Int, answering: Bool) {
        guard let status = node.status else { return }
        let base = answering ? CellStyle.plain : Theme.dimmed
        var x = grid.write("   last \(status.lastIndex)/t\(status.lastTerm)  ", row: row, column: 0, style: base)
        x = grid.write("commit \(status.commitIndex)  ", row: row, column: x, style: answering ? CellStyle(bold: true) : base)
        x = grid.write("applied \(status.appliedIndex)  snap \(status.snapshotIndex)  ", row: row, column: x, style: base)
        var problems: [String] = []
        if answering, summary.withoutQuorum.contains(node.id) { problems.append("no quorum") }
        if !status.partitionedFrom.isEmpty {
            problems.append("cut off from " + status.partitionedFrom.sorted().map(String.init).joined(separator: ","))
        }
        if !status.storageError.isEmpty { problems.append("storage: \(status.storageError)") }
        grid.write(problems.joined(separator: "  "), row: row, column: x, style: answering ? Theme.error : Theme.dimmed)
    }
}
