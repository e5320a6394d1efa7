/// Where each key of a configuration was set, by qualified name (`raft.tick_ms`, `node.3.address`).
/// Keys not listed hold their default. Always equal to any other, so that two configurations with
/// the same values compare equal wherever they were read from.
struct ValueOrigins: Sendable, Equatable {
    /// The file (or label) that defaults are reported against.
    var file: String
    var locations: [String: SourceLocation] = [:]

    init(file: String) {
        self.file = file
    }

    /// Where `key` was set, or the file without a line when it holds its default.
    func location(of key: String) -> SourceLocation {
        locations[key] ?? SourceLocation(file: file)
    }

    func isSet(_ key: String) -> Bool { locations[key] != nil }

    static func == (lhs: ValueOrigins, rhs: ValueOrigins) -> Bool { true }
}
