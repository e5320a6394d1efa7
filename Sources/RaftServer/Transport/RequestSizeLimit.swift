/// The largest gRPC message a node or the gateway accepts.
///
/// gRPC refuses messages above 4 MiB by default, but a client may write a value of up to
/// `max_value_bytes` (at most 64 MiB), and a leader replicates such an entry in an append message
/// of its own. With the default limit a larger write would fail with RESOURCE_EXHAUSTED instead
/// of the configured limit's INVALID_ARGUMENT, and a follower would refuse the append carrying
/// it on every retry, stalling replication. The limit therefore leaves room for the largest
/// request, a compare-and-swap (a key and two values), plus a full append batch
/// (`RaftConfig.maxMessageBytes`, 1 MiB) of overhead.
///
/// It follows the current limits: after `max_value_bytes` is lowered, values written under the
/// old limit that exceed the new one's message size can no longer be read or sent to a lagging
/// follower except through a snapshot. Lower it only with no such values stored.
public enum RequestSizeLimit {
    public static func bytes(maxKeyBytes: Int, maxValueBytes: Int) -> Int {
        max(4 << 20, maxKeyBytes + 2 * maxValueBytes + (1 << 20))
    }
}
