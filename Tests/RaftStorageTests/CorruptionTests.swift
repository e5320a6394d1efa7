import XCTest
import RaftEngine
@testable import RaftStorage

/// Damage that is not a torn final write: recovery refuses with `StorageError.corrupt` naming the
/// file, the byte offset and the index, and never starts on a wrong or shortened log.
final class CorruptionTests: XCTestCase {
    private let directory = "/data/node-1"
    /// When set, `makeLog` writes into zero-filled segments of 4 KiB.
    private var zeroFilled = false

    /// Entries 1...`count` of term 1, synced in batches of `batch`, with small segments when
    /// `segmentBytes` is given; no commit records unless `commit`.
    private func makeLog(count: LogIndex, batch: LogIndex = 1, segmentBytes: Int = 64 << 20, commit: Bool = false) throws -> (InMemoryFileSystem, StorageTracker) {
        let fs = InMemoryFileSystem()
        let options = zeroFilled ? StorageOptions(segmentBytes: min(segmentBytes, 4096), preallocation: .synchronous)
                                 : StorageOptions(segmentBytes: segmentBytes)
        let tracker = try StorageTracker(fileSystem: fs, directory: directory, options: options)
        try tracker.write(hardState: HardState(term: 1, vote: 1, commit: 0))
        var next: LogIndex = 1
        while next <= count {
            let last = min(next + batch - 1, count)
            try tracker.write(entries: makeEntries(next...last, term: 1, size: 30),
                              hardState: commit ? HardState(term: 1, vote: 1, commit: last) : nil)
            try tracker.sync()
            next = last + 1
        }
        tracker.close()
        return (fs, tracker)
    }

    private func open(_ fs: InMemoryFileSystem) throws(StorageError) -> NodeStorage {
        try NodeStorage(directory: directory, fileSystem: fs)
    }

    /// Flips every bit of the record holding entry `index` (of a 10-entry single-segment log) in
    /// turn; each must be refused at that record. Returns the flips that were not.
    private func flipsNotRefused(entry index: LogIndex) throws -> [String] {
        let (probeFS, _) = try makeLog(count: 10)
        let path = try XCTUnwrap(try segmentPaths(probeFS, directory: directory).first)
        let record = try XCTUnwrap(records(in: try probeFS.readFile(path)).first { $0.entryIndex == index })
        var problems: [String] = []
        for byte in record.offset..<(record.offset + record.size) {
            for bit in 0..<8 {
                let (fs, _) = try makeLog(count: 10)
                try fs.flipBit(path: path, byteOffset: byte, bit: bit)
                do {
                    let storage = try open(fs)
                    problems.append("byte \(byte - record.offset) of the record, bit \(bit): started with \(summary(storage.recovered))")
                } catch {
                    guard case .corrupt(let gotPath, let offset, let gotIndex, _) = error,
                          gotPath == path, offset == record.offset, gotIndex == index,
                          error.description.contains("--rebuild") else {
                        problems.append("byte \(byte - record.offset) of the record, bit \(bit): \(error)")
                        continue
                    }
                }
            }
        }
        return problems
    }

    func testBitFlipAnywhereInASyncedRecordInTheMiddleOfTheLastSegmentIsRefused() throws {
        let problems = try flipsNotRefused(entry: 5)
        XCTAssertTrue(problems.isEmpty, "\(problems.count) bit flips in synced entry 5 (followed by synced entries 6...10) were not refused:\n" + problems.joined(separator: "\n"))
    }

    func testBitFlipAnywhereInTheSyncedFinalRecordIsRefused() throws {
        let problems = try flipsNotRefused(entry: 10)
        XCTAssertTrue(problems.isEmpty, "\(problems.count) bit flips in the synced final entry 10 were not refused:\n" + problems.joined(separator: "\n"))
    }

    func testBitFlipAnywhereInTheSyncedFinalRecordOfAZeroFilledSegmentIsRefused() throws {
        zeroFilled = true
        let (fs, _) = try makeLog(count: 10)
        let path = try XCTUnwrap(try segmentPaths(fs, directory: directory).first)
        XCTAssertEqual(fs.readableSize(of: path), 4096, "the records were written into a zero-filled segment")
        let problems = try flipsNotRefused(entry: 10) + flipsNotRefused(entry: 5)
        XCTAssertTrue(problems.isEmpty, "\(problems.count) bit flips in synced entries 10 and 5, followed by zeros, were not refused:\n" + problems.joined(separator: "\n"))
    }

    func testBitFlipsInAZeroValuedRecordAtTheEndOfAZeroFilledSegmentAreRefused() throws {
        // A payload of zeros spanning whole sectors: stored whitened, it holds no zero sector that
        // a flipped bit could make look like a write the crash interrupted.
        zeroFilled = true
        let fs = InMemoryFileSystem()
        let tracker = try StorageTracker(fileSystem: fs, directory: directory, options: StorageOptions(segmentBytes: 8192, preallocation: .synchronous))
        try tracker.write(entries: makeEntries(1...2, term: 1, size: 30), hardState: HardState(term: 1, vote: 1, commit: 1))
        try tracker.write(entries: [Entry(term: 1, index: 3, data: [UInt8](repeating: 0, count: 1500))], hardState: HardState(term: 1, vote: 1, commit: 3))
        try tracker.sync()
        tracker.close()
        let path = try XCTUnwrap(try segmentPaths(fs, directory: directory).first)
        let all = records(in: try fs.readFile(path))
        let zeros = try XCTUnwrap(all.first { $0.entryIndex == 3 })
        let commit = try XCTUnwrap(all.last)
        var flips = [zeros.offset + 5, zeros.offset + 700, zeros.offset + zeros.size - 1]
        flips += Array(commit.offset..<(commit.offset + commit.size))
        for byte in flips {
            let copy = InMemoryFileSystem()
            try copy.createDirectory(joinPath(directory, "wal"))
            try copy.setContent(path: joinPath(directory, HardStateFile.name), bytes: try fs.readFile(joinPath(directory, HardStateFile.name)))
            var bytes = try fs.readFile(path)
            bytes[byte] ^= 0x10
            try copy.setContent(path: path, bytes: bytes)
            let offset = byte < commit.offset ? zeros.offset : commit.offset
            assertCorrupt(path: path, offset: offset) { () throws(StorageError) in
                try NodeStorage(directory: directory, fileSystem: copy)
            }
        }
    }

    func testAZeroedHeaderOfTheLastSegmentIsRefusedNotRemoved() throws {
        let (fs, _) = try makeLog(count: 200, batch: 10, segmentBytes: 4096)
        let paths = try segmentPaths(fs, directory: directory)
        XCTAssertGreaterThan(paths.count, 1)
        var bytes = try fs.readFile(paths.last!)
        bytes.replaceSubrange(0..<WALSegment.headerSize, with: repeatElement(0, count: WALSegment.headerSize))
        try fs.setContent(path: paths.last!, bytes: bytes)
        assertCorrupt(path: paths.last!, offset: 0) { () throws(StorageError) in try open(fs) }
        XCTAssertTrue(fs.fileExists(paths.last!), "a segment with records is never removed as unfinished")
    }

    /// A log of 200 entries in zero-filled segments of 4 KiB: the file system, the first segment's
    /// path and its bytes.
    private func firstOfSeveralZeroFilledSegments() throws -> (InMemoryFileSystem, path: String, bytes: [UInt8]) {
        zeroFilled = true
        let (fs, _) = try makeLog(count: 200, batch: 10, segmentBytes: 4096)
        let paths = try segmentPaths(fs, directory: directory)
        XCTAssertGreaterThan(paths.count, 2)
        return (fs, paths[0], try fs.readFile(paths[0]))
    }

    func testZerosAfterTheRecordsOfAnEarlierSegmentAreRefused() throws {
        let (fs, path, bytes) = try firstOfSeveralZeroFilledSegments()
        XCTAssertEqual(records(in: bytes).last.map { $0.offset + $0.size }, bytes.count, "a roll cut the segment to its records")
        try fs.setContent(path: path, bytes: bytes + [UInt8](repeating: 0, count: 700))
        assertCorrupt(path: path, offset: bytes.count) { () throws(StorageError) in try open(fs) }
    }

    func testZerosBeforeTheEndOfAnEarlierZeroFilledSegmentAreRefused() throws {
        let (fs, path, bytes) = try firstOfSeveralZeroFilledSegments()
        let record = try XCTUnwrap(records(in: bytes).dropFirst(3).first)
        var damaged = bytes
        damaged.replaceSubrange(record.offset..<(record.offset + WALRecord.headerSize), with: repeatElement(0, count: WALRecord.headerSize))
        try fs.setContent(path: path, bytes: damaged)
        assertCorrupt(path: path, offset: record.offset, index: .some(record.entryIndex!)) { () throws(StorageError) in try open(fs) }
    }

    func testBitFlipInTheMiddleOfASyncedRecordAfterTheWorkload() throws {
        let fs = InMemoryFileSystem()
        let tracker = try StorageTracker(fileSystem: fs, directory: directory, options: StorageOptions(segmentBytes: 100_000))
        try tracker.runStandardWorkload()
        tracker.close()
        let path = try XCTUnwrap(try segmentPaths(fs, directory: directory).last)
        let all = records(in: try fs.readFile(path))
        let record = try XCTUnwrap(all.first { $0.entryIndex == 70 })
        try fs.flipBit(path: path, byteOffset: record.offset + record.size / 2 + 4, bit: 3)
        assertCorrupt(path: path, offset: record.offset, index: .some(70)) { () throws(StorageError) in try open(fs) }
    }

    func testBitFlipInAnEarlierSegmentIsRefused() throws {
        let (fs, _) = try makeLog(count: 40, segmentBytes: 200)
        let paths = try segmentPaths(fs, directory: directory)
        XCTAssertGreaterThan(paths.count, 3)
        let record = try XCTUnwrap(records(in: try fs.readFile(paths[1])).dropFirst().first)
        let index = try XCTUnwrap(record.entryIndex)
        try fs.flipBit(path: paths[1], byteOffset: record.offset + WALRecord.headerSize + 20, bit: 0)
        assertCorrupt(path: paths[1], offset: record.offset, index: .some(index)) { () throws(StorageError) in try open(fs) }
    }

    func testTruncatedEarlierSegmentIsRefused() throws {
        let (fs, _) = try makeLog(count: 40, segmentBytes: 200)
        let paths = try segmentPaths(fs, directory: directory)
        let bytes = try fs.readFile(paths[1])
        let last = try XCTUnwrap(records(in: bytes).last)
        try fs.truncateFile(paths[1], to: bytes.count - 3)
        assertCorrupt(path: paths[1], offset: last.offset, index: .some(try XCTUnwrap(last.entryIndex))) { () throws(StorageError) in try open(fs) }
    }

    func testEarlierSegmentTruncatedAtARecordBoundaryIsRefused() throws {
        let (fs, _) = try makeLog(count: 40, segmentBytes: 200)
        let paths = try segmentPaths(fs, directory: directory)
        let last = try XCTUnwrap(records(in: try fs.readFile(paths[1])).last)
        try fs.truncateFile(paths[1], to: last.offset)
        let next = try XCTUnwrap(WALSegment(fileName: String(paths[2].split(separator: "/").last!)))
        assertCorrupt(path: paths[2], offset: 0, index: .some(next.firstIndex)) { () throws(StorageError) in try open(fs) }
    }

    func testMissingMiddleSegmentIsRefused() throws {
        let (fs, _) = try makeLog(count: 40, segmentBytes: 200)
        let paths = try segmentPaths(fs, directory: directory)
        try fs.removeFile(paths[2])
        try fs.syncDirectory(joinPath(directory, "wal"))
        fs.crash()
        let next = try XCTUnwrap(WALSegment(fileName: String(paths[3].split(separator: "/").last!)))
        let error = assertCorrupt(path: paths[3], offset: 0, index: .some(next.firstIndex)) { () throws(StorageError) in try open(fs) }
        XCTAssertTrue(error?.description.contains("missing") ?? false, "\(String(describing: error))")
    }

    func testMissingFirstSegmentWithoutASnapshotIsRefused() throws {
        let (fs, _) = try makeLog(count: 40, segmentBytes: 200)
        let paths = try segmentPaths(fs, directory: directory)
        try fs.removeFile(paths[0])
        let second = try XCTUnwrap(WALSegment(fileName: String(paths[1].split(separator: "/").last!)))
        assertCorrupt(path: joinPath(directory, "wal"), offset: 0, index: .some(second.firstIndex)) { () throws(StorageError) in try open(fs) }
    }

    func testBadSegmentHeaderIsRefused() throws {
        // Magic, version, sequence, first index and checksum, in a middle and in the last segment.
        for byte in [0, 7, 9, 14, 22, 30] {
            for which in ["middle", "last"] {
                let (fs, _) = try makeLog(count: 40, segmentBytes: 200)
                let paths = try segmentPaths(fs, directory: directory)
                let path = which == "middle" ? paths[2] : paths[paths.count - 1]
                let segment = try XCTUnwrap(WALSegment(fileName: String(path.split(separator: "/").last!)))
                try fs.flipBit(path: path, byteOffset: byte, bit: 1)
                assertCorrupt(path: path, offset: 0, index: .some(segment.firstIndex)) { () throws(StorageError) in try open(fs) }
            }
        }
    }

    func testSegmentWithAnotherSegmentsHeaderIsRefused() throws {
        let (fs, _) = try makeLog(count: 40, segmentBytes: 200)
        let paths = try segmentPaths(fs, directory: directory)
        var bytes = try fs.readFile(paths[2])
        let other = try XCTUnwrap(WALSegment(fileName: String(paths[1].split(separator: "/").last!)))
        bytes.replaceSubrange(0..<WALSegment.headerSize, with: other.header)
        try fs.setContent(path: paths[2], bytes: bytes)
        let segment = try XCTUnwrap(WALSegment(fileName: String(paths[2].split(separator: "/").last!)))
        assertCorrupt(path: paths[2], offset: 0, index: .some(segment.firstIndex)) { () throws(StorageError) in try open(fs) }
    }

    func testDamagedHardStateIsRefused() throws {
        let hardState = joinPath(directory, "hardstate")
        let damages: [(String, (InMemoryFileSystem) throws -> Void)] = [
            ("bit flip in the term", { try $0.flipBit(path: hardState, byteOffset: 9, bit: 2) }),
            ("bit flip in the vote", { try $0.flipBit(path: hardState, byteOffset: 17, bit: 0) }),
            ("bit flip in the checksum", { try $0.flipBit(path: hardState, byteOffset: 26, bit: 7) }),
            ("bit flip in the magic", { try $0.flipBit(path: hardState, byteOffset: 1, bit: 4) }),
            ("truncated", { fs in try fs.setContent(path: hardState, bytes: Array(try fs.readFile(hardState).prefix(20))) }),
            ("empty", { try $0.setContent(path: hardState, bytes: []) }),
        ]
        for (name, damage) in damages {
            let (fs, _) = try makeLog(count: 5)
            try damage(fs)
            let error = assertCorrupt(path: hardState, offset: 0, index: .none) { () throws(StorageError) in try open(fs) }
            XCTAssertNotNil(error, name)
        }
    }

    func testMissingHardStateWithALogIsRefused() throws {
        let (fs, _) = try makeLog(count: 5)
        let hardState = joinPath(directory, "hardstate")
        try fs.removeFile(hardState)
        try fs.syncDirectory(directory)
        assertCorrupt(path: hardState, offset: 0) { () throws(StorageError) in try open(fs) }
    }

    func testDamagedNewestSnapshotIsRefused() throws {
        for damage in ["flip in data", "flip in header", "flip in checksum", "truncated", "extended"] {
            let fs = InMemoryFileSystem()
            let tracker = try StorageTracker(fileSystem: fs, directory: directory, options: StorageOptions(segmentBytes: 300))
            try tracker.runStandardWorkload()
            tracker.close()
            let snapshots = try snapshotPaths(fs, directory: directory)
            XCTAssertEqual(snapshots.count, 2, "the newest two snapshots are kept")
            let newest = snapshots[0]
            let bytes = try fs.readFile(newest)
            switch damage {
            case "flip in data": try fs.flipBit(path: newest, byteOffset: 40, bit: 5)
            case "flip in header": try fs.flipBit(path: newest, byteOffset: 10, bit: 0)
            case "flip in checksum": try fs.flipBit(path: newest, byteOffset: bytes.count - 1, bit: 0)
            case "truncated": try fs.setContent(path: newest, bytes: Array(bytes.dropLast(6)))
            default: try fs.setContent(path: newest, bytes: bytes + [0, 0, 0])
            }
            let error = assertCorrupt(path: newest, offset: 0) { () throws(StorageError) in try open(fs) }
            XCTAssertNotNil(error, damage)
        }
    }

    func testDamagedOlderSnapshotIsNotNeeded() throws {
        let fs = InMemoryFileSystem()
        let tracker = try StorageTracker(fileSystem: fs, directory: directory, options: StorageOptions(segmentBytes: 300))
        try tracker.runStandardWorkload()
        let older = try snapshotPaths(fs, directory: directory)[1]
        try fs.flipBit(path: older, byteOffset: 12, bit: 3)
        XCTAssertEqual(try tracker.reopen(), standardWorkloadResult)
    }

    func testCorruptErrorDescriptionNamesEverything() {
        let error = StorageError.corrupt(path: "/data/node-1/wal/x.wal", offset: 4242, index: 17, reason: "checksum mismatch")
        XCTAssertTrue(error.description.contains("/data/node-1/wal/x.wal"))
        XCTAssertTrue(error.description.contains("at byte 4242"))
        XCTAssertTrue(error.description.contains("log index 17"))
        XCTAssertTrue(error.description.contains("checksum mismatch"))
        XCTAssertTrue(error.description.contains("--rebuild"))
    }
}
