/// Something that happened, for the event log.
public struct Event: Sendable, Equatable {
    /// "HH:MM:SS".
    public var time: String
    public var kind: EventKind
    public var text: String

    public init(time: String, kind: EventKind, text: String) {
        self.time = time
        self.kind = kind
        self.text = text
    }
}

/// What sort of event, for its colour and label.
public enum EventKind: String, Sendable, Equatable {
    case election, leader, term, fault, heal, command, error, node
}

/// The newest events, oldest first, capped at `capacity`.
public struct EventLog: Sendable, Equatable {
    public private(set) var events: [Event] = []
    public let capacity: Int

    public init(capacity: Int = 500) { self.capacity = capacity }

    public mutating func append(_ new: [Event]) {
        events += new
        if events.count > capacity { events.removeFirst(events.count - capacity) }
    }

    /// Events whose kind or text contains `filter` (case-insensitive); all when it is empty.
    public func matching(_ filter: String) -> [Event] {
        guard !filter.isEmpty else { return events }
        let needle = filter.lowercased()
        return events.filter { $0.text.lowercased().contains(needle) || $0.kind.rawValue.contains(needle) }
    }
}
