/// A configuration that cannot be used: where it went wrong, what is wrong and how to fix it.
///
/// `description` reads like `config.ini:12: heartbeat_interval_ms = 200 must be well below
/// election_timeout_min_ms = 150 (at most a third of it); lower heartbeat_interval_ms or raise the
/// election timeout`.
public struct ConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The rule a configuration broke.
    public enum Kind: Sendable, Hashable {
        /// A line that is neither a section, a `key = value` pair, a comment nor blank.
        case syntax
        /// A `[section]` this configuration does not have.
        case unknownSection
        /// A key its section does not have.
        case unknownKey
        /// The same key set twice.
        case duplicateKey
        /// A value of the wrong type: not a number, a boolean, a size or a `host:port`.
        case invalidValue
        /// A well-formed value outside its allowed range.
        case outOfRange
        /// Values that are each fine but do not fit together (timeouts, ticks, node sections).
        case inconsistent
        /// Two listeners on the same host and port.
        case addressConflict
        /// The configuration file cannot be read.
        case unreadableFile
        /// `persistent_state_path` cannot be used as a writable directory.
        case stateDirectory
    }

    /// Which rule was broken.
    public var kind: Kind
    /// The file and line to look at.
    public var location: SourceLocation
    /// What is wrong, naming the key and its value.
    public var problem: String
    /// What to change.
    public var fix: String

    public init(_ kind: Kind, at location: SourceLocation, problem: String, fix: String) {
        self.kind = kind
        self.location = location
        self.problem = problem
        self.fix = fix
    }

    /// `location: problem; fix`.
    public var description: String { "\(location): \(problem); \(fix)" }
}
