import Synchronization

/// A flag that is set once and read from any thread: the storage thread checks it before
/// releasing acknowledgements.
final class HaltFlag: Sendable {
    private let value = Atomic<Bool>(false)

    var isSet: Bool { value.load(ordering: .acquiring) }

    func set() { value.store(true, ordering: .releasing) }
}
