extension ClusterConfig {
    /// Checks every rule that involves no files: value ranges, timing, node sections and addresses.
    /// The first broken rule is thrown, naming the line of the value to change.
    public func validate() throws(ConfigError) {
        try validateRanges()
        try validateTiming()
        try validateNodeSections()
        try ListenerCheck(config: self).validate()
    }

    /// `name = value`, marked `(default)` when the file did not set it and it holds its default.
    func show(_ qualified: String, _ value: CustomStringConvertible) -> String {
        let name = qualified.split(separator: ".").last.map(String.init) ?? qualified
        let defaultValue = ConfigKey.all.first { $0.qualifiedName == qualified }?.render(ClusterConfig())
        let isDefault = !origins.isSet(qualified) && defaultValue == value.description
        return isDefault ? "\(name) = \(value) (default)" : "\(name) = \(value)"
    }

    private func validateRanges() throws(ConfigError) {
        for key in ConfigKey.all {
            let location = origins.location(of: key.qualifiedName)
            let shown = show(key.qualifiedName, key.render(self))
            switch key.field {
            case .integer(let path, let range) where !range.contains(self[keyPath: path]):
                let fix = key.name == "node_count"
                    ? "choose 1 to 9 nodes (3 or 5 is usual: an odd count tolerates the most failures)"
                    : "choose a value from \(range.lowerBound) to \(range.upperBound)"
                throw ConfigError(.outOfRange, at: location,
                                  problem: "\(shown) is out of range \(range.lowerBound)...\(range.upperBound)", fix: fix)
            case .countOrAuto(let path, let range) where self[keyPath: path].map({ !range.contains($0) }) ?? false:
                throw ConfigError(.outOfRange, at: location,
                                  problem: "\(shown) is out of range \(range.lowerBound)...\(range.upperBound)",
                                  fix: "choose auto or a value from \(range.lowerBound) to \(range.upperBound)")
            case .bytes(let path, let range) where !range.contains(self[keyPath: path]):
                let low = ValueParser.formatBytes(range.lowerBound), high = ValueParser.formatBytes(range.upperBound)
                throw ConfigError(.outOfRange, at: location, problem: "\(shown) is out of range \(low)...\(high)",
                                  fix: "choose a size from \(low) to \(high)")
            case .text(let path) where self[keyPath: path].isEmpty:
                throw ConfigError(.invalidValue, at: location, problem: "\(key.name) is empty",
                                  fix: "set it, e.g. \(key.name) = \(key.render(ClusterConfig()))")
            case .text(let path) where key.name == "base_address" && self[keyPath: path].contains(where: \.isWhitespace):
                throw ConfigError(.invalidValue, at: location, problem: "\(shown) contains a space",
                                  fix: "write a single host name or IP address, e.g. base_address = 127.0.0.1")
            default:
                continue
            }
        }
        for id in nodeAddressOverrides.keys.sorted() {
            let address = nodeAddressOverrides[id]!
            if !(1...65535).contains(address.port) {
                throw ConfigError(.outOfRange, at: origins.location(of: "node.\(id).address"),
                                  problem: "address = \(address) has port \(address.port), outside 1...65535",
                                  fix: "use a port from 1 to 65535")
            }
        }
    }

    private func validateTiming() throws(ConfigError) {
        let tick = "raft.tick_ms", minKey = "raft.election_timeout_min_ms"
        let maxKey = "raft.election_timeout_max_ms", heartbeat = "raft.heartbeat_interval_ms"

        let timed = [(minKey, electionTimeoutMinMs), (maxKey, electionTimeoutMaxMs), (heartbeat, heartbeatIntervalMs)]
        for (key, value) in timed where value % tickMs != 0 {
            if !origins.isSet(key) && origins.isSet(tick) {
                let divisor = Self.largestDivisor(of: timed.map(\.1), atMost: tickMs)
                throw ConfigError(.inconsistent, at: origins.location(of: tick),
                                  problem: "\(show(tick, tickMs)) does not divide \(show(key, value))",
                                  fix: "choose a tick_ms that divides election_timeout_min_ms, election_timeout_max_ms and heartbeat_interval_ms, e.g. tick_ms = \(divisor)")
            }
            let lower = value / tickMs * tickMs
            let example = lower > 0 ? "\(lower) or \(lower + tickMs)" : "\(tickMs)"
            throw ConfigError(.inconsistent, at: origins.location(of: key),
                              problem: "\(show(key, value)) is not a multiple of tick_ms = \(tickMs)",
                              fix: "use a multiple of \(tickMs), e.g. \(example)")
        }

        if electionTimeoutMaxMs < electionTimeoutMinMs {
            if origins.isSet(maxKey) || !origins.isSet(minKey) {
                throw ConfigError(.inconsistent, at: origins.location(of: maxKey),
                                  problem: "\(show(maxKey, electionTimeoutMaxMs)) is below election_timeout_min_ms = \(electionTimeoutMinMs)",
                                  fix: "raise election_timeout_max_ms to at least \(electionTimeoutMinMs) (twice the minimum is usual)")
            }
            throw ConfigError(.inconsistent, at: origins.location(of: minKey),
                              problem: "\(show(minKey, electionTimeoutMinMs)) is above election_timeout_max_ms = \(electionTimeoutMaxMs)",
                              fix: "lower election_timeout_min_ms to at most \(electionTimeoutMaxMs) or raise election_timeout_max_ms")
        }

        if heartbeatIntervalMs * 3 > electionTimeoutMinMs {
            if origins.isSet(heartbeat) || !origins.isSet(minKey) {
                throw ConfigError(.inconsistent, at: origins.location(of: heartbeat),
                                  problem: "\(show(heartbeat, heartbeatIntervalMs)) must be well below election_timeout_min_ms = \(electionTimeoutMinMs) (at most a third of it)",
                                  fix: "lower heartbeat_interval_ms or raise the election timeout")
            }
            throw ConfigError(.inconsistent, at: origins.location(of: minKey),
                              problem: "\(show(minKey, electionTimeoutMinMs)) must be at least three times heartbeat_interval_ms = \(heartbeatIntervalMs)",
                              fix: "raise election_timeout_min_ms to at least \(heartbeatIntervalMs * 3) or lower heartbeat_interval_ms")
        }
    }

    private func validateNodeSections() throws(ConfigError) {
        for id in nodeAddressOverrides.keys.sorted() where id > nodeCount {
            throw ConfigError(.inconsistent, at: origins.location(of: "node.\(id).address"),
                              problem: "[node.\(id)] sets an address but node_count = \(nodeCount)",
                              fix: "remove [node.\(id)] or raise node_count to \(id)")
        }
        let highest = nodeIDs.filter { nodeAddressOverrides[$0] == nil }.max()
        if let highest, basePort + highest - 1 > 65535 {
            throw ConfigError(.outOfRange, at: origins.location(of: "cluster.base_port"),
                              problem: "\(show("cluster.base_port", basePort)) puts node \(highest) on port \(basePort + highest - 1), beyond 65535",
                              fix: "lower base_port to at most \(65535 - highest + 1)")
        }
    }

    /// The largest number no greater than `limit` that divides every value.
    private static func largestDivisor(of values: [Int], atMost limit: Int) -> Int {
        var candidate = max(limit, 1)
        while candidate > 1 && !values.allSatisfy({ $0 % candidate == 0 }) { candidate -= 1 }
        return candidate
    }
}
