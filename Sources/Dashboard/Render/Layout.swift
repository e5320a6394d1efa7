/// Where each part of the screen goes for a given size and node count. Rows from the top: the
/// status bar, the log index ruler, three rows per node, the replication view, the event log
/// (a heading and its lines), the last result and the key or command line.
struct Layout: Equatable {
    static let rowsPerNode = 3
    /// Below this height the replication view shrinks to one line.
    static let tallHeight = 30

    let width: Int
    let height: Int
    let statusRow = 0
    let rulerRow = 1
    let firstNodeRow = 2
    let replicationRow: Int
    let replicationRows: Int
    let eventHeadingRow: Int
    let eventRows: Int
    let resultRow: Int
    let footerRow: Int

    init(width: Int, height: Int, nodeCount: Int) {
        self.width = width
        self.height = height
        replicationRow = firstNodeRow + nodeCount * Self.rowsPerNode
        replicationRows = height >= Self.tallHeight ? nodeCount : 1
        eventHeadingRow = replicationRow + replicationRows
        footerRow = height - 1
        resultRow = height - 2
        eventRows = max(0, resultRow - eventHeadingRow - 1)
    }

    func nodeRow(_ position: Int) -> Int { firstNodeRow + position * Self.rowsPerNode }
}
