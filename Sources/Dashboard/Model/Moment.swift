/// A point in time as the dashboard uses it: monotonic time since the dashboard started (for
/// ages such as "unreachable 2.3 s") and the wall-clock time of day (for event time stamps).
/// The caller supplies it, so everything in this module is a pure function of its inputs.
public struct Moment: Sendable, Equatable {
    public var sinceStart: Duration
    /// Local time of day, "HH:MM:SS".
    public var timeOfDay: String

    public init(sinceStart: Duration, timeOfDay: String) {
        self.sinceStart = sinceStart
        self.timeOfDay = timeOfDay
    }
}

extension Duration {
    /// Seconds with one decimal, for example "2.3 s".
    var secondsText: String {
        let tenths = (components.seconds * 10) + components.attoseconds / 100_000_000_000_000_000
        return "\(tenths / 10).\(tenths % 10) s"
    }
}
