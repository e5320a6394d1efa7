extension Renderer {
    /// The leader's view of each follower: match and next index and how far it trails. A table on
    /// tall screens, one line on short ones.
    mutating func drawReplication() {
        let row = layout.replicationRow
        guard let leaderID = summary.leader, let leader = cluster.node(leaderID)?.status else {
            grid.write("replication: no leader", row: row, column: 0, style: Theme.dimmed)
            return
        }
        let peers = leader.peers.filter { $0.id != leaderID }.sorted { $0.id < $1.id }
        if layout.replicationRows == 1 {
            var x = grid.write("leader \(leaderID) \(theme.unicode ? "→" : "->") ", row: row, column: 0, style: Theme.heading)
            for peer in peers {
                let behind = leader.lastIndex > peer.matchIndex ? leader.lastIndex - peer.matchIndex : 0
                x = grid.write("\(peer.id):\(peer.matchIndex)/\(peer.nextIndex)", row: row, column: x)
                x = grid.write(behind == 0 ? " \(theme.check)  " : " -\(behind)  ", row: row, column: x,
                               style: behind == 0 ? CellStyle(foreground: .green) : Theme.error)
            }
            return
        }
        grid.write(Self.fit("replication from leader \(leaderID)", 30) + "match     next   behind  state", row: row, column: 0, style: Theme.heading)
        for (offset, peer) in peers.prefix(layout.replicationRows - 1).enumerated() {
            let behind = leader.lastIndex > peer.matchIndex ? leader.lastIndex - peer.matchIndex : 0
            let y = row + 1 + offset
            var x = grid.write(Self.fit("  node \(peer.id)", 30) + Self.fit("\(peer.matchIndex)", 10) + Self.fit("\(peer.nextIndex)", 7), row: y, column: 0)
            x = grid.write(Self.fit(behind == 0 ? theme.check : "\(behind)", 8), row: y, column: x,
                           style: behind == 0 ? CellStyle(foreground: .green) : Theme.error)
            grid.write(peer.state, row: y, column: x, style: Theme.dimmed)
        }
    }
}
