/// The sequential specification of one key: a register that holds a value or is absent.
public struct RegisterModel: Sendable, Hashable {
    /// The current value, `nil` when the key is absent.
    public var value: Bytes?

    /// A register holding `value` (absent by default).
    public init(value: Bytes? = nil) { self.value = value }

    /// Applies `kind` and returns the response a correct store gives.
    @discardableResult
    public mutating func apply(_ kind: Operation.Kind) -> Operation.Response {
        switch kind {
        case .get:
            return .value(value)
        case .put(let new):
            value = new
            return .done
        case .delete:
            value = nil
            return .done
        case .cas(let expected, let new):
            guard value == expected else { return .swapped(false) }
            value = new
            return .swapped(true)
        }
    }

    /// The state after `kind` took effect with `response`, or `nil` if that response is impossible here.
    public func step(_ kind: Operation.Kind, response: Operation.Response) -> RegisterModel? {
        var next = self
        return next.apply(kind) == response ? next : nil
    }
}
