import ArgumentParser
import EtcdProto
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import RaftClient
import RaftProto

/// The system under load: one put or one read of a key. Implementations are cheap wrappers around
/// a long-lived gRPC client, so many benchmark clients share one connection.
protocol BenchTarget: Sendable {
    func put(key: Data, value: Data, options: CallOptions) async throws
    func get(key: Data, options: CallOptions) async throws
    /// Runs what the target needs for the whole benchmark (a stream), until cancelled.
    func serve() async
}

extension BenchTarget {
    func serve() async {}
}

/// raftkv's KV service: writes without a client session (etcd has none either), linearizable reads.
struct RaftkvBenchTarget: BenchTarget {
    let client: Raftkv_V1_KV.Client<HTTP2ClientTransport.Posix>

    func put(key: Data, value: Data, options: CallOptions) async throws {
        _ = try await client.put(.bench(key: key, value: value), options: options)
    }

    func get(key: Data, options: CallOptions) async throws {
        _ = try await client.get(.bench(key: key), options: options)
    }
}

/// raftkv's KV pipeline: every client of a connection shares one stream, many requests in
/// flight on it (`KVPipeline`). Same operations and guarantees as `RaftkvBenchTarget`.
struct RaftkvPipelineBenchTarget: BenchTarget {
    let pipeline: KVPipeline<HTTP2ClientTransport.Posix>

    func put(key: Data, value: Data, options: CallOptions) async throws {
        _ = try await pipeline.put(.bench(key: key, value: value))
    }

    func get(key: Data, options: CallOptions) async throws {
        _ = try await pipeline.get(.bench(key: key))
    }

    func serve() async {
        await pipeline.run()
    }
}

/// etcd's v3 KV service: Put, and Range of one key, linearizable (etcd's default).
struct EtcdBenchTarget: BenchTarget {
    let client: Etcdserverpb_KV.Client<HTTP2ClientTransport.Posix>

    func put(key: Data, value: Data, options: CallOptions) async throws {
        var request = Etcdserverpb_PutRequest()
        request.key = key
        request.value = value
        _ = try await client.put(request, options: options)
    }

    func get(key: Data, options: CallOptions) async throws {
        var request = Etcdserverpb_RangeRequest()
        request.key = key
        _ = try await client.range(request, options: options)
    }
}

/// Which system `raftctl bench` measures.
enum BenchSystem: String, ExpressibleByArgument, CaseIterable, Sendable {
    case raftkv, etcd

    func target(over client: GRPCClient<HTTP2ClientTransport.Posix>, rpc: BenchRPC) -> any BenchTarget {
        switch (self, rpc) {
        case (.raftkv, .unary): return RaftkvBenchTarget(client: Raftkv_V1_KV.Client(wrapping: client))
        case (.raftkv, .pipeline): return RaftkvPipelineBenchTarget(pipeline: KVPipeline(client: Raftkv_V1_KV.Client(wrapping: client)))
        case (.etcd, _): return EtcdBenchTarget(client: Etcdserverpb_KV.Client(wrapping: client))
        }
    }
}

/// How requests travel: one gRPC call each, or many in flight on one stream per connection.
enum BenchRPC: String, ExpressibleByArgument, CaseIterable, Sendable {
    case unary, pipeline
}

extension Raftkv_V1_PutRequest {
    /// A benchmark write: no client session, as etcd has none either.
    static func bench(key: Data, value: Data) -> Self {
        var request = Self()
        request.key = key
        request.value = value
        return request
    }
}

extension Raftkv_V1_GetRequest {
    /// A benchmark read: linearizable, the default.
    static func bench(key: Data) -> Self {
        var request = Self()
        request.key = key
        return request
    }
}
