import Dispatch

/// Nanoseconds since the start of a schedule on the monotonic clock: the time base of histories
/// and the fault timeline.
public struct RunClock: Sendable {
    private let origin: UInt64

    public init() { origin = DispatchTime.now().uptimeNanoseconds }

    public var now: UInt64 { DispatchTime.now().uptimeNanoseconds - origin }
}
