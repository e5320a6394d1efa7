import Foundation

/// Finds loopback ports for a test cluster: chosen at random above 20000 and checked by binding,
/// never the shipped 9001-9005 and 8001.
public enum FreePorts {
    /// Why no ports were found.
    public struct Exhausted: Error, CustomStringConvertible {
        public var description: String { "no run of free loopback ports found above 20000; free some ports and retry" }
    }

    /// The first of `count` consecutive free ports.
    public static func consecutive(_ count: Int) throws(Exhausted) -> Int {
        for _ in 0..<200 {
            let base = Int.random(in: 20_000...(60_000 - count))
            if (base..<(base + count)).allSatisfy(isFree) { return base }
        }
        throw Exhausted()
    }

    /// Whether `port` can be bound on 127.0.0.1 right now.
    public static func isFree(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }
}
