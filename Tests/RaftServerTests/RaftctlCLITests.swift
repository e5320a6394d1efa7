import Chaos
import Foundation
import Logging
import RaftEngine
import RaftServer
import XCTest

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs the built `raftctl` binary: usage errors and unreachable clusters need no server; the
/// last tests start three in-process nodes on free loopback ports.
final class RaftctlCLITests: XCTestCase {
    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    private var temporaryDirectory: URL!

    override func setUpWithError() throws {
        temporaryDirectory = FileManager.default.temporaryDirectory
            .appendingPathComponent("raftctl-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: temporaryDirectory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let temporaryDirectory { try? FileManager.default.removeItem(at: temporaryDirectory) }
    }

    // MARK: Helpers

    /// `raftctl` sits next to the test bundle in the build directory.
    private func raftctlURL() throws -> URL {
        var candidates: [URL] = [
            Bundle(for: Self.self).bundleURL.deletingLastPathComponent(),
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
        ]
        if let executable = Bundle.main.executableURL { candidates.append(executable.deletingLastPathComponent()) }
        for directory in candidates {
            for url in [directory.appendingPathComponent("raftctl"),
                        directory.deletingLastPathComponent().appendingPathComponent("raftctl")]
                where FileManager.default.isExecutableFile(atPath: url.path) {
                return url
            }
        }
        throw XCTSkip("raftctl binary not found next to the test bundle; build with `swift build --build-tests`")
    }

    /// Runs raftctl in the temporary directory and waits (at most 60 s) for it to exit.
    private func raftctl(_ arguments: [String]) async throws -> Outcome {
        let process = Process()
        process.executableURL = try raftctlURL()
        process.arguments = arguments
        process.currentDirectoryURL = temporaryDirectory
        let id = UUID().uuidString
        let outURL = temporaryDirectory.appendingPathComponent("out-\(id)")
        let errURL = temporaryDirectory.appendingPathComponent("err-\(id)")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)
        process.standardOutput = out
        process.standardError = err
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        try out.close()
        try err.close()
        return Outcome(status: status,
                       stdout: try String(contentsOf: outURL, encoding: .utf8),
                       stderr: try String(contentsOf: errURL, encoding: .utf8))
    }

    /// A base port with `count` consecutive free ports and one more free port for the gateway,
    /// avoiding the demo cluster's ports.
    private static func freePorts(count: Int) throws -> (base: Int, gateway: Int) {
        let base = try FreePorts.consecutive(count + 1)
        return (base, base + count)
    }

    /// Writes a config.ini for `nodes` nodes on loopback and returns its path.
    @discardableResult
    private func writeConfig(nodes: Int, base: Int, gateway: Int, faultInjection: Bool = true) throws -> String {
        let path = temporaryDirectory.appendingPathComponent("config.ini").path
        let text = """
            [cluster]
            node_count = \(nodes)
            base_address = 127.0.0.1
            base_port = \(base)
            gateway_port = \(gateway)
            persistent_state_path = \(temporaryDirectory.appendingPathComponent("state").path)/
            fault_injection = \(faultInjection)

            """
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    // MARK: No server needed

    func testHelpListsTheCommands() async throws {
        let outcome = try await raftctl(["--help"])
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        for command in ["put", "get", "del", "cas", "status", "transfer", "partition", "heal", "kill", "start", "pause", "resume"] {
            XCTAssertTrue(outcome.stdout.contains("  \(command)"), "help lacks \(command):\n\(outcome.stdout)")
        }
        let sub = try await raftctl(["status", "--help"])
        XCTAssertEqual(sub.status, 0)
        for option in ["--config", "--endpoints", "--timeout", "--write-out"] {
            XCTAssertTrue(sub.stdout.contains(option), "status help lacks \(option):\n\(sub.stdout)")
        }
    }

    func testBadFlagsAreUsageErrors() async throws {
        for arguments in [["get", "k", "--bogus"], ["get", "k", "-w", "xml"], ["get", "k", "--timeout", "soon"],
                          ["get", "k", "--timeout", "0s"], ["bench", "--duration", "0s"],
                          ["bench", "--threads", "0"], ["bench", "--threads", "65"],
                          ["get", "k", "--endpoints", "nohost"], ["get", "k", "--endpoints", "127.0.0.1:1,,127.0.0.1:2"],
                          ["put", "k"], ["cas", "k", "only-one"], ["cas", "k", "a", "b", "--expect-absent"],
                          ["transfer", "0"], ["frobnicate"]] {
            let outcome = try await raftctl(arguments)
            XCTAssertEqual(outcome.status, 64, "\(arguments): \(outcome.stderr)")
            XCTAssertTrue(outcome.stderr.contains("Error: "), "\(arguments): \(outcome.stderr)")
            XCTAssertEqual(outcome.stdout, "", "\(arguments)")
        }
    }

    func testBadPartitionSpecsAreExplained() async throws {
        try writeConfig(nodes: 5, base: 40_001, gateway: 40_000)
        let cases: [(String, String)] = [
            ("1,2,3,4,5", "single group"),
            ("1,2,3/4,6", "node 6 is not in this cluster"),
            ("1,2,2/3,4,5", "node 2 appears more than once"),
            ("1,2/3,4", "node 5 is in no group"),
            ("1,2,3//4,5", "group 2"),
            ("1,x/2,3,4,5", "'x' is not a node id"),
            ("1,,2/3,4,5", "empty node id"),
        ]
        for (spec, expected) in cases {
            let outcome = try await raftctl(["partition", spec])
            XCTAssertEqual(outcome.status, 64, "\(spec): \(outcome.stderr)")
            XCTAssertTrue(outcome.stderr.contains("Error: ") && outcome.stderr.contains(expected),
                          "\(spec): expected '\(expected)' in\n\(outcome.stderr)")
        }
    }

    func testUnreachableGatewayNamesTheProblemAndTheFix() async throws {
        let ports = try Self.freePorts(count: 1)
        try writeConfig(nodes: 1, base: ports.base, gateway: ports.gateway)
        let outcome = try await raftctl(["put", "a", "1", "--timeout", "3s"])
        XCTAssertEqual(outcome.status, 1)
        XCTAssertEqual(outcome.stdout, "")
        XCTAssertTrue(outcome.stderr.hasPrefix("Error: cannot reach the gateway at 127.0.0.1:\(ports.gateway): connection refused"), outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("raftd cluster"), outcome.stderr)
        // Global options may also come before the command name, as with etcdctl.
        let leading = try await raftctl(["--timeout", "3s", "-w", "json", "get", "a"])
        XCTAssertEqual(leading.status, 1)
        XCTAssertTrue(leading.stderr.hasPrefix("Error: cannot reach the gateway"), leading.stderr)
    }

    func testSupervisorCommandsNeedRaftdCluster() async throws {
        let ports = try Self.freePorts(count: 1)
        try writeConfig(nodes: 1, base: ports.base, gateway: ports.gateway)
        let outcome = try await raftctl(["kill", "1"])
        XCTAssertEqual(outcome.status, 1)
        XCTAssertTrue(outcome.stderr.contains("need `raftd cluster`"), outcome.stderr)
        let unknown = try await raftctl(["pause", "7"])
        XCTAssertEqual(unknown.status, 1)
        XCTAssertTrue(unknown.stderr.contains("node 7 is not in this cluster"), unknown.stderr)
    }

    func testMissingConfigSaysHowToFixIt() async throws {
        let outcome = try await raftctl(["get", "a"])
        XCTAssertEqual(outcome.status, 1)
        XCTAssertTrue(outcome.stderr.contains("Error: cannot read config.ini"), outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("--endpoints"), outcome.stderr)
    }

    func testStatusShowsUnreachableNodes() async throws {
        let ports = try Self.freePorts(count: 2)
        try writeConfig(nodes: 2, base: ports.base, gateway: ports.gateway)
        let table = try await raftctl(["status", "-w", "table", "--timeout", "3s"])
        XCTAssertEqual(table.status, 1)
        XCTAssertTrue(table.stdout.contains("ENDPOINT") && table.stdout.contains("LAST INDEX") && table.stdout.contains("ERRORS"), table.stdout)
        XCTAssertTrue(table.stdout.contains("127.0.0.1:\(ports.base)") && table.stdout.contains("connection refused"), table.stdout)
        XCTAssertTrue(table.stderr.contains("2 of 2 endpoints did not answer"), table.stderr)
        let json = try await raftctl(["status", "-w", "json", "--timeout", "3s"])
        let rows = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(rows.count, 2)
        XCTAssertEqual(rows.first?["endpoint"] as? String, "127.0.0.1:\(ports.base)")
        XCTAssertTrue(rows.first?["id"] is NSNull)
    }

    // MARK: Against real nodes

    /// Starts `count` nodes in this process; cancel the returned task to stop them.
    private func startNodes(count: Int, base: Int) -> Task<Void, Never> {
        var peers: [NodeID: String] = [:]
        for id in 1...count { peers[NodeID(id)] = "127.0.0.1:\(base + id - 1)" }
        let voters = (1...count).map { NodeID($0) }
        let stateRoot = temporaryDirectory.appendingPathComponent("state")
        let allPeers = peers
        return Task {
            await withTaskGroup(of: Void.self) { group in
                for id in voters {
                    let directory = stateRoot.appendingPathComponent("node-\(id)").path
                    try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                    let raft = RaftConfig(id: id, voters: voters, electionTimeoutMin: 15, electionTimeoutMax: 30,
                                          heartbeatInterval: 5, randomSeed: UInt64.random(in: 1...UInt64.max))
                    let options = NodeOptions(id: id, peers: allPeers, stateDirectory: directory, tickMs: 10, raft: raft,
                                              snapshotEntries: 10_000, segmentBytes: 1 << 20, maxKeyBytes: 64,
                                              maxValueBytes: 1024, faultInjection: true)
                    let logger = Logger(label: "raftctl-test.node-\(id)") { _ in SwiftLogNoOpLogHandler() }
                    group.addTask { try? await NodeServer.run(options: options, logger: logger) }
                }
            }
        }
    }

    /// Waits until `raftctl status` shows a leader; returns its id.
    private func waitForLeader(_ endpoints: String) async throws -> Int {
        for _ in 0..<100 {
            let outcome = try await raftctl(["status", "--endpoints", endpoints, "-w", "json", "--timeout", "1s"])
            if let rows = try? JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [[String: Any]],
               let leader = rows.first(where: { $0["role"] as? String == "leader" }), let id = leader["id"] as? Int {
                return id
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        XCTFail("no leader within 10 s")
        return 0
    }

    /// Writes config.ini for three nodes on free ports and starts them; cancel the returned task to
    /// stop them.
    private func startThreeNodes() throws -> (nodes: Task<Void, Never>, addresses: [String]) {
        _ = try raftctlURL()
        let ports = try Self.freePorts(count: 3)
        try writeConfig(nodes: 3, base: ports.base, gateway: ports.gateway)
        return (startNodes(count: 3, base: ports.base), (0..<3).map { "127.0.0.1:\(ports.base + $0)" })
    }

    func testCommandsAgainstThreeNodes() async throws {
        let (nodes, addresses) = try startThreeNodes()
        defer { nodes.cancel() }
        let leader = try await waitForLeader(addresses.joined(separator: ","))
        // List a follower first, so the write must follow the not-leader hint.
        let follower = leader == 1 ? 2 : 1
        let ordered = ([addresses[follower - 1]] + addresses.filter { $0 != addresses[follower - 1] }).joined(separator: ",")

        let put = try await raftctl(["put", "greeting", "hello", "--endpoints", addresses[follower - 1]])
        XCTAssertEqual(put.status, 0, put.stderr)
        XCTAssertEqual(put.stdout, "OK\n")

        let get = try await raftctl(["get", "greeting", "--endpoints", ordered])
        XCTAssertEqual(get.status, 0, get.stderr)
        XCTAssertEqual(get.stdout, "hello\n")

        let json = try await raftctl(["get", "greeting", "--endpoints", ordered, "-w", "json"])
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(object["value"] as? String, "hello")
        XCTAssertEqual(object["found"] as? Bool, true)

        let missing = try await raftctl(["get", "nothing", "--endpoints", ordered])
        XCTAssertEqual(missing.status, 0, missing.stderr)
        XCTAssertEqual(missing.stdout, "")

        let serializable = try await raftctl(["get", "greeting", "--serializable", "--endpoints", addresses[leader - 1]])
        XCTAssertEqual(serializable.stdout, "hello\n", serializable.stderr)

        let casFail = try await raftctl(["cas", "greeting", "bye", "new", "--endpoints", ordered])
        XCTAssertEqual(casFail.status, 0, casFail.stderr)
        XCTAssertEqual(casFail.stdout, "FAILURE\nhello\n")
        let casOK = try await raftctl(["cas", "greeting", "hello", "bye", "--endpoints", ordered])
        XCTAssertEqual(casOK.stdout, "OK\n", casOK.stderr)
        let casAbsent = try await raftctl(["cas", "fresh", "1", "--expect-absent", "--endpoints", ordered])
        XCTAssertEqual(casAbsent.stdout, "OK\n", casAbsent.stderr)

        let del = try await raftctl(["del", "greeting", "--endpoints", ordered])
        XCTAssertEqual(del.stdout, "1\n", del.stderr)
        let delAgain = try await raftctl(["del", "greeting", "--endpoints", ordered])
        XCTAssertEqual(delAgain.stdout, "0\n", delAgain.stderr)

        let tooLong = try await raftctl(["put", String(repeating: "k", count: 100), "v", "--endpoints", ordered])
        XCTAssertEqual(tooLong.status, 1)
        XCTAssertTrue(tooLong.stderr.hasPrefix("Error: "), tooLong.stderr)

        // Status from config.ini, without --endpoints.
        let table = try await raftctl(["status", "-w", "table"])
        XCTAssertEqual(table.status, 0, table.stderr)
        XCTAssertTrue(table.stdout.contains("leader"), table.stdout)
        XCTAssertEqual(table.stdout.split(separator: "\n").count, 3 + 3 + 1, table.stdout)

        // Leadership transfer, then a partition that isolates the new leader, then heal.
        let target = leader == 3 ? 2 : 3
        let transfer = try await raftctl(["transfer", "\(target)"])
        XCTAssertEqual(transfer.status, 0, transfer.stderr)
        XCTAssertTrue(transfer.stdout.contains("to node \(target)"), transfer.stdout)

        let others = (1...3).filter { $0 != target }.map(String.init).joined(separator: ",")
        let partition = try await raftctl(["partition", "\(target)/\(others)"])
        XCTAssertEqual(partition.status, 0, partition.stderr)
        XCTAssertTrue(partition.stdout.contains("node \(target): cut off from \(others)"), partition.stdout)
        let partitioned = try await raftctl(["status", "-w", "json"])
        XCTAssertTrue(partitioned.stdout.contains("partitioned from"), partitioned.stdout)

        let heal = try await raftctl(["heal"])
        XCTAssertEqual(heal.status, 0, heal.stderr)
        XCTAssertEqual(heal.stdout.split(separator: "\n").count, 3, heal.stdout)
        let healed = try await raftctl(["status", "-w", "json"])
        XCTAssertFalse(healed.stdout.contains("partitioned from"), healed.stdout)
    }

    func testBenchRunsOnTheThreadsItIsGiven() async throws {
        let (nodes, nodeAddresses) = try startThreeNodes()
        defer { nodes.cancel() }
        let addresses = nodeAddresses.joined(separator: ",")
        _ = try await waitForLeader(addresses)
        for threads in [1, 3] {
            let bench = try await raftctl([
                "bench", "--endpoints", addresses, "--clients", "4", "--ratio", "0.5", "--duration", "1s",
                "--warmup", "0s", "--threads", "\(threads)", "-w", "json",
            ])
            XCTAssertEqual(bench.status, 0, bench.stderr)
            let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(bench.stdout.utf8)) as? [String: Any], bench.stdout)
            XCTAssertEqual(report["threads"] as? Int, threads, bench.stdout)
            XCTAssertEqual(report["errors"] as? Int, 0, bench.stdout)
            XCTAssertGreaterThan(report["puts"] as? Int ?? 0, 0, bench.stdout)
            XCTAssertGreaterThan(report["gets"] as? Int ?? 0, 0, bench.stdout)
        }
    }
}
