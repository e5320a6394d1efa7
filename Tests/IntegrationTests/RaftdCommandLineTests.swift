import Foundation
import XCTest

/// The `raftd` command line: help, version, and a node that cannot start. Each passes through
/// raftd's own entry point, which parses the command line before any task starts.
final class RaftdCommandLineTests: XCTestCase {
    private struct Outcome {
        var status: Int32
        var output: String
    }

    /// Runs `raftd` in the temporary directory (no config.ini there) with standard output and
    /// error together.
    private func raftd(_ arguments: [String]) throws -> Outcome {
        let process = Process()
        process.executableURL = ProcessCluster.binaries.appendingPathComponent("raftd")
        process.arguments = arguments
        process.currentDirectoryURL = FileManager.default.temporaryDirectory
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, output: String(decoding: output, as: UTF8.self))
    }

    func testHelpAndVersion() throws {
        for arguments in [["--help"], ["help"], ["help", "node"], ["node", "--help"]] {
            let outcome = try raftd(arguments)
            XCTAssertEqual(outcome.status, 0, "raftd \(arguments): \(outcome.output)")
            XCTAssertTrue(outcome.output.contains("USAGE: raftd"), "raftd \(arguments): \(outcome.output)")
        }
        let version = try raftd(["--version"])
        XCTAssertEqual(version.status, 0)
        XCTAssertEqual(version.output.trimmingCharacters(in: .whitespacesAndNewlines), "0.1.0")
    }

    func testANodeThatCannotStartSaysWhy() throws {
        let noID = try raftd(["node"])
        XCTAssertEqual(noID.status, 64, noID.output)
        XCTAssertTrue(noID.output.contains("Missing expected argument '--id <id>'"), noID.output)

        let missing = try raftd(["node", "--id", "1", "--config", "/nonexistent/raftkv.ini"])
        XCTAssertEqual(missing.status, 1, missing.output)
        XCTAssertTrue(missing.output.contains("no configuration file at /nonexistent/raftkv.ini"), missing.output)

        let config = FileManager.default.temporaryDirectory.appendingPathComponent("raftd-cli-\(UUID().uuidString).ini")
        try "[cluster]\nnode_count = 3\n".write(to: config, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: config) }
        let badThreads = try raftd(["node", "--id", "1", "--config", config.path, "--set", "node_threads=none"])
        XCTAssertEqual(badThreads.status, 1, badThreads.output)
        XCTAssertTrue(badThreads.output.contains("node_threads = none is neither a whole number nor auto"), badThreads.output)

        let notANode = try raftd(["node", "--id", "4", "--config", config.path, "--set", "persistent_state_path=\(NSTemporaryDirectory())"])
        XCTAssertEqual(notANode.status, 64, notANode.output)
        XCTAssertTrue(notANode.output.contains("--id 4 is not a node of this cluster (node_count = 3)"), notANode.output)
    }
}
