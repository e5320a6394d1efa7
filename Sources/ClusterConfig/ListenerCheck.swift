/// Checks that no two listeners (the nodes and the gateway) share a host and port.
struct ListenerCheck {
    /// One listener, with the setting that put it where it is.
    struct Listener {
        var name: String
        var address: NodeAddress
        /// The qualified key to blame.
        var key: String
        /// How strongly this listener's own setting is to blame: an address override, then a key
        /// set in the file, then a default.
        var weight: Int
        var setting: String
    }

    let config: ClusterConfig

    func validate() throws(ConfigError) {
        let all = listeners()
        for (laterIndex, later) in all.enumerated() {
            for earlier in all[..<laterIndex] where earlier.address.collides(with: later.address) {
                let (blamed, other) = later.weight >= earlier.weight ? (later, earlier) : (earlier, later)
                throw ConfigError(.addressConflict, at: config.origins.location(of: blamed.key),
                                  problem: "\(blamed.setting) puts \(blamed.name) on \(blamed.address), where \(other.name) also listens",
                                  fix: fix(blaming: blamed, other: other))
            }
        }
    }

    private func listeners() -> [Listener] {
        var result: [Listener] = []
        for id in config.nodeIDs {
            if let address = config.nodeAddressOverrides[id] {
                result.append(Listener(name: "node \(id)", address: address, key: "node.\(id).address",
                                       weight: 2, setting: "[node.\(id)] address = \(address)"))
            } else {
                result.append(Listener(name: "node \(id)", address: config.nodeAddress(id), key: "cluster.base_port",
                                       weight: config.origins.isSet("cluster.base_port") ? 1 : 0,
                                       setting: config.show("cluster.base_port", config.basePort)))
            }
        }
        result.append(Listener(name: "the gateway", address: NodeAddress(host: config.baseAddress, port: config.gatewayPort),
                               key: "cluster.gateway_port",
                               weight: config.origins.isSet("cluster.gateway_port") ? 1 : 0,
                               setting: config.show("cluster.gateway_port", config.gatewayPort)))
        return result
    }

    private func fix(blaming blamed: Listener, other: Listener) -> String {
        let last = config.basePort + config.nodeCount - 1
        switch blamed.key {
        case "cluster.gateway_port":
            return "choose a gateway_port outside the nodes' ports \(config.basePort)...\(last)"
        case "cluster.base_port":
            return "choose a base_port whose ports base_port...base_port + \(config.nodeCount - 1) avoid \(other.address.port)"
        default:
            return "give each node and the gateway its own host:port"
        }
    }
}
