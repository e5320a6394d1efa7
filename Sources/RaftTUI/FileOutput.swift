#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Minimal unbuffered output to a file descriptor.
enum FileOutput {
    case standardError

    func write(_ text: String) {
        var bytes = Array(text.utf8)
        _ = bytes.withUnsafeMutableBytes { buffer in
            #if canImport(Glibc)
            Glibc.write(2, buffer.baseAddress, buffer.count)
            #else
            Darwin.write(2, buffer.baseAddress, buffer.count)
            #endif
        }
    }
}

func exitProgram(code: Int32) -> Never {
    exit(code)
}
