import Dashboard
import RaftClient
import XCTest

/// Keys on the pure dashboard state: which commands they ask for and how the UI state changes.
final class KeyHandlingTests: XCTestCase {
    private let now = Fixtures.renderTime

    private func type(_ text: String, into state: inout DashboardState) -> [DashboardCommand] {
        text.flatMap { state.handle(.character($0), at: now) }
    }

    func testCapitalKKillsTheLeader() {
        var state = Fixtures.dashboard()
        XCTAssertEqual(state.handle(.character("K"), at: now), [.kill(node: 3)])
    }

    func testCapitalKWithoutLeaderExplainsInsteadOfActing() {
        var state = DashboardState(cluster: ClusterState(nodes: Fixtures.nodes))
        XCTAssertEqual(state.handle(.character("K"), at: now), [])
        XCTAssertEqual(state.ui.lastResult?.isError, true)
        XCTAssertTrue(state.ui.lastResult?.text.contains("no leader") ?? false)
    }

    func testSelectionKillAndRestart() {
        var state = Fixtures.dashboard()
        _ = state.handle(.tab, at: now)
        XCTAssertEqual(state.ui.selectedNode, 2)
        _ = state.handle(.character("4"), at: now)
        XCTAssertEqual(state.handle(.character("x"), at: now), [.kill(node: 4)])
        XCTAssertEqual(state.handle(.character("r"), at: now), [.start(node: 4)])
        _ = state.handle(.character("9"), at: now)
        XCTAssertEqual(state.ui.selectedNode, 4, "9 is not a node of this cluster")
    }

    func testCommandLineRunsAndRemembersCommands() {
        var state = Fixtures.dashboard()
        XCTAssertEqual(type(":put demo 42", into: &state), [])
        XCTAssertEqual(state.handle(.enter, at: now), [.put(key: "demo", value: "42")])
        XCTAssertEqual(state.ui.mode, .normal)
        _ = type(":", into: &state)
        _ = state.handle(.up, at: now)
        guard case .commandLine(let editor) = state.ui.mode else { return XCTFail("the command line should be open") }
        XCTAssertEqual(editor.line, "put demo 42")
    }

    func testCommandLinePartitionAndErrors() {
        var state = Fixtures.dashboard()
        _ = type(":partition 1,2/3,4,5", into: &state)
        XCTAssertEqual(state.handle(.enter, at: now), [.partition(PartitionSpec(groups: [[1, 2], [3, 4, 5]]))])
        _ = type(":kill 8", into: &state)
        XCTAssertEqual(state.handle(.enter, at: now), [])
        XCTAssertEqual(state.ui.lastResult?.isError, true)
        XCTAssertTrue(state.events.events.last?.text.contains("not a node") ?? false)
        _ = type(":quit", into: &state)
        _ = state.handle(.enter, at: now)
        XCTAssertTrue(state.ui.quitRequested)
    }

    func testEscapeAbandonsTheCommandLine() {
        var state = Fixtures.dashboard()
        _ = type(":heal", into: &state)
        XCTAssertEqual(state.handle(.escape, at: now), [])
        XCTAssertEqual(state.ui.mode, .normal)
    }

    func testPartitionPresetsCycle() {
        var state = Fixtures.dashboard()
        XCTAssertEqual(state.handle(.character("p"), at: now), [.partition(PartitionSpec(groups: [[3], [1, 2, 4, 5]]))])
        XCTAssertEqual(state.handle(.character("p"), at: now), [.partition(PartitionSpec(groups: [[3, 1], [2, 4, 5]]))])
        XCTAssertEqual(state.handle(.character("p"), at: now), [.partition(PartitionSpec(groups: [[3, 1], [2, 4], [5]]))])
        XCTAssertEqual(state.handle(.character("p"), at: now), [.partition(PartitionSpec(groups: [[3], [1, 2, 4, 5]]))])
        XCTAssertEqual(state.handle(.character("h"), at: now), [.heal])
    }

    func testQuickPutCounts() {
        var state = Fixtures.dashboard()
        XCTAssertEqual(state.handle(.character("c"), at: now), [.put(key: "demo", value: "1")])
        XCTAssertEqual(state.handle(.character("c"), at: now), [.put(key: "demo", value: "2")])
    }

    func testFreezeKeepsTheDisplayedCluster() {
        var state = Fixtures.dashboard()
        _ = state.handle(.character(" "), at: now)
        state.apply(.failed("connection refused"), node: 3, at: Fixtures.moment(4))
        XCTAssertEqual(state.displayed.node(3)?.reachability, .live)
        XCTAssertNotEqual(state.cluster.node(3)?.reachability, .live)
        _ = state.handle(.character(" "), at: now)
        XCTAssertEqual(state.displayed, state.cluster)
    }

    func testRefreshRateSteps() {
        var state = Fixtures.dashboard()
        XCTAssertEqual(state.ui.refreshInterval, .milliseconds(100))
        _ = state.handle(.character("+"), at: now)
        _ = state.handle(.character("+"), at: now)
        XCTAssertEqual(state.ui.refreshInterval, .milliseconds(50))
        for _ in 0..<10 { _ = state.handle(.character("-"), at: now) }
        XCTAssertEqual(state.ui.refreshInterval, .seconds(2))
    }

    func testFilterAndScrollEventLog() {
        var state = Fixtures.dashboard()
        _ = type("/kill", into: &state)
        _ = state.handle(.enter, at: now)
        XCTAssertEqual(state.ui.eventFilter, "kill")
        XCTAssertTrue(state.events.matching(state.ui.eventFilter).allSatisfy { $0.text.contains("kill") })
        _ = state.handle(.up, at: now)
        _ = state.handle(.character("k"), at: now)
        XCTAssertEqual(state.ui.eventScroll, 2)
        _ = state.handle(.down, at: now)
        XCTAssertEqual(state.ui.eventScroll, 1)
        _ = state.handle(.escape, at: now)
        XCTAssertEqual(state.ui.eventFilter, "")
    }

    func testLogCursorAndEntryDetail() {
        var state = Fixtures.dashboard()
        _ = state.handle(.left, at: now)
        _ = state.handle(.left, at: now)
        XCTAssertEqual(state.ui.logCursor, 12)
        _ = state.handle(.enter, at: now)
        XCTAssertEqual(state.ui.mode, .entryDetail(node: 1, index: 12))
        _ = state.handle(.character("z"), at: now)
        XCTAssertEqual(state.ui.mode, .normal)
        for _ in 0..<20 { _ = state.handle(.right, at: now) }
        XCTAssertEqual(state.ui.logCursor, 14, "the cursor stops at the newest entry")
    }

    func testQuitKeys() {
        for key in [Key.character("q"), .function(10), .control("c")] {
            var state = Fixtures.dashboard()
            _ = state.handle(key, at: now)
            XCTAssertTrue(state.ui.quitRequested, "\(key) should quit")
        }
        var state = Fixtures.dashboard()
        _ = state.handle(.function(1), at: now)
        XCTAssertEqual(state.ui.mode, .help)
        _ = state.handle(.character("q"), at: now)
        XCTAssertFalse(state.ui.quitRequested, "q closes the help first")
    }
}
