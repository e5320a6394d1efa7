/// Colour or not, Unicode or ASCII: what the terminal can show.
public struct Theme: Sendable, Equatable {
    public var colors: Bool
    public var unicode: Bool

    public init(colors: Bool, unicode: Bool) {
        self.colors = colors
        self.unicode = unicode
    }

    var barFull: Character { unicode ? "█" : "#" }
    var barEmpty: Character { unicode ? "░" : "." }
    var vertical: Character { unicode ? "│" : "|" }
    var horizontal: Character { unicode ? "─" : "-" }
    var corners: (Character, Character, Character, Character) { unicode ? ("┌", "┐", "└", "┘") : ("+", "+", "+", "+") }
    var selected: Character { unicode ? "▶" : ">" }
    var check: String { unicode ? "✓" : "ok" }
    var cross: String { unicode ? "✗" : "!!" }

    /// The colour of a term: consecutive terms get different colours, cycling through six.
    static func color(ofTerm term: UInt64) -> TerminalColor {
        let palette: [TerminalColor] = [.cyan, .magenta, .yellow, .green, .blue, .red]
        return palette[Int(term % UInt64(palette.count))]
    }

    static func color(of role: Role) -> TerminalColor {
        switch role {
        case .leader: .green
        case .candidate: .yellow
        case .preCandidate: .yellow
        case .follower: .cyan
        }
    }

    static let dimmed = CellStyle(dim: true)
    static let heading = CellStyle(bold: true)
    static let error = CellStyle(foreground: .red, bold: true)
}
