import Foundation
import Synchronization

/// Real network isolation for one cluster: each node in its own network namespace, attached by a
/// veth pair to a bridge in the runner's namespace, on a private /24 (nodes `.1`-`.N`, the bridge
/// and so the gateway and clients `.254`). Faults are applied by the kernel, not by the nodes:
/// blackhole routes inside a node's namespace drop its packets to chosen peers, and taking its
/// link down cuts it off from everyone. Needs root and `ip` (iproute2).
public final class NamespaceNetwork: Sendable {
    /// Prefix of every namespace and interface name, so leftovers are easy to spot (`ip netns`).
    static let prefix = "rkc"

    let tag: String
    let subnet: String
    let nodeIDs: [Int]
    private let routes = Mutex<Set<[String]>>([])
    private let downLinks = Mutex<Set<Int>>([])

    /// Why namespaces cannot be used here, or `nil` when they can.
    public static func unavailableReason() -> String? {
        guard geteuid() == 0 else { return "network namespaces need root" }
        let probe = "\(prefix)probe\(getpid() % 10_000)"
        do {
            try SystemCommand.run(["ip", "netns", "add", probe])
            try SystemCommand.run(["ip", "netns", "del", probe])
            return nil
        } catch {
            return "`ip netns` does not work here: \(error)"
        }
    }

    /// Creates the bridge, the namespaces and their links; undoes what it did if a step fails.
    public init(nodeIDs: [Int]) throws {
        self.nodeIDs = nodeIDs
        let existing = (try? SystemCommand.run(["ip", "-o", "addr", "show"])) ?? ""
        let namespaces = (try? SystemCommand.run(["ip", "netns", "list"])) ?? ""
        var tag = "", subnet = ""
        repeat {
            tag = String(Int.random(in: 0..<0x10000), radix: 16)
            subnet = "10.99.\(Int.random(in: 0...255))"
        } while existing.contains(subnet + ".") || namespaces.contains(Self.prefix + tag)
        self.tag = tag
        self.subnet = subnet
        do {
            try SystemCommand.run(["ip", "link", "add", bridge, "type", "bridge"])
            try SystemCommand.run(["ip", "addr", "add", "\(hostAddress)/24", "dev", bridge])
            try SystemCommand.run(["ip", "link", "set", bridge, "up"])
            for node in nodeIDs {
                let namespace = namespace(of: node), inside = "\(Self.prefix)\(tag)n\(node)", outside = hostLink(of: node)
                try SystemCommand.run(["ip", "netns", "add", namespace])
                try SystemCommand.run(["ip", "link", "add", outside, "type", "veth", "peer", "name", inside])
                try SystemCommand.run(["ip", "link", "set", inside, "netns", namespace])
                try SystemCommand.run(["ip", "link", "set", outside, "master", bridge, "up"])
                try SystemCommand.run(["ip", "-n", namespace, "addr", "add", "\(address(of: node))/24", "dev", inside])
                try SystemCommand.run(["ip", "-n", namespace, "link", "set", inside, "up"])
                try SystemCommand.run(["ip", "-n", namespace, "link", "set", "lo", "up"])
            }
        } catch {
            tearDown()
            throw error
        }
    }

    var bridge: String { "\(Self.prefix)\(tag)b" }
    func namespace(of node: Int) -> String { "\(Self.prefix)\(tag)-\(node)" }
    func hostLink(of node: Int) -> String { "\(Self.prefix)\(tag)h\(node)" }

    /// The address the gateway and the clients use in the runner's namespace.
    public var hostAddress: String { "\(subnet).254" }
    public func address(of node: Int) -> String { "\(subnet).\(node)" }

    /// The command prefix that runs a program inside node `node`'s namespace.
    func launchPrefix(for node: Int) throws -> [String] {
        [try SystemCommand.resolve("ip"), "netns", "exec", namespace(of: node)]
    }

    /// Drops every packet between the pairs `cuts` names, in both directions.
    public func cut(_ cuts: PartitionCuts) throws {
        for (node, peers) in cuts.cuts {
            for peer in peers {
                let route = ["ip", "-n", namespace(of: node), "route", "add", "blackhole", "\(address(of: peer))/32"]
                try SystemCommand.run(route)
                routes.withLock { _ = $0.insert(route) }
            }
        }
    }

    /// Takes node `node`'s only link down: it reaches nobody and nobody reaches it.
    public func disconnect(_ node: Int) throws {
        try SystemCommand.run(["ip", "link", "set", hostLink(of: node), "down"])
        downLinks.withLock { _ = $0.insert(node) }
    }

    /// Removes every cut and brings every link back up; returns what could not be undone.
    @discardableResult
    public func healAll() -> [String] {
        var problems: [String] = []
        for route in routes.withLock({ routes in defer { routes.removeAll() }; return routes }) {
            var delete = route
            delete[4] = "del"
            do { try SystemCommand.run(delete) } catch { problems.append("\(error)") }
        }
        for node in downLinks.withLock({ links in defer { links.removeAll() }; return links }) {
            do { try SystemCommand.run(["ip", "link", "set", hostLink(of: node), "up"]) } catch { problems.append("\(error)") }
        }
        return problems
    }

    /// Deletes the namespaces (their veth ends go with them) and the bridge. Call after every
    /// process in the namespaces has exited.
    public func tearDown() {
        for node in nodeIDs {
            _ = try? SystemCommand.run(["ip", "netns", "del", namespace(of: node)])
            _ = try? SystemCommand.run(["ip", "link", "del", hostLink(of: node)])
        }
        _ = try? SystemCommand.run(["ip", "link", "del", bridge])
    }
}
