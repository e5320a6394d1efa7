/// A one-line text editor with a cursor and history, for the `:` command line and `/` filter.
public struct LineEditor: Sendable, Equatable {
    public private(set) var text: [Character] = []
    /// Position of the cursor in `text`, 0...text.count.
    public private(set) var cursor = 0
    private var history: [String]
    /// Index into `history` while browsing it; nil when editing a new line.
    private var browsing: Int?
    private var draft: [Character] = []

    public init(history: [String] = []) { self.history = history }

    public var line: String { String(text) }

    /// Applies an editing key; returns false for keys it does not handle (Enter, Escape, ...).
    public mutating func handle(_ key: Key) -> Bool {
        switch key {
        case .character(let character): text.insert(character, at: cursor); cursor += 1
        case .backspace:
            if cursor > 0 { text.remove(at: cursor - 1); cursor -= 1 }
        case .delete, .control("d"):
            if cursor < text.count { text.remove(at: cursor) }
        case .left, .control("b"): cursor = max(0, cursor - 1)
        case .right, .control("f"): cursor = min(text.count, cursor + 1)
        case .home, .control("a"): cursor = 0
        case .end, .control("e"): cursor = text.count
        case .control("u"): text.removeSubrange(0..<cursor); cursor = 0
        case .control("k"): text.removeSubrange(cursor...)
        case .control("w"): deleteWordBeforeCursor()
        case .up, .control("p"): browse(by: -1)
        case .down, .control("n"): browse(by: 1)
        default: return false
        }
        return true
    }

    private mutating func deleteWordBeforeCursor() {
        var start = cursor
        while start > 0, text[start - 1] == " " { start -= 1 }
        while start > 0, text[start - 1] != " " { start -= 1 }
        text.removeSubrange(start..<cursor)
        cursor = start
    }

    private mutating func browse(by step: Int) {
        guard !history.isEmpty else { return }
        let current = browsing ?? history.count
        let next = min(max(0, current + step), history.count)
        if browsing == nil { draft = text }
        browsing = next == history.count ? nil : next
        text = browsing.map { Array(history[$0]) } ?? draft
        cursor = text.count
    }
}

/// Lines entered before, newest last, without consecutive repeats.
public struct CommandHistory: Sendable, Equatable {
    public private(set) var lines: [String] = []
    public let capacity = 100

    public init() {}

    public mutating func record(_ line: String) {
        guard !line.isEmpty, lines.last != line else { return }
        lines.append(line)
        if lines.count > capacity { lines.removeFirst() }
    }
}
