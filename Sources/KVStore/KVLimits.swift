/// Size limits on keys and values, checked before a write is proposed.
public struct KVLimits: Sendable, Hashable {
    public var maxKeyBytes: Int
    public var maxValueBytes: Int

    public init(maxKeyBytes: Int = 4096, maxValueBytes: Int = 1 << 20) {
        self.maxKeyBytes = maxKeyBytes
        self.maxValueBytes = maxValueBytes
    }

    /// Nil when the command is acceptable, otherwise why not, naming the limit.
    public func problem(with command: KVCommand) -> String? {
        if let problem = problem(withKey: command.key) { return problem }
        switch command {
        case .put(_, let value):
            return problem(withValue: value, name: "value")
        case .delete:
            return nil
        case .compareAndSwap(_, let expected, let newValue):
            return expected.flatMap { problem(withValue: $0, name: "expected value") } ?? problem(withValue: newValue, name: "new value")
        }
    }

    public func problem(withKey key: [UInt8]) -> String? {
        if key.isEmpty { return "key must not be empty" }
        if key.count > maxKeyBytes { return "key is \(key.count) bytes; the limit is \(maxKeyBytes) bytes (max_key_bytes)" }
        return nil
    }

    private func problem(withValue value: [UInt8], name: String) -> String? {
        value.count > maxValueBytes ? "\(name) is \(value.count) bytes; the limit is \(maxValueBytes) bytes (max_value_bytes)" : nil
    }
}
