import RaftEngine

/// When faults start and how long they last in one schedule: a pure function of the seed, the
/// nemesis kind and the duration. Which nodes a fault hits is drawn when it starts (see
/// `FaultShapes`), from the generator `faultSeed` seeds, because some kinds target the leader.
public struct Schedule: Sendable, Equatable {
    /// One planned fault, as offsets from the start of the schedule.
    public struct Slot: Sendable, Equatable {
        public var start: Duration
        public var length: Duration
    }

    public var kind: NemesisKind
    public var seed: UInt64
    public var duration: Duration
    /// Clients run this long before the first fault.
    public var warmup: Duration
    /// Faults, in order, never overlapping; the last one ends by `duration - cooldown`.
    public var slots: [Slot]
    /// Seeds the generator that picks each fault's nodes.
    public var faultSeed: UInt64

    /// Clients run this long after the last fault ends.
    public var cooldown: Duration { duration - (slots.last.map { $0.start + $0.length } ?? warmup) }

    /// Faults of 2-8 s (pauses 1-4 s, still several election timeouts) separated by 1-4 s of calm,
    /// after a warmup of a twelfth of the run and before a cooldown of at least a sixth.
    public init(kind: NemesisKind, seed: UInt64, duration: Duration) {
        self.kind = kind
        self.seed = seed
        self.duration = duration
        var random = SeededRandom(seed: seed)
        let seconds = Double(duration.components.seconds)
        warmup = .milliseconds(Int64(min(5, max(2, seconds / 12)) * 1000))
        let lastEnd = duration - .milliseconds(Int64(min(10, max(4, seconds / 6)) * 1000))
        var slots: [Slot] = []
        var cursor = warmup
        while true {
            let lengthMs = kind == .pauseLeader ? Int64.random(in: 1_000...4_000, using: &random)
                                                : Int64.random(in: 2_000...8_000, using: &random)
            let length = Duration.milliseconds(lengthMs)
            guard cursor + length <= lastEnd else { break }
            slots.append(Slot(start: cursor, length: length))
            cursor += length + .milliseconds(Int64.random(in: 1_000...4_000, using: &random))
        }
        self.slots = slots
        faultSeed = random.next()
    }
}
