/// The sections config.ini may have: the fixed ones and `[node.N]`.
enum SectionName: Equatable {
    case fixed(String)
    case node(Int)

    /// Resolves a section name, or explains why it is not one (suggesting a near miss).
    static func resolve(_ name: String, at location: SourceLocation) throws(ConfigError) -> SectionName {
        if ConfigKey.sections.contains(name) { return .fixed(name) }
        if name.hasPrefix("node.") {
            let idText = String(name.dropFirst("node.".count))
            guard let id = ValueParser.integer(idText), (1...9).contains(id) else {
                throw ConfigError(.unknownSection, at: location,
                                  problem: "[\(name)] does not name a node",
                                  fix: "write [node.N] with N a node id from 1 to node_count, e.g. [node.1]")
            }
            return .node(id)
        }
        let fix: String
        if let near = NearMiss.closest(to: name, among: ConfigKey.sections + ["node"]) {
            fix = near == "node" ? "did you mean [node.N], e.g. [node.1]?" : "did you mean [\(near)]?"
        } else {
            fix = "the sections are [cluster], [raft], [storage], [limits] and [node.N]"
        }
        throw ConfigError(.unknownSection, at: location, problem: "unknown section [\(name)]", fix: fix)
    }

    /// The error for a key its section does not have: names the closest known key, or the section
    /// the key belongs in.
    static func unknownKey(_ name: String, in section: String, at location: SourceLocation) -> ConfigError {
        let problem = "unknown key \(name) in [\(section)]"
        let isNode = section.hasPrefix("node.")
        let sameSection = isNode ? [ConfigKey.nodeAddressKey] : ConfigKey.all.filter { $0.section == section }.map(\.name)
        if let near = NearMiss.closest(to: name, among: sameSection) {
            return ConfigError(.unknownKey, at: location, problem: problem, fix: "did you mean \(near)?")
        }
        if let elsewhere = ConfigKey.all.first(where: { $0.name == name }) {
            return ConfigError(.unknownKey, at: location, problem: problem,
                               fix: "\(name) belongs in [\(elsewhere.section)]; move it there")
        }
        if let near = NearMiss.closest(to: name, among: ConfigKey.all.map(\.name)),
           let key = ConfigKey.all.first(where: { $0.name == near }) {
            return ConfigError(.unknownKey, at: location, problem: problem,
                               fix: "did you mean \(near) (in [\(key.section)])?")
        }
        let known = isNode ? "address" : sameSection.joined(separator: ", ")
        return ConfigError(.unknownKey, at: location, problem: problem,
                           fix: "the keys of [\(section)] are \(known)")
    }
}
