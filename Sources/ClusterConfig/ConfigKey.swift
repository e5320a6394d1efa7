/// A key of `config.ini`: its section, name, type and allowed values, and the property it sets.
struct ConfigKey {
    enum Field {
        case integer(WritableKeyPath<ClusterConfig, Int>, ClosedRange<Int>)
        /// A whole number, or `auto` (stored as nil) for a value worked out at run time.
        case countOrAuto(WritableKeyPath<ClusterConfig, Int?>, ClosedRange<Int>)
        case bytes(WritableKeyPath<ClusterConfig, Int>, ClosedRange<Int>)
        case boolean(WritableKeyPath<ClusterConfig, Bool>)
        case text(WritableKeyPath<ClusterConfig, String>)
    }

    var section: String
    var name: String
    var field: Field

    /// `section.name`, the key's name in error messages' origins and in overrides.
    var qualifiedName: String { "\(section).\(name)" }

    /// The sections with fixed keys; `[node.N]` sections are handled apart.
    static let sections = ["cluster", "raft", "storage", "limits"]

    /// The one key of a `[node.N]` section.
    static let nodeAddressKey = "address"

    /// Every fixed key, in the order config.ini lists them.
    static var all: [ConfigKey] {
        [
            ConfigKey(section: "cluster", name: "node_count", field: .integer(\.nodeCount, 1...9)),
            ConfigKey(section: "cluster", name: "base_address", field: .text(\.baseAddress)),
            ConfigKey(section: "cluster", name: "base_port", field: .integer(\.basePort, 1...65535)),
            ConfigKey(section: "cluster", name: "gateway_port", field: .integer(\.gatewayPort, 1...65535)),
            ConfigKey(section: "cluster", name: "persistent_state_path", field: .text(\.persistentStatePath)),
            ConfigKey(section: "cluster", name: "fault_injection", field: .boolean(\.faultInjection)),
            ConfigKey(section: "cluster", name: "node_threads", field: .countOrAuto(\.nodeThreads, 1...256)),
            ConfigKey(section: "raft", name: "tick_ms", field: .integer(\.tickMs, 1...1000)),
            ConfigKey(section: "raft", name: "election_timeout_min_ms", field: .integer(\.electionTimeoutMinMs, 1...60_000)),
            ConfigKey(section: "raft", name: "election_timeout_max_ms", field: .integer(\.electionTimeoutMaxMs, 1...60_000)),
            ConfigKey(section: "raft", name: "heartbeat_interval_ms", field: .integer(\.heartbeatIntervalMs, 1...60_000)),
            ConfigKey(section: "raft", name: "prevote", field: .boolean(\.preVote)),
            ConfigKey(section: "raft", name: "check_quorum", field: .boolean(\.checkQuorum)),
            ConfigKey(section: "storage", name: "snapshot_entries", field: .integer(\.snapshotEntries, 1...1_000_000_000)),
            ConfigKey(section: "storage", name: "snapshot_bytes", field: .bytes(\.snapshotBytes, (1 << 10)...(1 << 40))),
            ConfigKey(section: "storage", name: "segment_bytes", field: .bytes(\.segmentBytes, (64 << 10)...(1 << 30))),
            ConfigKey(section: "limits", name: "max_key_bytes", field: .bytes(\.maxKeyBytes, 1...ClusterConfig.largestKeyBytes)),
            ConfigKey(section: "limits", name: "max_value_bytes", field: .bytes(\.maxValueBytes, 1...ClusterConfig.largestValueBytes)),
        ]
    }

    static func named(_ name: String, in section: String) -> ConfigKey? {
        all.first { $0.section == section && $0.name == name }
    }

    /// Parses `raw` for this key and stores it in `config`; the range is checked by validation.
    func assign(_ raw: String, to config: inout ClusterConfig, at location: SourceLocation) throws(ConfigError) {
        if raw.isEmpty, case .text = field {} else if raw.isEmpty {
            throw ConfigError(.invalidValue, at: location, problem: "\(name) has no value",
                              fix: "write a value, e.g. \(name) = \(render(ClusterConfig()))")
        }
        switch field {
        case .integer(let path, _):
            guard let value = ValueParser.integer(raw) else {
                throw ConfigError(.invalidValue, at: location, problem: "\(name) = \(raw) is not a whole number",
                                  fix: "write it with digits only, e.g. \(name) = \(config[keyPath: path])")
            }
            config[keyPath: path] = value
        case .countOrAuto(let path, _):
            if raw.lowercased() == "auto" {
                config[keyPath: path] = nil
            } else if let value = ValueParser.integer(raw) {
                config[keyPath: path] = value
            } else {
                throw ConfigError(.invalidValue, at: location, problem: "\(name) = \(raw) is neither a whole number nor auto",
                                  fix: "write \(name) = auto, or a number with digits only, e.g. \(name) = 2")
            }
        case .bytes(let path, _):
            guard let value = ValueParser.bytes(raw) else {
                throw ConfigError(.invalidValue, at: location, problem: "\(name) = \(raw) is not a size in bytes",
                                  fix: "write a whole number of bytes, optionally followed by KiB, MiB or GiB, e.g. \(name) = \(ValueParser.formatBytes(config[keyPath: path]))")
            }
            config[keyPath: path] = value
        case .boolean(let path):
            guard let value = ValueParser.boolean(raw) else {
                throw ConfigError(.invalidValue, at: location, problem: "\(name) = \(raw) is not a boolean",
                                  fix: "write \(name) = true or \(name) = false")
            }
            config[keyPath: path] = value
        case .text(let path):
            config[keyPath: path] = raw
        }
        config.origins.locations[qualifiedName] = location
    }

    /// The key's current value in `config`, as it would be written in config.ini.
    func render(_ config: ClusterConfig) -> String {
        switch field {
        case .integer(let path, _): return String(config[keyPath: path])
        case .countOrAuto(let path, _): return config[keyPath: path].map(String.init) ?? "auto"
        case .bytes(let path, _): return String(config[keyPath: path])
        case .boolean(let path): return String(config[keyPath: path])
        case .text(let path): return config[keyPath: path]
        }
    }
}
