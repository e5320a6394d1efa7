import ArgumentParser
import ClusterConfig
import Foundation
import ProgramMain
import RaftClient

/// `raftctl bench`: closed-loop load on raftkv or etcd with the same client, so the two can be
/// compared on one machine.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Measure throughput and latency of puts and linearizable gets.",
        discussion: """
            Each client sends its next request as soon as the previous one is answered; clients \
            share --conns long-lived connections. Operations answered during --warmup are not \
            counted. Latencies are kept in an HdrHistogram (3 significant digits).

            --target raftkv goes to the gateway from config.ini, or with --endpoints to the leader \
            among the nodes named (raftkv nodes do not forward client requests). --target etcd \
            speaks etcd's v3 KV API (Put, linearizable Range) to the --endpoints members \
            (default 127.0.0.1:2379), connections spread over them in order.

            raftkv clients use the KV Pipeline stream by default: one stream per connection, \
            many requests in flight on it. --rpc unary sends one gRPC call per request instead, \
            as etcd's clients do.
            """)

    @OptionGroup var globals: GlobalOptions

    @Option(help: "Concurrent clients, 1 to 1024.") var clients = 16
    @Option(help: "gRPC connections the clients share (at most one per client; one, as in etcd's benchmark tool).") var conns = 1
    @Option(help: "Number of distinct keys, chosen uniformly.") var keys = 10_000
    @Option(help: "Bytes per key.") var keySize = 8
    @Option(help: "Bytes per value.") var valueSize = 256
    @Option(help: "Fraction of operations that are puts: 1 only puts, 0 only gets, 0.5 half each.") var ratio = 1.0
    @Option(help: ArgumentHelp("How long to measure.", valueName: "duration"))
    var duration = TimeoutValue(duration: .seconds(10), text: "10s")
    @Option(help: ArgumentHelp("Load before measuring, not counted.", valueName: "duration"))
    var warmup = TimeoutValue(duration: .seconds(2), text: "2s")
    @Option(help: "The system to measure.") var target: BenchSystem = .raftkv
    @Option(help: "How requests travel: pipeline (raftkv's default) or unary (one call each; etcd's only way).")
    var rpc: BenchRPC?
    @Option(help: "Threads the clients run on, 1 to 64: event loops that do the network I/O and run the clients.")
    var threads = 1

    private var effectiveRPC: BenchRPC { rpc ?? (target == .etcd ? .unary : .pipeline) }

    func validate() throws {
        guard (1...1024).contains(clients) else { throw ValidationError("--clients must be 1 to 1024") }
        guard conns >= 1 else { throw ValidationError("--conns must be at least 1") }
        guard (1...64).contains(threads) else { throw ValidationError("--threads must be 1 to 64") }
        guard keys >= 1 else { throw ValidationError("--keys must be at least 1") }
        let needed = BenchWorkload.minimumKeySize(keyCount: keys)
        guard keySize >= needed else {
            throw ValidationError("--key-size \(keySize) cannot hold \(keys) distinct keys: use at least \(needed) or fewer --keys")
        }
        guard valueSize >= 1 else { throw ValidationError("--value-size must be at least 1 (raftkv refuses empty values)") }
        guard (0...1).contains(ratio) else { throw ValidationError("--ratio must be between 0 and 1") }
        guard duration.duration > .zero else { throw ValidationError("--duration must be positive") }
        if target == .etcd, rpc == .pipeline {
            throw ValidationError("--rpc pipeline is raftkv's stream API; etcd is measured with --rpc unary")
        }
    }

    func run() async throws {
        let context = Context(globals: globals)
        let addresses = try await endpoints(context)
        let connectionCount = min(conns, clients)
        let runner = BenchRunner(
            workload: BenchWorkload(keyCount: keys, keySize: keySize, valueSize: valueSize, putRatio: ratio),
            timing: BenchTiming(warmup: warmup.duration, duration: duration.duration, requestTimeout: context.timeout),
            clients: clients)
        let system = target
        let rpc = effectiveRPC
        let tally = try await BenchConnections.with(addresses, count: connectionCount) { connections in
            let targets = connections.map { system.target(over: $0, rpc: rpc) }
            return await withTaskGroup(of: Void.self) { group in
                for target in targets { group.addTask { await target.serve() } }
                let tally = await runner.run(on: targets)
                group.cancelAll()
                return tally
            }
        }
        let report = BenchReport(
            target: target, rpc: rpc, endpoints: addresses.map(\.description).joined(separator: ","), clients: clients,
            conns: connectionCount, threads: EventLoopExecutor.threads, putRatio: ratio, keySize: keySize, valueSize: valueSize,
            measuredSeconds: BenchRunner.seconds(duration.duration), tally: tally)
        context.emit(report.render(as: context.format))
        if tally.puts + tally.gets == 0 {
            throw CommandFailure("no operation succeeded: \(tally.firstError ?? "no answer") (check that the cluster is up and the endpoints are right)")
        }
    }

    /// Where the load goes: see the discussion above.
    private func endpoints(_ context: Context) async throws -> [NodeAddress] {
        switch target {
        case .etcd:
            return context.explicitEndpoints?.map(\.address) ?? [NodeAddress(host: "127.0.0.1", port: 2379)]
        case .raftkv:
            let endpoints = try context.kvEndpoints()
            guard endpoints.count > 1 else { return endpoints.map(\.address) }
            let leaders = await context.statuses(of: endpoints).compactMap { endpoint, result in
                (try? result.get())?.role == "leader" ? endpoint.address : nil
            }
            guard let leader = leaders.first else {
                throw CommandFailure("no leader among \(endpoints.map(\.description).joined(separator: ",")) (check `raftctl status`; an election may be under way)")
            }
            return [leader]
        }
    }
}
