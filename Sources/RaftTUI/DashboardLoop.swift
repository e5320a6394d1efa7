import Dashboard
import Foundation

/// The screen owner's loop: reads keys, applies what the network delivered, starts commands,
/// and redraws at the chosen refresh rate (at once after a key). Runs until quit.
@MainActor
struct DashboardLoop {
    let screen: Screen
    let inbox: Inbox
    let runner: CommandRunner
    var state: DashboardState
    private let clock = ContinuousClock()
    private let start: ContinuousClock.Instant

    init(screen: Screen, inbox: Inbox, runner: CommandRunner, state: DashboardState) {
        self.screen = screen
        self.inbox = inbox
        self.runner = runner
        self.state = state
        start = clock.now
    }

    mutating func run() {
        defer { screen.close() }
        var lastDraw: ContinuousClock.Instant?
        while !Interruption.requested {
            var changed = false
            switch screen.readKey() {
            case .resize?:
                screen.invalidate()
                changed = true
            case .key(let key)?:
                let now = moment()
                for command in state.handle(key, at: now) { issue(command, at: now) }
                changed = true
            case nil:
                break
            }
            if state.ui.quitRequested { return }
            let now = moment()
            for delivery in inbox.takeAll() {
                switch delivery {
                case .feed(let node, let feed): state.apply(feed, node: node, at: now)
                case .outcome(let outcome): state.record(outcome, at: now); changed = true
                }
            }
            if changed || lastDraw.map({ clock.now - $0 >= state.ui.refreshInterval }) ?? true {
                let size = screen.size
                screen.draw(Renderer.render(state, width: size.width, height: size.height, at: now, theme: screen.theme))
                lastDraw = clock.now
            }
        }
    }

    private mutating func issue(_ command: DashboardCommand, at now: Moment) {
        state.issue(command, at: now)
        let leader = ClusterSummary(state.cluster, at: now.sinceStart).leader
        let runner = self.runner
        let inbox = self.inbox
        Task.detached {
            inbox.post(.outcome(await runner.run(command, leader: leader)))
        }
    }

    private func moment() -> Moment {
        var seconds = time(nil)
        var parts = tm()
        localtime_r(&seconds, &parts)
        let pad = { (value: Int32) in value < 10 ? "0\(value)" : "\(value)" }
        return Moment(sinceStart: clock.now - start, timeOfDay: "\(pad(parts.tm_hour)):\(pad(parts.tm_min)):\(pad(parts.tm_sec))")
    }
}
