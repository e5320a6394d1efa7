import Foundation

/// Everything that shapes a suite run; schedule `i` is a pure function of these and `i`.
public struct SuiteOptions: Sendable {
    /// The `raftd` executable to run.
    public var raftd: URL
    /// Where the suite's artifact directory is created.
    public var artifactsRoot: URL
    public var seed: UInt64
    public var schedules: Int
    public var duration: Duration
    public var clients: Int
    public var keys: Int
    /// Kinds to cycle through, one per schedule.
    public var nemeses: [NemesisKind]
    /// Deadline of each client request.
    public var requestTimeout: Duration

    public init(raftd: URL, artifactsRoot: URL, seed: UInt64, schedules: Int,
                duration: Duration = .seconds(60), clients: Int = 10, keys: Int = 16,
                nemeses: [NemesisKind] = NemesisKind.rotation(networkNamespaces: false), requestTimeout: Duration = .seconds(1)) {
        self.raftd = raftd
        self.artifactsRoot = artifactsRoot
        self.seed = seed
        self.schedules = schedules
        self.duration = duration
        self.clients = clients
        self.keys = keys
        self.nemeses = nemeses
        self.requestTimeout = requestTimeout
    }

    /// Schedule `index`: nemesis `index` of the rotation, seed `seed + index`.
    public func schedule(_ index: Int) -> Schedule {
        Schedule(kind: nemeses[index % nemeses.count], seed: seed &+ UInt64(index), duration: duration)
    }

    /// The command that reruns schedule `index` alone, exactly as planned: a one-schedule suite
    /// whose seed is this schedule's seed and whose only nemesis is this schedule's.
    public func rerunCommand(_ index: Int, executable: String) -> String {
        let schedule = schedule(index)
        return [executable, "--seed", "\(schedule.seed)", "--schedules", "1", "--nemesis", schedule.kind.rawValue,
                "--duration", "\(duration.components.seconds)s", "--clients", "\(clients)", "--keys", "\(keys)",
                "--raftd", raftd.path].joined(separator: " ")
    }
}
