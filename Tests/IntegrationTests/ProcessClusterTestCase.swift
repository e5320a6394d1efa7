import XCTest

/// Tests against real `raftd node` processes: `startCluster` starts them and waits for a leader;
/// tearDown closes the client and kills every process, also when the test failed.
class ProcessClusterTestCase: XCTestCase {
    var cluster: ProcessCluster!
    var client: ClusterClient!

    /// Starts a cluster (replacing one started earlier in the test) and returns its leader.
    @discardableResult
    func startCluster(nodes: Int, cluster settings: [String] = [], storage: [String] = [], limits: [String] = []) async throws -> Int {
        client?.close()
        cluster?.tearDown()
        cluster = try ProcessCluster(nodes: nodes, cluster: settings, storage: storage, limits: limits)
        try cluster.startAll()
        client = try ClusterClient(cluster: cluster)
        return try await client.awaitLeader(timeout: .seconds(15))
    }

    override func tearDown() async throws {
        client?.close()
        cluster?.tearDown()
    }
}
