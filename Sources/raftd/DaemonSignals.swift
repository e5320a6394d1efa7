import Dispatch
import Foundation
import Logging

/// Runs the daemon's work until SIGINT or SIGTERM, then cancels it for a clean shutdown.
enum DaemonSignals {
    static func runUntilInterrupted(logger: Logger, _ body: @escaping @Sendable () async throws -> Void) async throws {
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        let work = Task { try await body() }
        let sources = [SIGINT, SIGTERM].map { number in
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                logger.notice("shutting down", metadata: ["signal": "\(number)"])
                work.cancel()
            }
            source.resume()
            return source
        }
        defer { sources.forEach { $0.cancel() } }
        try await work.value
    }
}
