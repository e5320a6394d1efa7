/// Where a configuration value came from: a file and line, or a source without lines such as the
/// command line or the built-in defaults.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    /// The file name as given to the parser (or a label such as "command line").
    public var file: String
    /// The 1-based line, when the value came from a line of a file.
    public var line: Int?

    public init(file: String, line: Int? = nil) {
        self.file = file
        self.line = line
    }

    /// `file:line`, or just `file` when there is no line.
    public var description: String {
        if let line { return "\(file):\(line)" }
        return file
    }
}
