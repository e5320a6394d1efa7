/// Fault injection on a node's outgoing Raft messages (the Control API's `DegradeLinks`): each
/// message is dropped with probability `lossPercent`/100, otherwise sent after `delay` plus a
/// uniform random part of `jitter`, so messages can also overtake each other.
public struct LinkDegradation: Sendable, Equatable, CustomStringConvertible {
    public var delay: Duration
    public var jitter: Duration
    public var lossPercent: Int

    public init(delay: Duration, jitter: Duration, lossPercent: Int) {
        precondition((0...100).contains(lossPercent), "lossPercent is a percentage")
        self.delay = delay
        self.jitter = jitter
        self.lossPercent = lossPercent
    }

    /// Messages leave at once and none is dropped.
    public static let none = LinkDegradation(delay: .zero, jitter: .zero, lossPercent: 0)

    /// What happens to one message: nil when it is dropped, else how long it waits.
    func fate<Random: RandomNumberGenerator>(using random: inout Random) -> Duration? {
        if lossPercent > 0, Int.random(in: 0..<100, using: &random) < lossPercent { return nil }
        guard jitter > .zero else { return delay }
        let (seconds, attoseconds) = jitter.components
        let jitterNanoseconds = seconds * 1_000_000_000 + attoseconds / 1_000_000_000
        return delay + .nanoseconds(Int64.random(in: 0...jitterNanoseconds, using: &random))
    }

    public var description: String {
        "delay \(delay) + up to \(jitter), \(lossPercent)% dropped"
    }
}
