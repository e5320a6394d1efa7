import Dispatch
import Foundation
import XCTest
@testable import RaftStorage

/// Fails unless `body` throws exactly `expected`.
func assertThrows<T>(
    _ expected: StorageError, _ body: () throws(StorageError) -> T,
    file: StaticString = #filePath, line: UInt = #line
) {
    do {
        _ = try body()
        XCTFail("expected \(expected), nothing was thrown", file: file, line: line)
    } catch {
        XCTAssertEqual(error, expected, file: file, line: line)
    }
}

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// The behaviour both file systems must share, exercised under `root` (which exists).
func exerciseBasicOperations(_ fs: any FileSystem, root: String) throws {
    let dir = joinPath(root, "state/node-1/wal")
    try fs.createDirectory(dir)
    try fs.createDirectory(dir)
    XCTAssertTrue(fs.fileExists(dir))
    XCTAssertEqual(try fs.listDirectory(joinPath(root, "state")), ["node-1"])
    XCTAssertEqual(try fs.listDirectory(dir), [])

    let log = joinPath(dir, "0000000000000001-0000000000000001.wal")
    assertThrows(.io(operation: "open", path: log, errno: 2)) { () throws(StorageError) in
        try fs.openForAppend(log, create: false)
    }
    assertThrows(.io(operation: "open", path: log, errno: 2)) { () throws(StorageError) in try fs.readFile(log) }
    XCTAssertFalse(fs.fileExists(log))

    let file = try fs.openForAppend(log, create: true)
    XCTAssertEqual(file.size, 0)
    XCTAssertEqual(try fs.readFile(log), [])
    try file.append(bytes("hello"))
    try file.append([])
    XCTAssertEqual(file.size, 5)
    try file.sync()
    file.close()
    try fs.syncDirectory(dir)
    XCTAssertTrue(fs.fileExists(log))

    let reopened = try fs.openForAppend(log, create: false)
    XCTAssertEqual(reopened.size, 5)
    try reopened.append(bytes(" world"))
    XCTAssertEqual(reopened.size, 11)
    try reopened.sync()
    reopened.close()
    XCTAssertEqual(try fs.readFile(log), bytes("hello world"))

    let large = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
    let bigPath = joinPath(dir, "big")
    let big = try fs.openForAppend(bigPath, create: true)
    try big.append(large)
    big.close()
    XCTAssertEqual(try fs.readFile(bigPath), large)

    let a = joinPath(dir, "a.tmp")
    let z = joinPath(dir, "z.tmp")
    for (path, text) in [(z, "zzz"), (a, "aaa")] {
        let handle = try fs.openForAppend(path, create: true)
        try handle.append(bytes(text))
        handle.close()
    }
    XCTAssertEqual(try fs.listDirectory(dir), ["0000000000000001-0000000000000001.wal", "a.tmp", "big", "z.tmp"])

    try fs.rename(a, to: z)
    XCTAssertFalse(fs.fileExists(a))
    XCTAssertEqual(try fs.readFile(z), bytes("aaa"))
    assertThrows(.io(operation: "rename", path: a, errno: 2)) { () throws(StorageError) in try fs.rename(a, to: z) }

    try fs.truncateFile(log, to: 4)
    XCTAssertEqual(try fs.readFile(log), bytes("hell"))
    let afterTruncate = try fs.openForAppend(log, create: false)
    XCTAssertEqual(afterTruncate.size, 4)
    try afterTruncate.append(bytes("o"))
    afterTruncate.close()
    XCTAssertEqual(try fs.readFile(log), bytes("hello"))
    let missing = joinPath(dir, "missing")
    assertThrows(.io(operation: "open", path: missing, errno: 2)) { () throws(StorageError) in
        try fs.truncateFile(missing, to: 0)
    }

    let zeroed = joinPath(dir, "zeroed")
    try fs.createZeroFilled(zeroed, size: 3000, paced: false)
    XCTAssertEqual(try fs.readFile(zeroed), [UInt8](repeating: 0, count: 3000))
    let inPlace = try fs.openForWriting(zeroed, at: 0)
    try inPlace.append(bytes("abc"))
    XCTAssertEqual(inPlace.size, 3)
    try inPlace.sync()
    inPlace.close()
    XCTAssertEqual(try fs.readFile(zeroed), bytes("abc") + [UInt8](repeating: 0, count: 2997))
    let pastTheEnd = try fs.openForWriting(zeroed, at: 2998)
    try pastTheEnd.append(bytes("xyz"))
    XCTAssertEqual(pastTheEnd.size, 3001)
    pastTheEnd.close()
    XCTAssertEqual(try fs.readFile(zeroed), bytes("abc") + [UInt8](repeating: 0, count: 2995) + bytes("xyz"))
    try fs.createZeroFilled(zeroed, size: 10, paced: true)
    XCTAssertEqual(try fs.readFile(zeroed), [UInt8](repeating: 0, count: 10), "a zero-filled file replaces the old one")
    try fs.removeFile(zeroed)

    try fs.removeFile(z)
    try fs.removeFile(bigPath)
    XCTAssertFalse(fs.fileExists(z))
    assertThrows(.io(operation: "unlink", path: z, errno: 2)) { () throws(StorageError) in try fs.removeFile(z) }
    try fs.syncDirectory(dir)
    XCTAssertEqual(try fs.listDirectory(dir), ["0000000000000001-0000000000000001.wal"])

    let nowhere = joinPath(root, "nowhere")
    assertThrows(.io(operation: "opendir", path: nowhere, errno: 2)) { () throws(StorageError) in
        try fs.listDirectory(nowhere)
    }
    assertThrows(.io(operation: "open", path: nowhere, errno: 2)) { () throws(StorageError) in
        try fs.syncDirectory(nowhere)
    }
    let orphan = joinPath(nowhere, "file")
    assertThrows(.io(operation: "open", path: orphan, errno: 2)) { () throws(StorageError) in
        try fs.openForAppend(orphan, create: true)
    }
}

final class PosixFileSystemTests: XCTestCase {
    private var root = ""

    override func setUpWithError() throws {
        root = "/tmp/raftkv-fs-tests-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: false)
    }

    override func tearDownWithError() throws {
        try FileManager.default.removeItem(atPath: root)
    }

    func testBasicOperations() throws {
        try exerciseBasicOperations(PosixFileSystem(), root: root)
    }

    func testCreateDirectoryOverAFileFails() throws {
        let fs = PosixFileSystem()
        let path = joinPath(root, "file")
        try fs.openForAppend(path, create: true).close()
        assertThrows(.io(operation: "mkdir", path: path, errno: ENOTDIR)) { () throws(StorageError) in
            try fs.createDirectory(path)
        }
    }
}

final class InMemoryFileSystemTests: XCTestCase {
    private let dir = "/state/node-1/wal"
    private let path = "/state/node-1/wal/0000000000000001-0000000000000001.wal"

    func testBasicOperations() throws {
        try exerciseBasicOperations(InMemoryFileSystem(), root: "/tmp/raftkv")
    }

    func testCreateDirectoryOverAFileFails() throws {
        let fs = InMemoryFileSystem()
        try fs.createDirectory("/root")
        try fs.openForAppend("/root/file", create: true).close()
        assertThrows(.io(operation: "mkdir", path: "/root/file", errno: 20)) { () throws(StorageError) in
            try fs.createDirectory("/root/file")
        }
    }

    /// A file system holding `path`, created with a durable directory entry and no content.
    private func makeFileSystem() throws -> (InMemoryFileSystem, any AppendableFile) {
        let fs = InMemoryFileSystem()
        try fs.createDirectory(dir)
        let file = try fs.openForAppend(path, create: true)
        try fs.syncDirectory(dir)
        return (fs, file)
    }

    func testUnsyncedAppendsAreLostAndSyncedSurvive() throws {
        let (fs, file) = try makeFileSystem()
        try file.append(bytes("abc"))
        try file.sync()
        try file.append(bytes("def"))
        XCTAssertEqual(fs.content(of: path), bytes("abcdef"))
        XCTAssertEqual(fs.durableContent(of: path), bytes("abc"))
        XCTAssertEqual(fs.syncCount, 1)

        fs.crash()
        XCTAssertEqual(try fs.readFile(path), bytes("abc"))
        XCTAssertEqual(fs.durableContent(of: path), bytes("abc"))
    }

    func testTornWriteKeepsAPrefixOfTheUnsyncedBytes() throws {
        for (keep, expected) in [(2, "abcde"), (100, "abcdefg"), (-1, "abc"), (0, "abc")] {
            let (fs, file) = try makeFileSystem()
            try file.append(bytes("abc"))
            try file.sync()
            try file.append(bytes("def"))
            try file.append(bytes("g"))
            var asked: [String] = []
            fs.crash { asked.append($0); return keep }
            XCTAssertEqual(asked, [path])
            XCTAssertEqual(try fs.readFile(path), bytes(expected), "keeping \(keep)")
            fs.crash()
            XCTAssertEqual(try fs.readFile(path), bytes(expected), "what survived a crash is durable")
        }
    }

    func testHandlesFailWithEIOAfterACrash() throws {
        let (fs, file) = try makeFileSystem()
        fs.crash()
        assertThrows(.io(operation: "write", path: path, errno: 5)) { () throws(StorageError) in try file.append([1]) }
        assertThrows(.io(operation: "fdatasync", path: path, errno: 5)) { () throws(StorageError) in try file.sync() }
        let reopened = try fs.openForAppend(path, create: false)
        try reopened.append([1])
        XCTAssertEqual(try fs.readFile(path), [1])
    }

    func testClosedHandlesFail() throws {
        let (_, file) = try makeFileSystem()
        file.close()
        assertThrows(.io(operation: "write", path: path, errno: 9)) { () throws(StorageError) in try file.append([1]) }
    }

    func testFileCreatedWithoutDirectorySyncDisappears() throws {
        let fs = InMemoryFileSystem()
        try fs.createDirectory(dir)
        let file = try fs.openForAppend(path, create: true)
        try file.append(bytes("data"))
        try file.sync()
        XCTAssertTrue(fs.fileExists(path))
        fs.crash()
        XCTAssertFalse(fs.fileExists(path))
        XCTAssertEqual(try fs.listDirectory(dir), [])
        XCTAssertTrue(fs.fileExists(dir), "directories are durable at once")
    }

    func testRenameWithoutDirectorySyncIsUndone() throws {
        let fs = InMemoryFileSystem()
        try fs.createDirectory(dir)
        let temporary = joinPath(dir, "snapshot.tmp")
        let final = joinPath(dir, "snapshot")
        try fs.setContent(path: final, bytes: bytes("old"))
        let file = try fs.openForAppend(temporary, create: true)
        try file.append(bytes("new"))
        try file.sync()
        try fs.syncDirectory(dir)

        try fs.rename(temporary, to: final)
        XCTAssertEqual(try fs.readFile(final), bytes("new"))
        fs.crash()
        XCTAssertEqual(try fs.listDirectory(dir), ["snapshot", "snapshot.tmp"])
        XCTAssertEqual(try fs.readFile(final), bytes("old"))
        XCTAssertEqual(try fs.readFile(temporary), bytes("new"))

        try fs.rename(temporary, to: final)
        try fs.syncDirectory(dir)
        fs.crash()
        XCTAssertEqual(try fs.listDirectory(dir), ["snapshot"])
        XCTAssertEqual(try fs.readFile(final), bytes("new"))
    }

    func testRemovalWithoutDirectorySyncIsUndone() throws {
        let (fs, file) = try makeFileSystem()
        try file.append(bytes("abc"))
        try file.sync()
        try fs.removeFile(path)
        try file.append(bytes("d"))
        try file.sync()
        XCTAssertFalse(fs.fileExists(path))
        fs.crash()
        XCTAssertEqual(try fs.readFile(path), bytes("abcd"), "the inode outlived its unlink")

        try fs.removeFile(path)
        try fs.syncDirectory(dir)
        fs.crash()
        XCTAssertFalse(fs.fileExists(path))
    }

    func testFailWritesWritesAPrefixThenThrowsENOSPC() throws {
        let (fs, file) = try makeFileSystem()
        fs.failWrites(after: 5)
        try file.append(bytes("abc"))
        assertThrows(.io(operation: "write", path: path, errno: 28)) { () throws(StorageError) in
            try file.append(bytes("defg"))
        }
        XCTAssertEqual(try fs.readFile(path), bytes("abcde"))
        XCTAssertEqual(file.size, 5)
        assertThrows(.io(operation: "write", path: path, errno: 28)) { () throws(StorageError) in try file.append([1]) }
        XCTAssertEqual(try fs.readFile(path), bytes("abcde"))

        fs.clearFaults()
        try file.append(bytes("f"))
        XCTAssertEqual(try fs.readFile(path), bytes("abcdef"))

        fs.failWrites(after: 0, errno: 5)
        assertThrows(.io(operation: "write", path: path, errno: 5)) { () throws(StorageError) in try file.append([1]) }
    }

    func testFailSyncsThrowsEIOAndMakesNothingDurable() throws {
        let (fs, file) = try makeFileSystem()
        try file.append(bytes("abc"))
        fs.failSyncs()
        assertThrows(.io(operation: "fdatasync", path: path, errno: 5)) { () throws(StorageError) in try file.sync() }
        assertThrows(.io(operation: "fsync", path: dir, errno: 5)) { () throws(StorageError) in try fs.syncDirectory(dir) }
        XCTAssertEqual(fs.syncCount, 0)
        XCTAssertEqual(fs.durableContent(of: path), [])

        fs.clearFaults()
        try file.sync()
        XCTAssertEqual(fs.syncCount, 1)
        XCTAssertEqual(fs.durableContent(of: path), bytes("abc"))
    }

    func testTruncateIsDurableAtOnce() throws {
        let (fs, file) = try makeFileSystem()
        try file.append(bytes("abcdef"))
        try fs.truncateFile(path, to: 4)
        fs.crash()
        XCTAssertEqual(try fs.readFile(path), bytes("abcd"))
    }

    func testFlipBitAndSetContentChangeDurableBytes() throws {
        let (fs, file) = try makeFileSystem()
        try file.append([0, 0, 0])
        try file.sync()
        try file.append([0])
        try fs.flipBit(path: path, byteOffset: 1, bit: 3)
        try fs.flipBit(path: path, byteOffset: 3, bit: 0)
        XCTAssertEqual(fs.content(of: path), [0, 8, 0, 1])
        XCTAssertEqual(fs.durableContent(of: path), [0, 8, 0])
        fs.crash()
        XCTAssertEqual(try fs.readFile(path), [0, 8, 0])

        try fs.setContent(path: path, bytes: [7, 7])
        fs.crash()
        XCTAssertEqual(try fs.readFile(path), [7, 7])

        let fresh = joinPath(dir, "fresh")
        try fs.setContent(path: fresh, bytes: [1])
        fs.crash()
        XCTAssertEqual(try fs.readFile(fresh), [1], "setContent creates a durable entry")
        assertThrows(.io(operation: "open", path: "/nowhere/x", errno: 2)) { () throws(StorageError) in
            try fs.flipBit(path: "/nowhere/x", byteOffset: 0, bit: 0)
        }
        XCTAssertNil(fs.content(of: "/nowhere/x"))
        XCTAssertNil(fs.durableContent(of: "/nowhere/x"))
    }

    func testPacedWriteSyncsEachPart() throws {
        let (fs, file) = try makeFileSystem()
        let bytes = (0..<(2 * PacedWrite.partBytes + 1000)).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        try PacedWrite.append(bytes, to: file)
        XCTAssertEqual(fs.durableContent(of: path), bytes)
        XCTAssertEqual(fs.syncCount, 3, "one sync per part")
    }

    func testConcurrentAppendsToSeparateFiles() throws {
        let fs = InMemoryFileSystem()
        let dir = self.dir
        try fs.createDirectory(dir)
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            let file = try! fs.openForAppend(joinPath(dir, "f\(worker)"), create: true)
            for round in 0..<500 {
                try! file.append([UInt8(round % 256)])
                if round % 50 == 0 { try! file.sync() }
            }
            file.close()
        }
        for worker in 0..<8 {
            XCTAssertEqual(try fs.readFile(joinPath(dir, "f\(worker)")).count, 500)
        }
        XCTAssertEqual(fs.syncCount, 80)
    }
}
