import RaftProto

extension Raftkv_V1_ClientRequest {
    /// A session for one write: a random non-zero client id with sequence 1, so that a retry of
    /// the write at another node is applied at most once.
    public static func oneShot() -> Raftkv_V1_ClientRequest {
        var client = Raftkv_V1_ClientRequest()
        client.clientID = UInt64.random(in: 1...UInt64.max)
        client.sequence = 1
        return client
    }
}
