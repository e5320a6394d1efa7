extension ClusterConfig {
    /// Replaces values by their config.ini names, as command-line flags do, then validates again.
    ///
    /// A name is `section.key` (`raft.tick_ms`, `node.3.address`) or a bare key (`tick_ms`); a
    /// leading `--` is ignored and `-` reads as `_`, so `--base-port` names `base_port`. On error the
    /// configuration is left unchanged; errors are reported against `source`. Touches no files: call
    /// `prepareStateDirectory()` after overriding `persistent_state_path`.
    public mutating func apply(overrides: [String: String], source: String = "command line") throws(ConfigError) {
        var updated = self
        let location = SourceLocation(file: source)
        for name in overrides.keys.sorted() {
            let raw = overrides[name]!.trimmingSpaces()
            let (section, key) = try Self.resolveOverride(name, at: location)
            try updated.set(key, in: section, to: raw, at: location, replacing: true)
        }
        try updated.validate()
        self = updated
    }

    /// Splits an override's name into section and key.
    private static func resolveOverride(_ name: String, at location: SourceLocation) throws(ConfigError) -> (String, String) {
        var normalized = name.trimmingSpaces()
        while normalized.hasPrefix("-") { normalized.removeFirst() }
        normalized = normalized.replacingDashes()
        if let dot = normalized.lastIndex(of: ".") {
            return (String(normalized[..<dot]), String(normalized[normalized.index(after: dot)...]))
        }
        if normalized == ConfigKey.nodeAddressKey {
            throw ConfigError(.unknownKey, at: location, problem: "\(name) does not say which node",
                              fix: "name it node.N.address, e.g. node.3.address")
        }
        if let key = ConfigKey.all.first(where: { $0.name == normalized }) {
            return (key.section, key.name)
        }
        let fix = NearMiss.closest(to: normalized, among: ConfigKey.all.map(\.name)).map { "did you mean \($0)?" }
            ?? "use a config.ini key, e.g. base_port or raft.tick_ms"
        throw ConfigError(.unknownKey, at: location, problem: "unknown setting \(name)", fix: fix)
    }
}

extension String {
    func replacingDashes() -> String { String(map { $0 == "-" ? "_" : $0 }) }
}
