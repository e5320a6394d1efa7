extension ClusterConfig {
    /// Reads and validates the configuration file at `path`, applies `overrides` (see
    /// `apply(overrides:source:)`), then makes sure `persistentStatePath` is a writable directory,
    /// creating it if missing. Errors name `path` as given, with the line.
    public static func load(path: String, overrides: [String: String] = [:]) throws(ConfigError) -> ClusterConfig {
        let config = try read(path: path, overrides: overrides)
        try config.prepareStateDirectory()
        return config
    }

    /// Reads and validates the configuration file at `path` and applies `overrides`, like
    /// `load(path:overrides:)` but without touching the state directory: for clients (raft-tui),
    /// and for settings a daemon needs before it starts.
    public static func read(path: String, overrides: [String: String] = [:]) throws(ConfigError) -> ClusterConfig {
        var config = try parse(text: TextFile.contents(of: path), fileName: path)
        if !overrides.isEmpty {
            try config.apply(overrides: overrides)
        }
        return config
    }

    /// Parses and validates configuration text. Touches no files: the state directory is checked by
    /// `load(path:overrides:)` or `prepareStateDirectory()`.
    public static func parse(text: String, fileName: String = "config.ini") throws(ConfigError) -> ClusterConfig {
        let document = try IniParser.parse(text, fileName: fileName)
        var config = ClusterConfig()
        config.origins = ValueOrigins(file: fileName)
        for section in document.sections {
            _ = try SectionName.resolve(section.name, at: section.location)
        }
        for entry in document.entries {
            try config.set(entry.key, in: entry.section, to: entry.value, at: entry.location)
        }
        try config.validate()
        return config
    }

    /// Stores one `key = value` of `section`, checking that the section and key exist and that the
    /// value has the right type. A node address may be set once unless `replacing`.
    mutating func set(_ name: String, in sectionName: String, to raw: String, at location: SourceLocation,
                      replacing: Bool = false) throws(ConfigError) {
        switch try SectionName.resolve(sectionName, at: location) {
        case .node(let id):
            guard name == ConfigKey.nodeAddressKey else {
                throw SectionName.unknownKey(name, in: sectionName, at: location)
            }
            try setNodeAddress(id, raw, at: location, replacing: replacing)
        case .fixed(let section):
            guard let key = ConfigKey.named(name, in: section) else {
                throw SectionName.unknownKey(name, in: section, at: location)
            }
            try key.assign(raw, to: &self, at: location)
        }
    }

    private mutating func setNodeAddress(_ id: Int, _ raw: String, at location: SourceLocation,
                                         replacing: Bool) throws(ConfigError) {
        let qualified = "node.\(id).address"
        if origins.isSet(qualified) && !replacing {
            let first = origins.location(of: qualified)
            throw ConfigError(.duplicateKey, at: location,
                              problem: "node \(id)'s address is set twice (first at \(first))",
                              fix: "keep one [node.\(id)] address line")
        }
        guard let address = NodeAddress(parsing: raw) else {
            throw ConfigError(.invalidValue, at: location, problem: "address = \(raw) is not host:port",
                              fix: "write it like address = 10.0.0.\(id):9001 (an IPv6 host in brackets: [::1]:9001)")
        }
        nodeAddressOverrides[id] = address
        origins.locations[qualified] = location
    }
}
