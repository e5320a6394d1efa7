/// A host and TCP port a listener binds or a client connects to.
public struct NodeAddress: Sendable, Hashable, CustomStringConvertible {
    /// A host name or IP address (IPv6 without brackets).
    public var host: String
    /// A TCP port, 1...65535.
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port`, or `[ipv6]:port`. Returns nil when either part is missing or the port is
    /// not a number; the port's range is checked by validation.
    public init?(parsing text: String) {
        let hostPart: Substring
        let portPart: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"),
                  text[text.index(after: close)...].hasPrefix(":") else { return nil }
            hostPart = text[text.index(after: text.startIndex)..<close]
            portPart = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            hostPart = text[..<colon]
            portPart = text[text.index(after: colon)...]
            if hostPart.contains(":") { return nil }
        }
        guard !hostPart.isEmpty, !hostPart.contains(where: \.isWhitespace),
              !portPart.isEmpty, portPart.allSatisfy(\.isASCII), portPart.allSatisfy(\.isNumber),
              let port = Int(portPart) else { return nil }
        self.host = String(hostPart)
        self.port = port
    }

    /// `host:port`, with brackets around an IPv6 host.
    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// Whether two addresses name the same listener: hosts compare without case, and `localhost`
    /// counts as `127.0.0.1`.
    func collides(with other: NodeAddress) -> Bool {
        port == other.port && Self.canonicalHost(host) == Self.canonicalHost(other.host)
    }

    private static func canonicalHost(_ host: String) -> String {
        let lowered = host.lowercased()
        return lowered == "localhost" ? "127.0.0.1" : lowered
    }
}
