import ArgumentParser
import Chaos
import Foundation
import Linearizability
import RaftClient

/// `raft-chaos`: Jepsen-style fault schedules against a real 5-node cluster, each history
/// checked for linearizability. See docs/testing.md.
@main
struct RaftChaos: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "raft-chaos",
        abstract: "Attack a real raftkv cluster with faults and check every history for linearizability.",
        discussion: """
            Schedule i of a suite uses nemesis i of the rotation (or of --nemesis) and seed SEED+i; each \
            gets a fresh 5-node cluster. Artifacts go to <artifacts>/<time>-seed-<seed>/schedule-<i>-<nemesis>/. \
            Exits 1 when any schedule fails, after printing the command that reruns it. \
            `raft-chaos check <history.jsonl>` re-runs the checker on a recorded history.
            """,
        subcommands: [Run.self, Check.self], defaultSubcommand: Run.self)
}

extension RaftChaos {
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run a suite of fault schedules (the default).")

        @Option(help: "Number of schedules.")
        var schedules = 20

        @Option(help: "Seed of the suite; schedule i uses seed+i. Random when omitted.")
        var seed: UInt64?

        @Option(help: "Length of each schedule, e.g. 60s.", transform: { text in
            guard let duration = DurationText.parse(text), duration >= .seconds(10) else {
                throw ValidationError("--duration '\(text)' is not a duration of at least 10s (for example 60s or 2m)")
            }
            return duration
        })
        var duration: Duration = .seconds(60)

        @Option(help: "Concurrent clients (even ones use the gateway, odd ones the nodes).")
        var clients = 10

        @Option(help: "Number of keys the clients share.")
        var keys = 16

        @Option(help: "Comma-separated nemeses to cycle through (default: all but mixed; netns ones only as root with working `ip netns`). Known: \(NemesisKind.allCases.map(\.rawValue).joined(separator: ", ")).")
        var nemesis: String?

        @Flag(help: "Leave out the nemeses that need network namespaces even when they would work.")
        var noNetns = false

        @Option(help: "Path of the raftd executable (default: next to raft-chaos).")
        var raftd: String?

        @Option(help: "Directory that receives the suite's artifact directory.")
        var artifacts = "chaos-artifacts"

        func validate() throws {
            guard schedules > 0 else { throw ValidationError("--schedules must be at least 1") }
            guard clients > 0, keys > 0 else { throw ValidationError("--clients and --keys must be at least 1") }
        }

        func run() async throws {
            let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
            let raftdURL = raftd.map { URL(fileURLWithPath: $0) }
                ?? executable.deletingLastPathComponent().appendingPathComponent("raftd")
            guard FileManager.default.isExecutableFile(atPath: raftdURL.path) else {
                throw ValidationError("no raftd executable at \(raftdURL.path); build it (swift build --product raftd) or pass --raftd")
            }
            let nemeses = try chooseNemeses()
            let options = SuiteOptions(
                raftd: raftdURL, artifactsRoot: URL(fileURLWithPath: artifacts), seed: seed ?? UInt64.random(in: 1...999_999),
                schedules: schedules, duration: duration, clients: clients, keys: keys,
                nemeses: nemeses)
            let outcome = try await SuiteRunner(options: options, executableName: executable.path).run { line in
                FileHandle.standardOutput.write(Data((line + "\n").utf8))
            }
            if !outcome.passed { throw ExitCode(1) }
        }

        /// The --nemesis list, or the default rotation with namespace kinds when they work here.
        private func chooseNemeses() throws -> [NemesisKind] {
            guard let nemesis else {
                let problem = noNetns ? "--no-netns" : NamespaceNetwork.unavailableReason()
                if let problem { FileHandle.standardError.write(Data("raft-chaos: leaving out the netns nemeses (\(problem))\n".utf8)) }
                return NemesisKind.rotation(networkNamespaces: problem == nil)
            }
            let kinds = try nemesis.split(separator: ",").map { name in
                guard let kind = NemesisKind(rawValue: name.trimmingCharacters(in: .whitespaces)) else {
                    throw ValidationError("unknown nemesis '\(name)'; choose from \(NemesisKind.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return kind
            }
            if kinds.contains(where: \.needsNetworkNamespaces), let problem = NamespaceNetwork.unavailableReason() {
                throw ValidationError("\(kinds.filter(\.needsNetworkNamespaces).map(\.rawValue).joined(separator: ", ")) cannot run: \(problem); run as root on Linux with iproute2, or choose other nemeses")
            }
            return kinds
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check a recorded history.jsonl for linearizability.")

        @Argument(help: "A history.jsonl from a schedule's artifact directory.")
        var history: String

        func run() throws {
            let text = try String(contentsOfFile: history, encoding: .utf8)
            let decoder = JSONDecoder()
            var operations: [Linearizability.Operation] = []
            for (number, line) in text.split(separator: "\n").enumerated() {
                do {
                    operations.append(try decoder.decode(HistoryEntry.self, from: Data(line.utf8)).operation)
                } catch {
                    throw ValidationError("\(history):\(number + 1): not a history entry: \(error)")
                }
            }
            let result = try LinearizabilityChecker().check(operations)
            print(result.description)
            if !result.isLinearizable { throw ExitCode(1) }
        }
    }
}
