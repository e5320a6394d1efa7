import CNcurses
import Dashboard
#if canImport(Glibc)
import Glibc
#endif

/// The terminal, through ncurses. The only code that calls curses, always on the main actor:
/// it copies rendered grids to the screen and decodes keys. `close()` restores the terminal.
@MainActor
final class Screen {
    let theme: Theme
    private var closed = false
    /// Standard error as it was before curses started; while the screen is up, standard error
    /// goes to /dev/null so that no library message can print over the dashboard.
    private let savedStandardError: Int32

    /// How long `readKey` waits for a key before returning nil.
    static let keyWaitMs: Int32 = 50

    /// Starts curses. Colour needs `wantColors`, no `NO_COLOR` and a terminal with colours;
    /// Unicode needs a UTF-8 locale.
    init(wantColors: Bool) {
        savedStandardError = dup(2)
        let null = open("/dev/null", O_WRONLY)
        if null >= 0 {
            dup2(null, 2)
            Glibc.close(null)
        }
        setlocale(LC_ALL, "")
        let unicode = String(cString: nl_langinfo(nl_item(CODESET))) == "UTF-8"
        initscr()
        raw()
        noecho()
        nonl()
        keypad(raftkv_stdscr(), true)
        curs_set(0)
        set_escdelay(25)
        wtimeout(raftkv_stdscr(), Self.keyWaitMs)
        let noColorSet = getenv("NO_COLOR").map { String(cString: $0).isEmpty == false } ?? false
        let colors = wantColors && !noColorSet && has_colors()
        if colors {
            start_color()
            use_default_colors()
            for color in TerminalColor.allCases {
                init_pair(Self.foregroundPair(color), Int16(color.rawValue), -1)
                init_pair(Self.backgroundPair(color), Int16(COLOR_BLACK), Int16(color.rawValue))
            }
        }
        theme = Theme(colors: colors, unicode: unicode)
    }

    var size: (width: Int, height: Int) { (Int(raftkv_cols()), Int(raftkv_lines())) }

    /// Copies every cell of `grid` to the screen and shows it.
    func draw(_ grid: Grid) {
        let (width, height) = size
        for row in 0..<min(height, grid.height) {
            for column in 0..<min(width, grid.width) {
                let cell = grid[row, column]
                let scalar = cell.character.unicodeScalars.first.map { wchar_t(bitPattern: $0.value) } ?? 32
                _ = raftkv_put_cell(Int32(row), Int32(column), scalar, attributes(cell.style), pair(cell.style))
            }
        }
        wrefresh(raftkv_stdscr())
    }

    /// Forces a full repaint on the next draw, after a resize.
    func invalidate() {
        clearok(raftkv_stdscr(), true)
    }

    /// The next key, or nil when none arrives within `keyWaitMs`.
    func readKey() -> ScreenKey? {
        var character: wint_t = 0
        let result = wget_wch(raftkv_stdscr(), &character)
        if result == KEY_CODE_YES { return KeyDecoding.functionKey(Int32(character)) }
        guard result == OK else { return nil }
        return KeyDecoding.character(UInt32(character))
    }

    /// Ends curses and gives the terminal back as it was. Safe to call twice.
    func close() {
        guard !closed else { return }
        closed = true
        endwin()
        if savedStandardError >= 0 {
            dup2(savedStandardError, 2)
            Glibc.close(savedStandardError)
        }
    }

    private func attributes(_ style: CellStyle) -> Int32 {
        var attributes: Int32 = 0
        if style.bold { attributes |= raftkv_attr_bold() }
        if style.dim { attributes |= raftkv_attr_dim() }
        if style.reverse { attributes |= raftkv_attr_reverse() }
        if style.underline { attributes |= raftkv_attr_underline() }
        return attributes
    }

    /// Pairs 1-8: a colour on the default background; 9-16: black on a colour.
    private func pair(_ style: CellStyle) -> Int16 {
        guard theme.colors else { return 0 }
        if let background = style.background { return Self.backgroundPair(background) }
        if let foreground = style.foreground { return Self.foregroundPair(foreground) }
        return 0
    }

    private static func foregroundPair(_ color: TerminalColor) -> Int16 { Int16(1 + color.rawValue) }
    private static func backgroundPair(_ color: TerminalColor) -> Int16 { Int16(9 + color.rawValue) }
}

/// What the keyboard produced: a key for the dashboard, or a terminal resize.
enum ScreenKey: Equatable {
    case key(Key)
    case resize
}

/// Turns curses key codes into dashboard keys.
enum KeyDecoding {
    static func character(_ code: UInt32) -> ScreenKey? {
        switch code {
        case 9: return .key(.tab)
        case 10, 13: return .key(.enter)
        case 27: return .key(.escape)
        case 8, 127: return .key(.backspace)
        case 1...26: return .key(.control(Character(Unicode.Scalar(UInt8(code) + 96))))
        default: return Unicode.Scalar(code).map { .key(.character(Character($0))) }
        }
    }

    static func functionKey(_ code: Int32) -> ScreenKey? {
        if code == raftkv_key_resize() { return .resize }
        for number in 1...12 where code == raftkv_key_f(Int32(number)) { return .key(.function(number)) }
        switch code {
        case KEY_UP: return .key(.up)
        case KEY_DOWN: return .key(.down)
        case KEY_LEFT: return .key(.left)
        case KEY_RIGHT: return .key(.right)
        case KEY_HOME: return .key(.home)
        case KEY_END: return .key(.end)
        case KEY_BACKSPACE: return .key(.backspace)
        case KEY_DC: return .key(.delete)
        case KEY_ENTER: return .key(.enter)
        default: return nil
        }
    }
}
