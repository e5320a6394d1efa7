/// The eight terminal colours.
public enum TerminalColor: Int, Sendable, Equatable, CaseIterable {
    case black, red, green, yellow, blue, magenta, cyan, white
}

/// How one cell looks. Colours are nil for the terminal's default.
public struct CellStyle: Sendable, Hashable {
    public var foreground: TerminalColor?
    public var background: TerminalColor?
    public var bold = false
    public var dim = false
    public var reverse = false
    public var underline = false

    public init(foreground: TerminalColor? = nil, background: TerminalColor? = nil, bold: Bool = false,
                dim: Bool = false, reverse: Bool = false, underline: Bool = false) {
        self.foreground = foreground
        self.background = background
        self.bold = bold
        self.dim = dim
        self.reverse = reverse
        self.underline = underline
    }

    public static let plain = CellStyle()
}

/// One screen cell: a single-width character and its style.
public struct Cell: Sendable, Equatable {
    public var character: Character
    public var style: CellStyle

    public init(_ character: Character, _ style: CellStyle = .plain) {
        self.character = character
        self.style = style
    }

    public static let blank = Cell(" ")
}

/// A screen's worth of cells, row by row. Rendering writes into it; the curses layer copies it
/// to the terminal unchanged. Writes outside the grid are clipped.
public struct Grid: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]
    /// Whether colours are kept; without colour every write keeps only its attributes.
    public let colors: Bool

    public init(width: Int, height: Int, colors: Bool) {
        self.width = max(0, width)
        self.height = max(0, height)
        self.colors = colors
        cells = Array(repeating: .blank, count: self.width * self.height)
    }

    public subscript(row: Int, column: Int) -> Cell {
        cells[row * width + column]
    }

    /// Writes `text` from (row, column), clipped at `limit` columns (default: the right edge).
    /// Returns the column after the last character written.
    @discardableResult
    public mutating func write(_ text: String, row: Int, column: Int, style: CellStyle = .plain, limit: Int? = nil) -> Int {
        let end = min(width, limit.map { column + $0 } ?? width)
        var x = column
        guard row >= 0, row < height else { return column + text.count }
        let applied = colors ? style : CellStyle(bold: style.bold, dim: style.dim, reverse: style.reverse, underline: style.underline)
        for character in text {
            if x >= end { break }
            if x >= 0 { cells[row * width + x] = Cell(character, applied) }
            x += 1
        }
        return x
    }

    /// Fills `count` cells of a row with `character`.
    public mutating func fill(row: Int, column: Int, count: Int, character: Character = " ", style: CellStyle = .plain) {
        guard count > 0 else { return }
        write(String(repeating: character, count: count), row: row, column: column, style: style)
    }

    /// Each row as text, trailing spaces removed.
    public var lines: [String] {
        (0..<height).map { row in
            var text = String((0..<width).map { self[row, $0].character })
            while text.last == " " { text.removeLast() }
            return text
        }
    }
}
