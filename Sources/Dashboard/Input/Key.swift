/// A key press, decoded from the terminal by the curses layer.
public enum Key: Sendable, Equatable {
    case character(Character)
    /// Ctrl plus a letter, lower case: `.control("c")` is Ctrl-C.
    case control(Character)
    case enter, escape, tab, backspace, delete
    case up, down, left, right, home, end
    case function(Int)
}
