#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writing many megabytes in the background (a snapshot, a spare log segment) without holding up
/// the log: a part at a time, each synced, with a short pause between parts, so that the log's
/// fdatasyncs on the same disk never queue behind one large flush.
enum PacedWrite {
    static let partBytes = 256 << 10
    static let pauseMicroseconds: UInt32 = 2_000

    /// Appends one part and makes the file durable, after a pause when another part came before it.
    static func appendPart(_ part: ArraySlice<UInt8>, to file: any AppendableFile, afterAnother: Bool) throws(StorageError) {
        if afterAnother { usleep(pauseMicroseconds) }
        try file.append(Array(part))
        try file.sync()
    }

    /// Appends `bytes` part by part.
    static func append(_ bytes: [UInt8], to file: any AppendableFile) throws(StorageError) {
        var start = 0
        while start < bytes.count {
            let end = min(start + partBytes, bytes.count)
            try appendPart(bytes[start..<end], to: file, afterAnother: start > 0)
            start = end
        }
    }
}
