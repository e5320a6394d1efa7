import ClusterConfig
import GRPCCore
import GRPCNIOTransportHTTP2Posix

/// Who a request goes to: the gateway or one node, by address.
public struct ClusterEndpoint: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable { case gateway, node }
    public var address: NodeAddress
    public var kind: Kind

    public init(address: NodeAddress, kind: Kind) {
        self.address = address
        self.kind = kind
    }

    public var description: String { address.description }
}

/// Why a request to one endpoint failed.
public enum RemoteFailure: Error {
    /// No connection: refused, unresolvable host, network unreachable.
    case unreachable(reason: String)
    /// No answer within the deadline.
    case timedOut(Duration)
    /// The node is not the leader; the leader's address when the node knows it.
    case notLeader(leaderID: String?, leaderAddress: String?, message: String)
    /// The server answered with an error status.
    case rejected(code: RPCError.Code, message: String)

    /// Classifies an error thrown by a gRPC call.
    public static func from(_ error: any Error, timeout: Duration) -> RemoteFailure {
        if let failure = error as? RemoteFailure { return failure }
        guard let rpc = error as? RPCError else { return .unreachable(reason: String(describing: error)) }
        switch rpc.code {
        case .deadlineExceeded:
            return .timedOut(timeout)
        case .unavailable:
            let leaderID = rpc.metadata[stringValues: "raftkv-leader-id"].first(where: { _ in true })
            let leaderAddress = rpc.metadata[stringValues: "raftkv-leader-address"].first(where: { _ in true })
            if leaderID != nil || leaderAddress != nil || rpc.message.contains("not the leader") || rpc.message.contains("not leader") {
                return .notLeader(leaderID: leaderID, leaderAddress: leaderAddress, message: rpc.message)
            }
            if isTransportMessage(rpc.message) { return .unreachable(reason: connectionReason(rpc)) }
            return .rejected(code: rpc.code, message: rpc.message)
        default:
            return .rejected(code: rpc.code, message: rpc.message)
        }
    }

    /// Messages the gRPC client produces itself when it has no connection.
    public static func isTransportMessage(_ message: String) -> Bool {
        ["transient failure", "Could not establish a connection", "no subchannel", "Channel is shutting down",
         "channel is closed", "channel is shutdown", "Couldn't resolve"].contains { message.contains($0) }
    }

    /// A short reason such as "connection refused", from the error and its causes.
    public static func connectionReason(_ error: RPCError) -> String {
        var descriptions: [String] = [error.message]
        var cause: (any Error)? = error.cause
        var depth = 0
        while let current = cause, depth < 8 {
            if let rpc = current as? RPCError {
                descriptions.append(rpc.message)
                cause = rpc.cause
            } else {
                descriptions.append(String(describing: current))
                cause = nil
            }
            depth += 1
        }
        let all = descriptions.joined(separator: " ").lowercased()
        if all.contains("connection refused") { return "connection refused" }
        if all.contains("couldn't resolve") || all.contains("name or service not known") { return "cannot resolve the host name" }
        if all.contains("no route to host") || all.contains("network is unreachable") { return "host unreachable" }
        if all.contains("timed out") || all.contains("timeout") { return "connection timed out" }
        return descriptions.last ?? error.message
    }

    /// A one-line explanation naming the endpoint and what to do about it.
    public func explanation(for endpoint: ClusterEndpoint) -> String {
        switch self {
        case .unreachable(let reason):
            switch endpoint.kind {
            case .gateway:
                return "cannot reach the gateway at \(endpoint): \(reason) (is `raftd cluster` or `raftd gateway` running? To talk to nodes directly, pass --endpoints)"
            case .node:
                return "cannot reach the node at \(endpoint): \(reason) (is `raftd node` running there? Check --endpoints or config.ini)"
            }
        case .timedOut(let timeout):
            return "\(endpoint) did not answer within \(DurationText.format(timeout)) (the cluster may have no leader: check `raftctl status`, or raise --timeout)"
        case .notLeader(let leaderID, let leaderAddress, let message):
            var text = "\(endpoint) is not the leader: \(message)"
            if let leaderID { text += " (leader: node \(leaderID)\(leaderAddress.map { " at \($0)" } ?? ""))" }
            return text
        case .rejected(let code, let message):
            switch code {
            case .invalidArgument: return message
            case .permissionDenied: return "\(endpoint) refused: \(message)"
            case .unavailable: return "\(message) (check `raftctl status`)"
            default: return "\(endpoint) answered \(code): \(message)"
            }
        }
    }
}

/// The largest answer a raftkv server can send: a key and a value at the highest limits
/// config.ini accepts, and framing. gRPC clients refuse inbound messages above 4 MiB unless told
/// otherwise, which would fail reads of values a cluster accepted.
public enum AnswerSizeLimit {
    public static let bytes = ClusterConfig.largestKeyBytes + ClusterConfig.largestValueBytes + (1 << 20)
}

/// Opens gRPC connections and runs calls with raftctl's deadline.
public enum Remote {
    /// Runs `body` with a client connected to `endpoint`, translating failures to `RemoteFailure`.
    public static func call<Result: Sendable>(
        _ endpoint: ClusterEndpoint, timeout: Duration,
        _ body: (GRPCClient<HTTP2ClientTransport.Posix>, CallOptions) async throws -> Result
    ) async throws(RemoteFailure) -> Result {
        var options = CallOptions.defaults
        options.timeout = timeout
        options.waitForReady = false
        options.maxRequestMessageBytes = AnswerSizeLimit.bytes
        do {
            let transport = try HTTP2ClientTransport.Posix(
                target: resolverTarget(endpoint.address), transportSecurity: .plaintext)
            return try await withGRPCClient(transport: transport) { client in
                try await body(client, options)
            }
        } catch {
            throw RemoteFailure.from(error, timeout: timeout)
        }
    }

    public static func resolverTarget(_ address: NodeAddress) -> any ResolvableTarget {
        if address.host.contains(":") {
            let target: ResolvableTargets.IPv6 = .ipv6(address: address.host, port: address.port)
            return target
        }
        let parts = address.host.split(separator: ".")
        if parts.count == 4, parts.allSatisfy({ UInt8($0) != nil }) {
            let target: ResolvableTargets.IPv4 = .ipv4(address: address.host, port: address.port)
            return target
        }
        let target: ResolvableTargets.DNS = .dns(host: address.host, port: address.port)
        return target
    }
}
