import Foundation

/// Checks that a TCP port can be bound on a host, so that `raftd cluster` fails at once and
/// clearly when another cluster already runs, instead of leaving half-started nodes behind.
enum PortCheck {
    /// Nil when free, otherwise the reason.
    static func problem(host: String, port: Int) -> String? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return "cannot create a socket: \(String(cString: strerror(errno)))" }
        defer { close(fd) }
        var reuse: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { return "\(host) is not an IPv4 address" }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return result == 0 ? nil : String(cString: strerror(errno))
    }
}
