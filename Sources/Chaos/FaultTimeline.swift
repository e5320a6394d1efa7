import Synchronization

/// What the nemesis did and when, on the run clock: `timeline.jsonl` in the artifact.
public struct FaultEvent: Sendable, Codable, Equatable {
    public enum Phase: String, Sendable, Codable {
        /// The fault was applied.
        case start
        /// The fault was undone.
        case end
        /// Something outside a fault: a final heal, a restart of a node that exited, a problem.
        case note
    }

    /// Nanoseconds since the start of the schedule.
    public var at: UInt64
    public var phase: Phase
    public var description: String
    /// Whether the fault left no node able to lead (a majority killed or paused, or a partition in
    /// which no node reaches a majority); while it lasts the cluster must refuse writes.
    public var majorityAffected: Bool
}

/// The events of one schedule, in order.
public final class FaultTimeline: Sendable {
    private let events = Mutex<[FaultEvent]>([])

    public init() {}

    public func record(_ event: FaultEvent) { events.withLock { $0.append(event) } }

    public var all: [FaultEvent] { events.withLock { $0 } }

    /// `[start, end)` of every fault, in run-clock nanoseconds, with whether it hit a majority; a
    /// fault without an end lasts until `end`.
    public func faultWindows(end: UInt64) -> [(start: UInt64, end: UInt64, majorityAffected: Bool)] {
        var windows: [(start: UInt64, end: UInt64, majorityAffected: Bool)] = []
        var open: FaultEvent?
        for event in all {
            switch event.phase {
            case .start: open = event
            case .end:
                if let started = open { windows.append((started.at, event.at, started.majorityAffected)) }
                open = nil
            case .note: break
            }
        }
        if let started = open { windows.append((started.at, end, started.majorityAffected)) }
        return windows
    }
}
