import Foundation

/// The outcome of one `raftctl bench` run, in each output format. Latencies are in microseconds.
struct BenchReport {
    var target: BenchSystem
    var rpc: BenchRPC
    var endpoints: String
    var clients: Int
    var conns: Int
    /// The event loops the clients ran on; nil when they ran on Swift's default executor.
    var threads: Int?
    var putRatio: Double
    var keySize: Int
    var valueSize: Int
    var measuredSeconds: Double
    var tally: BenchTally

    var opsPerSecond: Double { Double(tally.puts + tally.gets) / measuredSeconds }

    private func latency(_ percentile: Double) -> UInt64 { tally.latencies.valueAtPercentile(percentile) }

    var fields: [(String, JSONValue)] {
        var fields: [(String, JSONValue)] = [
            ("target", .string(target.rawValue)), ("rpc", .string(rpc.rawValue)), ("endpoints", .string(endpoints)),
            ("clients", .number(UInt64(clients))), ("conns", .number(UInt64(conns))),
            ("threads", threads.map { .number(UInt64($0)) } ?? .null),
            ("ratio", .string(String(putRatio))), ("key_size", .number(UInt64(keySize))),
            ("value_size", .number(UInt64(valueSize))),
            ("seconds", .string(String(format: "%.2f", measuredSeconds))),
            ("puts", .number(UInt64(tally.puts))), ("gets", .number(UInt64(tally.gets))),
            ("errors", .number(UInt64(tally.errors))),
            ("ops_per_sec", .number(UInt64(opsPerSecond.rounded()))),
            ("p50_us", .number(latency(50))), ("p90_us", .number(latency(90))),
            ("p99_us", .number(latency(99))), ("p999_us", .number(latency(99.9))),
            ("max_us", .number(tally.latencies.max)),
        ]
        if let firstError = tally.firstError { fields.append(("first_error", .string(firstError))) }
        return fields
    }

    private var threadsText: String {
        guard let threads else { return "Swift's default executor" }
        return threads == 1 ? "1 thread" : "\(threads) threads"
    }

    func render(as format: OutputFormat) -> [UInt8] {
        switch format {
        case .json, .table: return KVResult(simple: nil, fields: fields).render(as: format) ?? []
        case .simple:
            func ms(_ microseconds: UInt64) -> String { String(format: "%.2f ms", Double(microseconds) / 1000) }
            var text = """
                \(target.rawValue) at \(endpoints): \(clients) clients over \(conns) connections (\(rpc.rawValue)) on \(threadsText), \
                \(Int((putRatio * 100).rounded()))% puts, \(keySize)-byte keys, \(valueSize)-byte values
                \(String(format: "%.0f", opsPerSecond)) ops/s (\(tally.puts) puts, \(tally.gets) gets, \(tally.errors) errors in \(String(format: "%.1f", measuredSeconds)) s)
                latency p50 \(ms(latency(50))), p90 \(ms(latency(90))), p99 \(ms(latency(99))), \
                p99.9 \(ms(latency(99.9))), max \(ms(tally.latencies.max))

                """
            if let firstError = tally.firstError { text += "first error: \(firstError)\n" }
            return Array(text.utf8)
        }
    }
}
