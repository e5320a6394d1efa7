extension StringProtocol {
    /// The text without leading and trailing whitespace.
    public func trimmingSpaces() -> String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
