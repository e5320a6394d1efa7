#if canImport(Glibc)
import Glibc
#endif

/// The seed being simulated, read by the crash handler (a signal handler cannot capture context).
nonisolated(unsafe) private var currentSeed: UInt64 = 0
nonisolated(unsafe) private var simulatedMs: UInt64 = 0

/// When an engine invariant fails, the process traps; this handler then prints which seed was
/// running and how to replay it, using only async-signal-safe calls.
enum CrashReporter {
    static func install(durationMs: UInt64) {
        simulatedMs = durationMs
        for signalNumber in [SIGILL, SIGTRAP, SIGABRT, SIGSEGV, SIGBUS] {
            signal(signalNumber, crashHandler)
        }
    }

    static func setCurrentSeed(_ seed: UInt64) {
        currentSeed = seed
    }
}

private func crashHandler(_ signalNumber: Int32) {
    var buffer = [UInt8](repeating: 0, count: 256)
    var length = 0
    func put(_ bytes: [UInt8]) {
        for byte in bytes where length < buffer.count {
            buffer[length] = byte
            length += 1
        }
    }
    func putNumber(_ value: UInt64) {
        var digits: [UInt8] = []
        var rest = value
        repeat {
            digits.append(UInt8(48 + rest % 10))
            rest /= 10
        } while rest > 0
        put(digits.reversed())
    }
    put(Array("raft-sim: an invariant failed while running seed ".utf8))
    putNumber(currentSeed)
    put(Array("\nreplay: make sim SEED=".utf8))
    putNumber(currentSeed)
    put(Array(" SIM_MS=".utf8))
    putNumber(simulatedMs)
    put(Array("\n".utf8))
    _ = buffer.withUnsafeBytes { write(2, $0.baseAddress, length) }
    signal(signalNumber, SIG_DFL)
    raise(signalNumber)
}
