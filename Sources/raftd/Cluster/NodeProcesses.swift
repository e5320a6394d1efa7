import Foundation
import Logging

/// The node processes `raftd cluster` runs: started as children of this process with their
/// output in `<state>/logs/node-<id>.log`, killed (SIGKILL), paused (SIGSTOP), resumed
/// (SIGCONT) and restarted on request.
final class NodeProcesses: @unchecked Sendable {
    /// What the supervisor knows about one node process.
    struct Info: Sendable {
        var id: Int
        var address: String
        var state: State
        var pid: Int32
    }

    enum State: String, Sendable {
        case running, stopped, paused
    }

    private let lock = NSLock()
    private let executable: URL
    private let arguments: (Int) -> [String]
    private let logDirectory: String
    private let addresses: [Int: String]
    private let logger: Logger
    private var processes: [Int: Process] = [:]
    private var paused: Set<Int> = []

    init(executable: URL, arguments: @escaping (Int) -> [String], logDirectory: String, addresses: [Int: String], logger: Logger) {
        self.executable = executable
        self.arguments = arguments
        self.logDirectory = logDirectory
        self.addresses = addresses
        self.logger = logger
    }

    var ids: [Int] { addresses.keys.sorted() }

    /// Starts the node if it is not running; returns its state.
    @discardableResult
    func start(_ id: Int) throws -> Info {
        try lock.withLock {
            guard addresses[id] != nil else { throw SupervisorError.unknownNode(id) }
            if let process = processes[id], process.isRunning { return info(id) }
            try FileManager.default.createDirectory(atPath: logDirectory, withIntermediateDirectories: true)
            let logPath = "\(logDirectory)/node-\(id).log"
            let exists = FileManager.default.fileExists(atPath: logPath) || FileManager.default.createFile(atPath: logPath, contents: nil)
            guard exists, let log = FileHandle(forWritingAtPath: logPath) else { throw SupervisorError.cannotOpenLog(logPath) }
            log.seekToEndOfFile()
            let process = Process()
            process.executableURL = executable
            process.arguments = arguments(id)
            process.standardOutput = log
            process.standardError = log
            process.standardInput = FileHandle.nullDevice
            try process.run()
            processes[id] = process
            paused.remove(id)
            logger.info("started node", metadata: ["node": "\(id)", "pid": "\(process.processIdentifier)", "log": "\(logPath)"])
            return info(id)
        }
    }

    func kill(_ id: Int) throws -> Info {
        try signal(id, SIGKILL, name: "killed")
    }

    func pause(_ id: Int) throws -> Info {
        _ = try signal(id, SIGSTOP, name: "paused")
        return lock.withLock {
            paused.insert(id)
            return info(id)
        }
    }

    func resume(_ id: Int) throws -> Info {
        _ = try signal(id, SIGCONT, name: "resumed")
        return lock.withLock {
            paused.remove(id)
            return info(id)
        }
    }

    private func signal(_ id: Int, _ number: Int32, name: String) throws -> Info {
        try lock.withLock {
            guard addresses[id] != nil else { throw SupervisorError.unknownNode(id) }
            guard let process = processes[id], process.isRunning else { throw SupervisorError.notRunning(id) }
            Foundation.kill(process.processIdentifier, number)
            if number == SIGKILL {
                process.waitUntilExit()
                paused.remove(id)
            }
            logger.info("\(name) node", metadata: ["node": "\(id)", "pid": "\(process.processIdentifier)"])
            return info(id)
        }
    }

    func list() -> [Info] {
        lock.withLock { ids.map(info) }
    }

    /// Stops every node: SIGCONT (in case one is paused), SIGTERM, then SIGKILL after `grace`.
    func stopAll(grace: TimeInterval = 3) {
        let running = lock.withLock { processes.values.filter(\.isRunning) }
        for process in running {
            Foundation.kill(process.processIdentifier, SIGCONT)
            process.terminate()
        }
        let deadline = Date().addingTimeInterval(grace)
        while running.contains(where: \.isRunning) && Date() < deadline { usleep(20_000) }
        for process in running where process.isRunning {
            Foundation.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// Must be called with the lock held.
    private func info(_ id: Int) -> Info {
        let process = processes[id]
        let state: State = process?.isRunning == true ? (paused.contains(id) ? .paused : .running) : .stopped
        return Info(id: id, address: addresses[id] ?? "", state: state, pid: state == .stopped ? 0 : process?.processIdentifier ?? 0)
    }
}

/// Why a supervisor request failed.
enum SupervisorError: Error, CustomStringConvertible {
    case unknownNode(Int)
    case notRunning(Int)
    case cannotOpenLog(String)

    var description: String {
        switch self {
        case .unknownNode(let id): return "there is no node \(id) in this cluster"
        case .notRunning(let id): return "node \(id) is not running (start it with `raftctl start \(id)`)"
        case .cannotOpenLog(let path): return "cannot open the log file \(path)"
        }
    }
}
