import ClusterConfig
import Foundation
import GRPCCore
import RaftClient
import RaftProto

/// What a command needs from the global options: the cluster's addresses, the deadline, the
/// output format. The config file is read only when a command needs it.
struct Context {
    let globals: GlobalOptions

    var timeout: Duration { globals.timeout.duration }
    var format: OutputFormat { globals.writeOut }

    /// The `--endpoints` nodes, or nil when raftctl goes through config.ini.
    var explicitEndpoints: [ClusterEndpoint]? {
        guard let text = globals.endpoints, let addresses = try? EndpointList.parse(text) else { return nil }
        return addresses.map { ClusterEndpoint(address: $0, kind: .node) }
    }

    /// Reads and validates the config file without touching the state directory.
    func config() throws -> ClusterConfig {
        let path = globals.config
        guard FileManager.default.fileExists(atPath: path) else {
            throw CommandFailure("cannot read \(path): no such file (run raftctl where config.ini is, pass --config PATH, or name the nodes with --endpoints host:port,...)")
        }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw CommandFailure("cannot read \(path): \(error.localizedDescription) (pass --config PATH to a readable file)")
        }
        do {
            return try ClusterConfig.parse(text: text, fileName: path)
        } catch {
            throw CommandFailure(error.description)
        }
    }

    /// Where key-value requests go: the `--endpoints` nodes, else the gateway.
    func kvEndpoints() throws -> [ClusterEndpoint] {
        if let explicitEndpoints { return explicitEndpoints }
        return [try gateway()]
    }

    /// The gateway from config.ini.
    func gateway() throws -> ClusterEndpoint {
        let address = try config().gatewayAddress
        return ClusterEndpoint(address: NodeAddress(host: address.host, port: address.port), kind: .gateway)
    }

    /// Every node: the `--endpoints` list, else the nodes of config.ini.
    func nodeEndpoints() throws -> [ClusterEndpoint] {
        if let explicitEndpoints { return explicitEndpoints }
        let config = try config()
        return config.nodeIDs.map { id in
            let address = config.address(ofNode: id)
            return ClusterEndpoint(address: NodeAddress(host: address.host, port: address.port), kind: .node)
        }
    }

    /// Node ids and their endpoints. From config.ini directly; with `--endpoints`, by asking each
    /// endpoint its id (endpoints that do not answer are left out).
    func nodesByID() async throws -> [Int: ClusterEndpoint] {
        if explicitEndpoints == nil {
            let config = try config()
            let endpoints = try nodeEndpoints()
            return Dictionary(uniqueKeysWithValues: zip(config.nodeIDs, endpoints))
        }
        var nodes: [Int: ClusterEndpoint] = [:]
        for (endpoint, result) in await statuses(of: try nodeEndpoints()) {
            if case .success(let status) = result { nodes[Int(status.id)] = endpoint }
        }
        return nodes
    }

    /// Control.Status of each endpoint, asked concurrently, in the order given.
    func statuses(of endpoints: [ClusterEndpoint]) async -> [(ClusterEndpoint, Result<Raftkv_V1_NodeStatus, RemoteFailure>)] {
        let timeout = self.timeout
        return await withTaskGroup(of: (Int, Result<Raftkv_V1_NodeStatus, RemoteFailure>).self) { group in
            for (index, endpoint) in endpoints.enumerated() {
                group.addTask {
                    do throws(RemoteFailure) {
                        let status = try await Remote.call(endpoint, timeout: timeout) { client, options in
                            try await Raftkv_V1_Control.Client(wrapping: client).status(Raftkv_V1_StatusRequest(), options: options)
                        }
                        return (index, .success(status))
                    } catch {
                        return (index, .failure(error))
                    }
                }
            }
            var results = [(ClusterEndpoint, Result<Raftkv_V1_NodeStatus, RemoteFailure>)?](repeating: nil, count: endpoints.count)
            for await (index, result) in group { results[index] = (endpoints[index], result) }
            return results.compactMap { $0 }
        }
    }

    /// Writes to stdout, adding a newline to text that lacks one.
    func emit(_ text: String) {
        guard !text.isEmpty else { return }
        emit(Array(text.utf8) + (text.hasSuffix("\n") ? [] : [0x0A]))
    }

    func emit(_ bytes: [UInt8]) {
        FileHandle.standardOutput.write(Data(bytes))
    }
}
