import Foundation
import XCTest

/// The real raft-tui in a 120x40 tmux pane, against `raftd cluster` on free ports: it shows a
/// leader, commits a put, survives a leader kill with a new leader in a higher term, shows the
/// minority of a 3/2 partition without quorum, converges after heal, and restores the terminal
/// on quit.
final class DashboardEndToEndTests: XCTestCase {
    private var cluster: ProcessCluster?
    private var tmux: TmuxSession?

    override func tearDown() {
        tmux?.kill()
        cluster?.tearDown()
        super.tearDown()
    }

    func testDashboardDrivesARealCluster() async throws {
        guard TmuxSession.executable != nil else {
            throw XCTSkip("tmux is not installed; `make deps` installs it (this test runs raft-tui inside tmux)")
        }
        let dashboard = ProcessCluster.binaries.appendingPathComponent("raft-tui")
        guard FileManager.default.isExecutableFile(atPath: dashboard.path) else {
            return XCTFail("\(dashboard.path) is missing; build it with `swift build --product raft-tui` (or `swift build --build-tests`)")
        }
        let cluster = try ProcessCluster()
        self.cluster = cluster
        try cluster.startSupervisedCluster()
        let tmux = try TmuxSession(width: 120, height: 40, directory: cluster.directory)
        self.tmux = tmux
        try tmux.typeLine("stty -g > tty-before; LANG=C.UTF-8 '\(dashboard.path)' --config config.ini; echo \"raft-tui exited $?\"; stty -g > tty-after; echo terminal-$((1+1))-saved")

        let first = try await tmux.waitFor("a leader in the status bar", timeout: .seconds(60)) { DashboardScreen($0).leaderAndTerm }

        try tmux.press(":")
        try tmux.typeLine("put demo 42")
        let index = try await tmux.waitFor("the put to be committed") { screen -> UInt64? in
            DashboardScreen(screen).text.firstCapture(#"put demo=42: OK, committed at index (\d+)"#).flatMap { UInt64($0) }
        }
        _ = try await tmux.waitFor("every node to show commit \(index) or later") { screen -> Bool? in
            let commits = DashboardScreen(screen).commits
            return commits.count == 5 && commits.values.allSatisfy { $0 >= index } ? true : nil
        }

        try tmux.press("K")
        let second = try await tmux.waitFor("a new leader in a higher term after K") { screen -> (leader: Int, term: UInt64)? in
            guard let now = DashboardScreen(screen).leaderAndTerm, now.leader != first.leader, now.term > first.term else { return nil }
            return now
        }
        try tmux.press(":")
        try tmux.typeLine("start \(first.leader)")
        _ = try await tmux.waitFor("node \(first.leader) running again and every node at one commit index") { screen -> Bool? in
            let parsed = DashboardScreen(screen)
            guard parsed.roles.count == 5, parsed.roles.values.allSatisfy({ $0 == "F" || $0 == "L" }),
                  parsed.commits.count == 5, Set(parsed.commits.values).count == 1 else { return nil }
            return true
        }

        let minority = [second.leader, (1...5).first { $0 != second.leader }!].sorted()
        let majority = (1...5).filter { !minority.contains($0) }
        let spec = minority.map(String.init).joined(separator: ",") + "/" + majority.map(String.init).joined(separator: ",")
        try tmux.press(":")
        try tmux.typeLine("partition \(spec)")
        _ = try await tmux.waitFor("the minority \(minority) to lose quorum and the majority to lead") { screen -> Bool? in
            let parsed = DashboardScreen(screen)
            guard Set(parsed.withoutQuorum) == Set(minority), let leader = parsed.leaderAndTerm?.leader,
                  majority.contains(leader), parsed.text.contains("quorum ok") else { return nil }
            return true
        }

        try tmux.press("h")
        _ = try await tmux.waitFor("all five nodes back at one commit index after heal", timeout: .seconds(45)) { screen -> Bool? in
            let parsed = DashboardScreen(screen)
            guard parsed.text.contains("faults: none"), parsed.withoutQuorum.isEmpty, parsed.commits.count == 5,
                  Set(parsed.commits.values).count == 1 else { return nil }
            return true
        }

        try tmux.press("q")
        _ = try await tmux.waitFor("the shell after quitting") { screen in
            screen.contains("raft-tui exited 0") && screen.contains("terminal-2-saved") ? true : nil
        }
        let before = try String(contentsOf: cluster.directory.appendingPathComponent("tty-before"), encoding: .utf8)
        let after = try String(contentsOf: cluster.directory.appendingPathComponent("tty-after"), encoding: .utf8)
        XCTAssertFalse(before.isEmpty)
        XCTAssertEqual(before, after, "raft-tui should leave the terminal settings as it found them")
        let final = try tmux.screen().joined(separator: "\n")
        XCTAssertFalse(final.contains("raftkv │") || final.contains("raftkv |"), "the dashboard should be gone from the screen:\n\(final)")
    }
}

/// Reads what the dashboard shows from a captured screen.
struct DashboardScreen {
    let lines: [String]

    init(_ lines: [String]) { self.lines = lines }

    var text: String { lines.joined(separator: "\n") }

    /// From the status bar: "leader 3 │ term 7".
    var leaderAndTerm: (leader: Int, term: UInt64)? {
        guard let bar = lines.first,
              let leader = bar.firstCapture(#"leader (\d+)"#).flatMap({ Int($0) }),
              let term = bar.firstCapture(#"term (\d+)"#).flatMap({ UInt64($0) }) else { return nil }
        return (leader, term)
    }

    /// Each node's role letter from the first row of its panel ("▶1 L leader").
    var roles: [Int: String] {
        var roles: [Int: String] = [:]
        for line in lines {
            guard let match = line.captures(#"^[▶> ](\d) (\S) "#), match.count == 2, let id = Int(match[0]) else { continue }
            roles[id] = match[1]
        }
        return roles
    }

    /// Each node's commit index from the second row of its panel.
    var commits: [Int: UInt64] { panelDetails { $0.firstCapture(#"commit (\d+)"#).flatMap { UInt64($0) } } }

    /// Nodes whose panel says "no quorum".
    var withoutQuorum: [Int] { panelDetails { $0.contains("no quorum") ? true : nil }.keys.sorted() }

    private func panelDetails<T>(_ read: (String) -> T?) -> [Int: T] {
        var values: [Int: T] = [:]
        for (offset, line) in lines.enumerated() where offset + 1 < lines.count {
            guard let match = line.captures(#"^[▶> ](\d) (\S) "#), let id = Int(match[0]),
                  let value = read(lines[offset + 1]) else { continue }
            values[id] = value
        }
        return values
    }
}

extension String {
    /// The capture groups of the first match of `pattern`.
    func captures(_ pattern: String) -> [String]? {
        guard let regex = try? NSRegularExpression(pattern: pattern),
              let match = regex.firstMatch(in: self, range: NSRange(startIndex..., in: self)) else { return nil }
        return (1..<match.numberOfRanges).compactMap { Range(match.range(at: $0), in: self).map { String(self[$0]) } }
    }

    func firstCapture(_ pattern: String) -> String? { captures(pattern)?.first }
}
