import ArgumentParser
import ClusterConfig
import Dashboard
import Foundation
import RaftClient

/// `raft-tui`: the live dashboard of a raftkv cluster.
@main
struct RaftTUI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "raft-tui",
        abstract: "Watch a raftkv cluster live and inject faults from the keyboard.",
        discussion: """
            Reads the node and gateway addresses from config.ini and follows every node's \
            WatchStatus stream. Press ? for the keys, : for the command line (put, get, del, cas, \
            kill, start, pause, resume, partition, heal, transfer), q to quit. kill/start/pause/resume \
            need `raftd cluster`, partition and heal need fault_injection = true.
            """)

    @Option(help: "The configuration file naming the nodes and the gateway.")
    var config = "config.ini"

    @Flag(help: "Draw without colour (NO_COLOR in the environment does the same).")
    var noColor = false

    @Option(help: ArgumentHelp("Deadline for each command, such as 5s or 500ms.", valueName: "duration"))
    var timeout = "5s"

    func validate() throws {
        if DurationText.parse(timeout) == nil {
            throw ValidationError("--timeout \(timeout) is not a duration; write it like 5s or 500ms")
        }
        if isatty(0) == 0 || isatty(1) == 0 {
            throw ValidationError("raft-tui needs a terminal on standard input and output; run it in a terminal (or a tmux pane), not through a pipe")
        }
    }

    func run() async throws {
        let cluster: ClusterConfig
        do {
            cluster = try ClusterConfig.read(path: config)
        } catch {
            throw ValidationError(error.description)
        }
        let nodes = cluster.nodeIDs.map { id in
            let address = cluster.address(ofNode: id)
            return (id: id, endpoint: ClusterEndpoint(address: NodeAddress(host: address.host, port: address.port), kind: .node))
        }
        let gatewayAddress = cluster.gatewayAddress
        let gateway = ClusterEndpoint(address: NodeAddress(host: gatewayAddress.host, port: gatewayAddress.port), kind: .gateway)
        let inbox = Inbox()
        let feed = StatusFeed(nodes: nodes, gateway: gateway, inbox: inbox)
        let runner = CommandRunner(nodes: Dictionary(uniqueKeysWithValues: nodes.map { ($0.id, $0.endpoint) }),
                                   gateway: gateway, timeout: DurationText.parse(timeout)!)
        let initial = ClusterState(nodes: nodes.map { (id: $0.id, address: $0.endpoint.description) })
        let feedTask = Task.detached { await feed.run() }
        let wantColors = !noColor
        await MainActor.run {
            Interruption.install()
            var loop = DashboardLoop(screen: Screen(wantColors: wantColors), inbox: inbox, runner: runner, state: DashboardState(cluster: initial))
            loop.run()
        }
        feedTask.cancel()
    }
}
