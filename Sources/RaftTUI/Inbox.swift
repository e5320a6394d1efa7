import Dashboard
import Synchronization

/// Where network tasks leave what they learn, for the screen owner to pick up: they never touch
/// the dashboard state or the terminal themselves.
final class Inbox: Sendable {
    /// One message from the network side.
    enum Delivery: Sendable {
        case feed(node: Int, NodeFeed)
        case outcome(CommandOutcome)
    }

    private let pending = Mutex<[Delivery]>([])

    func post(_ delivery: Delivery) {
        pending.withLock { $0.append(delivery) }
    }

    /// Everything posted since the last call, oldest first.
    func takeAll() -> [Delivery] {
        pending.withLock { deliveries in
            defer { deliveries.removeAll(keepingCapacity: true) }
            return deliveries
        }
    }
}
