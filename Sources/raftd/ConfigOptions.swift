import ArgumentParser
import ClusterConfig

/// The options every subcommand shares: which config file, and key overrides.
struct ConfigOptions: ParsableArguments {
    @Option(name: .long, help: "The configuration file.")
    var config = "config.ini"

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a config key (repeatable).", valueName: "key=value"))
    var overrides: [String] = []

    /// Loads, overrides, validates and prepares the state directory, or exits with the error.
    func load() throws -> ClusterConfig {
        try configuration(ClusterConfig.load(path:overrides:))
    }

    /// Loads, overrides and validates the configuration, touching no other file.
    func read() throws -> ClusterConfig {
        try configuration(ClusterConfig.read(path:overrides:))
    }

    private func configuration(
        _ reader: (String, [String: String]) throws(ConfigError) -> ClusterConfig
    ) throws -> ClusterConfig {
        var pairs: [String: String] = [:]
        for item in overrides {
            guard let equals = item.firstIndex(of: "="), equals != item.startIndex else {
                throw ValidationError("--set takes key=value, got '\(item)'")
            }
            pairs[String(item[..<equals])] = String(item[item.index(after: equals)...])
        }
        do {
            return try reader(config, pairs)
        } catch {
            throw DaemonError(message: error.description)
        }
    }
}

/// A failure that ends the daemon with a one-line explanation.
struct DaemonError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
