import RaftEngine

/// The durable term and vote, in their own small file (`hardstate`), replaced atomically whenever
/// either changes. Keeping them outside the log means a damaged log never loses a vote: a rebuilt
/// node still remembers whom it voted for, so it cannot vote twice in a term.
///
/// Format (24 bytes): magic `RKVHS\0\0\u{1}`, term (u64), vote (u64), then a CRC-32C of the
/// first 24 bytes (u32).
enum HardStateFile {
    static let name = "hardstate"
    private static let magic: [UInt8] = Array("RKVHS".utf8) + [0, 0, 1]

    static func encode(term: Term, vote: NodeID) -> [UInt8] {
        var writer = ByteWriter()
        writer.raw(magic)
        writer.u64(term)
        writer.u64(vote)
        writer.u32(CRC32C.checksum(writer.bytes))
        return writer.bytes
    }

    /// Reads the file; a missing file is a brand-new node (term 0, no vote).
    static func read(directory: String, fileSystem: any FileSystem) throws(StorageError) -> (term: Term, vote: NodeID) {
        let path = joinPath(directory, name)
        guard fileSystem.fileExists(path) else { return (0, noNode) }
        let bytes = try fileSystem.readFile(path)
        var reader = ByteReader(bytes)
        guard bytes.count == 28, reader.raw(8)! == magic else {
            throw .corrupt(path: path, offset: 0, index: nil, reason: "not a raftkv hard-state file (\(bytes.count) bytes)")
        }
        let term = reader.u64()!
        let vote = reader.u64()!
        guard reader.u32()! == CRC32C.checksum(bytes[0..<24]) else {
            throw .corrupt(path: path, offset: 0, index: nil, reason: "hard-state checksum mismatch")
        }
        return (term, vote)
    }

    static func write(term: Term, vote: NodeID, directory: String, fileSystem: any FileSystem) throws(StorageError) {
        try AtomicFile.write(encode(term: term, vote: vote), to: joinPath(directory, name), directory: directory, fileSystem: fileSystem)
    }
}
