/// The largest gRPC message a node or the gateway accepts.
///
/// gRPC refuses messages above 4 MiB by default, but a client may write a value of up to
/// `max_value_bytes` (at most 64 MiB), and a leader replicates such an entry in an append message
/// of its own. With the default limit a larger write would fail with RESOURCE_EXHAUSTED instead
/// of the configured limit's INVALID_ARGUMENT, and a follower would refuse the append carrying
/// it on every retry, stalling replication. The limit therefore leaves room for the largest key
/// and value plus a full append batch (`RaftConfig.maxMessageBytes`, 1 MiB) of overhead.
public enum RequestSizeLimit {
    public static func bytes(maxKeyBytes: Int, maxValueBytes: Int) -> Int {
        max(4 << 20, maxKeyBytes + maxValueBytes + (1 << 20))
    }
}
