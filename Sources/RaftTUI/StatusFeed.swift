import ClusterConfig
import Dashboard
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import RaftClient
import RaftProto

/// The dashboard's view of the network: one WatchStatus stream per node, reopened after a pause
/// when it breaks, and a poll of the Supervisor's process list. Everything goes to the inbox.
struct StatusFeed: Sendable {
    let nodes: [(id: Int, endpoint: ClusterEndpoint)]
    let gateway: ClusterEndpoint
    let inbox: Inbox

    /// Pause before reopening a broken stream, and between supervisor polls.
    static let retryDelay: Duration = .milliseconds(500)
    /// The fastest the nodes are asked to push updates.
    static let pushInterval: UInt32 = 50

    /// Runs until cancelled.
    func run() async {
        await withDiscardingTaskGroup { group in
            for node in nodes {
                group.addTask { await watch(node.id, node.endpoint) }
            }
            group.addTask { await pollSupervisor() }
        }
    }

    private func watch(_ id: Int, _ endpoint: ClusterEndpoint) async {
        var request = Raftkv_V1_WatchStatusRequest()
        request.minIntervalMs = Self.pushInterval
        var options = CallOptions.defaults
        options.waitForReady = false
        while !Task.isCancelled {
            do {
                let transport = try HTTP2ClientTransport.Posix(target: Remote.resolverTarget(endpoint.address), transportSecurity: .plaintext)
                try await withGRPCClient(transport: transport) { client in
                    try await Raftkv_V1_Control.Client(wrapping: client).watchStatus(request, options: options) { response in
                        for try await status in response.messages {
                            inbox.post(.feed(node: id, .status(NodeStatus(status))))
                        }
                    }
                }
                inbox.post(.feed(node: id, .failed("the status stream ended")))
            } catch {
                if Task.isCancelled { return }
                inbox.post(.feed(node: id, .failed(RemoteFailure.from(error, timeout: .zero).shortReason)))
            }
            try? await Task.sleep(for: Self.retryDelay)
        }
    }

    /// Which nodes `raftd cluster` has stopped or paused. A plain gateway has no Supervisor: then
    /// process states stay unknown and the poll ends.
    private func pollSupervisor() async {
        while !Task.isCancelled {
            do throws(RemoteFailure) {
                let list = try await Remote.call(gateway, timeout: .seconds(1)) { client, options in
                    try await SupervisorClient(wrapping: client).listServers(Raftkv_V1_ListServersRequest(), options: options)
                }
                var states: [Int: ProcessState] = [:]
                for server in list.servers { states[Int(server.id)] = ProcessState(rawValue: server.state) }
                inbox.post(.feed(node: 0, .processes(states)))
            } catch {
                inbox.post(.feed(node: 0, .processes([:])))
                if case .rejected(.unimplemented, _) = error { return }
            }
            try? await Task.sleep(for: Self.retryDelay)
        }
    }
}
