import ClusterConfig

/// Keys, following htop, k9s and lazygit: `?`/F1 help, `q`/F10 quit, Tab and 1-9 select a node,
/// ←/→ move along the log strip, ↑/↓ (k/j) scroll the event log, Enter shows the entry under the
/// cursor, `K` kills the leader, `x`/`r` kill/restart the selected node, `p` cycles partition
/// presets, `h` heals, `c` writes to a demo key, space freezes, `+`/`-` change the refresh rate,
/// `:` opens the command line and `/` filters the event log.
extension DashboardState {
    /// Handles one key and returns the commands it asks the network side to run.
    public mutating func handle(_ key: Key, at now: Moment) -> [DashboardCommand] {
        if key == .control("c") {
            ui.quitRequested = true
            return []
        }
        switch ui.mode {
        case .normal: return handleNormal(key, at: now)
        case .help, .entryDetail:
            ui.mode = .normal
            return []
        case .commandLine(var editor):
            switch key {
            case .escape: ui.mode = .normal
            case .enter:
                ui.mode = .normal
                return runCommandLine(editor.line, at: now)
            default:
                _ = editor.handle(key)
                ui.mode = .commandLine(editor)
            }
            return []
        case .filterLine(var editor):
            switch key {
            case .escape:
                ui.eventFilter = ""
                ui.mode = .normal
            case .enter:
                ui.eventFilter = editor.line
                ui.eventScroll = 0
                ui.mode = .normal
            default:
                _ = editor.handle(key)
                ui.mode = .filterLine(editor)
            }
            return []
        }
    }

    private mutating func handleNormal(_ key: Key, at now: Moment) -> [DashboardCommand] {
        let ids = cluster.nodeIDs
        let summary = ClusterSummary(cluster, at: now.sinceStart)
        switch key {
        case .character("?"), .function(1): ui.mode = .help
        case .character("q"), .function(10): ui.quitRequested = true
        case .character(":"): ui.mode = .commandLine(LineEditor(history: ui.history.lines))
        case .character("/"): ui.mode = .filterLine(LineEditor())
        case .escape:
            ui.logCursor = nil
            ui.eventFilter = ""
        case .tab:
            let position = ids.firstIndex(of: ui.selectedNode) ?? 0
            ui.selectedNode = ids[(position + 1) % ids.count]
        case .character(let digit) where digit.wholeNumberValue.map { ids.contains($0) } ?? false:
            ui.selectedNode = digit.wholeNumberValue!
        case .left: moveLogCursor(by: -1)
        case .right: moveLogCursor(by: 1)
        case .up, .character("k"): ui.eventScroll += 1
        case .down, .character("j"): ui.eventScroll = max(0, ui.eventScroll - 1)
        case .enter:
            let index = ui.logCursor ?? displayed.node(ui.selectedNode)?.status?.lastIndex ?? 0
            if index > 0 { ui.mode = .entryDetail(node: ui.selectedNode, index: index) }
        case .character(" "):
            ui.frozen = ui.frozen == nil ? cluster : nil
            ui.lastResult = StatusLine(ui.frozen == nil ? "display live again" : "display frozen (space resumes)")
        case .character("+"): ui.refreshIndex = max(0, ui.refreshIndex - 1)
        case .character("-"): ui.refreshIndex = min(UIState.refreshSteps.count - 1, ui.refreshIndex + 1)
        case .character("K"):
            guard let leader = summary.leader else {
                complain("K: there is no leader to kill right now", at: now)
                return []
            }
            return [.kill(node: leader)]
        case .character("x"): return [.kill(node: ui.selectedNode)]
        case .character("r"): return [.start(node: ui.selectedNode)]
        case .character("h"): return [.heal]
        case .character("p"):
            let preset = ui.nextPreset
            ui.nextPreset = preset.next
            guard let spec = preset.spec(nodes: ids, leader: summary.leader) else {
                complain("p: the cluster is too small for this partition", at: now)
                return []
            }
            return [.partition(spec)]
        case .character("c"):
            let value = ui.quickPutCounter
            ui.quickPutCounter += 1
            return [.put(key: "demo", value: "\(value)")]
        default: break
        }
        return []
    }

    private mutating func runCommandLine(_ line: String, at now: Moment) -> [DashboardCommand] {
        let trimmed = line.trimmingSpaces()
        guard !trimmed.isEmpty else { return [] }
        ui.history.record(trimmed)
        switch CommandLineParser.parse(trimmed, nodes: cluster.nodeIDs) {
        case .success(.command(let command)): return [command]
        case .success(.help): ui.mode = .help
        case .success(.quit): ui.quitRequested = true
        case .failure(let problem): complain(problem.description, at: now)
        }
        return []
    }

    /// Moves the log-strip cursor; the first move starts at the newest entry of the cluster.
    private mutating func moveLogCursor(by step: Int) {
        let newest = displayed.nodes.compactMap(\.status?.lastIndex).max() ?? 0
        guard newest > 0 else { return }
        let current = Int(ui.logCursor ?? newest)
        let moved = min(max(1, current + step), Int(newest))
        ui.logCursor = UInt64(moved)
    }
}
