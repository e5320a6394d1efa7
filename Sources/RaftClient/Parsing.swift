import ClusterConfig

/// A malformed command-line value, with what is wrong and how to write it instead.
public struct ArgumentProblem: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// `--endpoints host:port[,host:port...]`.
public enum EndpointList {
    public static func parse(_ text: String) throws(ArgumentProblem) -> [NodeAddress] {
        let items = text.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingSpaces() }
        var addresses: [NodeAddress] = []
        for item in items {
            guard !item.isEmpty else {
                throw ArgumentProblem("empty entry in '\(text)'; separate host:port pairs with single commas")
            }
            guard let address = NodeAddress(parsing: item), (1...65535).contains(address.port) else {
                throw ArgumentProblem("'\(item)' is not host:port (for example 127.0.0.1:9001)")
            }
            if addresses.contains(address) {
                throw ArgumentProblem("\(item) is listed twice")
            }
            addresses.append(address)
        }
        return addresses
    }
}

/// Durations such as `500ms`, `5s`, `1m` or `2.5` (seconds).
public enum DurationText {
    /// A positive duration: `500ms`, `5s`, `1m`, or plain seconds; zero too when `allowingZero`.
    public static func parse(_ text: String, allowingZero: Bool = false) -> Duration? {
        let units: [(suffix: String, seconds: Double)] = [("ms", 0.001), ("s", 1), ("m", 60)]
        var number = text
        var scale = 1.0
        for unit in units where text.hasSuffix(unit.suffix) {
            number = String(text.dropLast(unit.suffix.count))
            scale = unit.seconds
            break
        }
        guard let value = Double(number), value.isFinite, value > 0 || (allowingZero && value == 0) else { return nil }
        return .milliseconds(Int64((value * scale * 1000).rounded()))
    }

    /// `5s`, `500ms`, `1.5s`.
    public static func format(_ duration: Duration) -> String {
        let ms = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        if ms % 1000 == 0 { return "\(ms / 1000)s" }
        if ms < 1000 { return "\(ms)ms" }
        return "\(Double(ms) / 1000)s"
    }
}

/// A partition such as `1,2,3/4,5`: groups of node ids separated by `/`, ids by `,`. Nodes in
/// different groups cannot talk to each other; nodes in one group can.
public struct PartitionSpec: Equatable, Sendable {
    public var groups: [[Int]]

    public init(groups: [[Int]]) { self.groups = groups }

    /// Parses and checks a spec against the cluster's node ids: at least two non-empty groups,
    /// every id a node of the cluster, no id twice, and every node in some group.
    public static func parse(_ text: String, nodes: [Int]) throws(ArgumentProblem) -> PartitionSpec {
        let example = "for example 1,2,3/4,5"
        let trimmed = text.trimmingSpaces()
        guard !trimmed.isEmpty else { throw ArgumentProblem("the partition spec is empty; give groups of node ids, \(example)") }
        let groupTexts = trimmed.split(separator: "/", omittingEmptySubsequences: false)
        guard groupTexts.count >= 2 else {
            throw ArgumentProblem("'\(text)' is a single group, which cuts nothing off; separate two or more groups with '/', \(example)")
        }
        var groups: [[Int]] = []
        var seen: Set<Int> = []
        for (position, groupText) in groupTexts.enumerated() {
            let idTexts = groupText.split(separator: ",", omittingEmptySubsequences: false)
                .map { $0.trimmingSpaces() }
            if idTexts.allSatisfy(\.isEmpty) {
                throw ArgumentProblem("group \(position + 1) of '\(text)' is empty; every group needs at least one node id, \(example)")
            }
            var group: [Int] = []
            for idText in idTexts {
                guard !idText.isEmpty else {
                    throw ArgumentProblem("empty node id in '\(text)'; separate ids with single commas, \(example)")
                }
                guard let id = Int(idText), id > 0 else {
                    throw ArgumentProblem("'\(idText)' is not a node id; ids are positive numbers, \(example)")
                }
                guard nodes.contains(id) else {
                    throw ArgumentProblem("node \(id) is not in this cluster (nodes: \(nodes.map(String.init).joined(separator: ",")))")
                }
                guard seen.insert(id).inserted else {
                    throw ArgumentProblem("node \(id) appears more than once in '\(text)'; put each node in exactly one group")
                }
                group.append(id)
            }
            groups.append(group)
        }
        let missing = nodes.filter { !seen.contains($0) }
        if !missing.isEmpty {
            let list = missing.map(String.init).joined(separator: ",")
            throw ArgumentProblem("node\(missing.count == 1 ? "" : "s") \(list) \(missing.count == 1 ? "is" : "are") in no group; list every node in one group (\(example))")
        }
        return PartitionSpec(groups: groups)
    }

    /// For each node, the nodes it is cut off from: everyone in the other groups.
    public var cuts: [(node: Int, peers: [Int])] {
        groups.enumerated().flatMap { index, group in
            let others = groups.enumerated().filter { $0.offset != index }.flatMap(\.element).sorted()
            return group.map { (node: $0, peers: others) }
        }
    }
}
