import Linearizability

/// Counts acknowledged writes the final state contradicts, a direct measure next to the
/// checker's verdict. Every written value is unique, so the final value of a key names the write
/// that produced it. An acknowledged write M is lost when the final read shows
/// - a value whose acknowledged write W completed before M was invoked (W cannot follow M), or
/// - absence after an acknowledged put or cas M that no delete (acknowledged or indeterminate)
///   could have followed.
public enum LostWrites {
    public static func count(history: [Linearizability.Operation], finalValues: [Bytes: Bytes?]) -> Int {
        var lost = 0
        let byKey = Dictionary(grouping: history, by: \.key)
        for (key, final) in finalValues {
            let ops = byKey[key] ?? []
            let acknowledged = ops.filter { isAcknowledgedMutation($0) }
            if let value = final {
                guard let producer = acknowledged.first(where: { writtenValue($0) == value }),
                      let produced = producer.completedAt else { continue }
                lost += acknowledged.filter { $0.invokedAt > produced }.count
            } else {
                let deletes = ops.filter { op in
                    guard case .delete = op.kind else { return false }
                    return op.outcome == .info || isAcknowledgedMutation(op)
                }
                for write in acknowledged where writtenValue(write) != nil {
                    if !deletes.contains(where: { $0.outcome == .info || ($0.completedAt ?? .max) > write.invokedAt }) { lost += 1 }
                }
            }
        }
        return lost
    }

    static func isAcknowledgedMutation(_ op: Linearizability.Operation) -> Bool {
        switch (op.kind, op.outcome) {
        case (.put, .ok), (.delete, .ok), (.cas, .ok(.swapped(true))): return true
        default: return false
        }
    }

    /// The value a mutation leaves (`nil` for a delete).
    static func writtenValue(_ op: Linearizability.Operation) -> Bytes? {
        switch op.kind {
        case .put(let value): return value
        case .cas(_, let new): return new
        case .get, .delete: return nil
        }
    }
}
