import ArgumentParser
import EtcdProto
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import RaftProto

/// The system under load: one put or one read of a key. Implementations are cheap wrappers around
/// a long-lived gRPC client, so many benchmark clients share one connection.
protocol BenchTarget: Sendable {
    func put(key: Data, value: Data, options: CallOptions) async throws
    func get(key: Data, options: CallOptions) async throws
}

/// raftkv's KV service: writes without a client session (etcd has none either), linearizable reads.
struct RaftkvBenchTarget: BenchTarget {
    let client: Raftkv_V1_KV.Client<HTTP2ClientTransport.Posix>

    func put(key: Data, value: Data, options: CallOptions) async throws {
        var request = Raftkv_V1_PutRequest()
        request.key = key
        request.value = value
        _ = try await client.put(request, options: options)
    }

    func get(key: Data, options: CallOptions) async throws {
        var request = Raftkv_V1_GetRequest()
        request.key = key
        _ = try await client.get(request, options: options)
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

    func target(over client: GRPCClient<HTTP2ClientTransport.Posix>) -> any BenchTarget {
        switch self {
        case .raftkv: return RaftkvBenchTarget(client: Raftkv_V1_KV.Client(wrapping: client))
        case .etcd: return EtcdBenchTarget(client: Etcdserverpb_KV.Client(wrapping: client))
        }
    }
}
