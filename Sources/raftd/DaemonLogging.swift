import Foundation
import Logging

/// One line per event on standard error: time, level, label, metadata, message.
enum DaemonLogging {
    private static let bootstrap: Void = {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = ProcessInfo.processInfo.environment["RAFTKV_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
            return handler
        }
    }()

    static func logger(label: String, metadata: Logger.Metadata) -> Logger {
        _ = bootstrap
        var logger = Logger(label: label)
        for (key, value) in metadata { logger[metadataKey: key] = value }
        return logger
    }
}
