import XCTest
@testable import ClusterConfig

/// Loading from disk: missing or unreadable files, and the state directory check.
final class LoadTests: XCTestCase {
    func testMissingFileNamesThePathAndHowToCreateIt() throws {
        let directory = try makeTemporaryDirectory(self)
        let path = directory + "/missing.ini"
        XCTAssertThrowsError(try ClusterConfig.load(path: path)) { error in
            let error = error as! ConfigError
            XCTAssertEqual(error.kind, .unreadableFile)
            XCTAssertEqual(error.location, SourceLocation(file: path))
            XCTAssertTrue(error.description.contains("no configuration file at \(path) (No such file or directory)"), error.description)
            XCTAssertTrue(error.description.contains("copying config.ini from the raftkv repository root"), error.description)
        }
    }

    func testDirectoryInsteadOfFile() throws {
        let directory = try makeTemporaryDirectory(self)
        XCTAssertThrowsError(try ClusterConfig.load(path: directory)) { error in
            let error = error as! ConfigError
            XCTAssertEqual(error.kind, .unreadableFile)
            XCTAssertTrue(error.description.contains("Is a directory"), error.description)
        }
    }

    func testErrorsInALoadedFileNameThePathAndLine() throws {
        let directory = try makeTemporaryDirectory(self)
        let path = directory + "/c.ini"
        try writeFile(path, "[cluster]\npersistent_state_path = \(directory)/s\n\n[raft]\nheartbeat_interval_ms = 200\n")
        XCTAssertThrowsError(try ClusterConfig.load(path: path)) { error in
            XCTAssertTrue("\(error)".hasPrefix("\(path):5: heartbeat_interval_ms = 200 must be well below"), "\(error)")
        }
    }

    func testCreatesAMissingStateDirectoryAndLeavesNoProbeFile() throws {
        let directory = try makeTemporaryDirectory(self)
        let path = directory + "/c.ini"
        try writeFile(path, "[cluster]\npersistent_state_path = \(directory)/a/b/state/\n")
        let config = try ClusterConfig.load(path: path)
        XCTAssertEqual(config.persistentStatePath, "\(directory)/a/b/state/")
        XCTAssertTrue(isDirectory(directory + "/a/b/state"))
        XCTAssertEqual(directoryEntries(directory + "/a/b/state"), [])
        XCTAssertNoThrow(try config.prepareStateDirectory())
    }

    func testStatePathThatIsAFile() throws {
        let directory = try makeTemporaryDirectory(self)
        try writeFile(directory + "/occupied", "x")
        let path = directory + "/c.ini"
        try writeFile(path, "[cluster]\n\npersistent_state_path = \(directory)/occupied\n")
        XCTAssertThrowsError(try ClusterConfig.load(path: path)) { error in
            let error = error as! ConfigError
            XCTAssertEqual(error.kind, .stateDirectory)
            XCTAssertEqual(error.location, SourceLocation(file: path, line: 3))
            XCTAssertTrue(error.description.contains("\(directory)/occupied is not a directory (Not a directory)"), error.description)
        }
    }

    func testStatePathBelowAFileCannotBeCreated() throws {
        let directory = try makeTemporaryDirectory(self)
        try writeFile(directory + "/occupied", "x")
        var config = ClusterConfig()
        config.persistentStatePath = directory + "/occupied/state"
        XCTAssertThrowsError(try config.prepareStateDirectory()) { error in
            let error = error as! ConfigError
            XCTAssertEqual(error.kind, .stateDirectory)
            XCTAssertTrue(error.description.contains("\(directory)/occupied/state"), error.description)
            XCTAssertTrue(error.description.contains("Not a directory"), error.description)
        }
    }

    func testUnwritableStateDirectory() throws {
        try XCTSkipIf(geteuid() == 0, "root can write into any directory")
        let directory = try makeTemporaryDirectory(self)
        let state = directory + "/readonly"
        XCTAssertEqual(mkdir(state, 0o555), 0)
        var config = ClusterConfig()
        config.persistentStatePath = state
        XCTAssertThrowsError(try config.prepareStateDirectory()) { error in
            let error = error as! ConfigError
            XCTAssertEqual(error.kind, .stateDirectory)
            XCTAssertTrue(error.description.contains("cannot write in \(state) (Permission denied)"), error.description)
        }
    }

    func testExistingDirectoryWithoutWriteAccess() throws {
        try XCTSkipUnless(isDirectory("/proc/self"), "needs procfs")
        var config = ClusterConfig()
        config.persistentStatePath = "/proc/self"
        XCTAssertThrowsError(try config.prepareStateDirectory()) { error in
            let error = error as! ConfigError
            XCTAssertEqual(error.kind, .stateDirectory)
            XCTAssertTrue(error.description.contains("cannot write in /proc/self ("), error.description)
        }
    }

    func testUncreatableStateDirectory() throws {
        var config = ClusterConfig()
        config.persistentStatePath = "/proc/raftkv-state"
        XCTAssertThrowsError(try config.prepareStateDirectory()) { error in
            let error = error as! ConfigError
            XCTAssertEqual(error.kind, .stateDirectory)
            XCTAssertTrue(error.description.contains("cannot create directory /proc/raftkv-state ("), error.description)
        }
    }

    func testOverridesPassedToLoadAreApplied() throws {
        let directory = try makeTemporaryDirectory(self)
        let path = directory + "/c.ini"
        try writeFile(path, "[cluster]\npersistent_state_path = \(directory)/s\n")
        let config = try ClusterConfig.load(path: path, overrides: ["base-port": "9101", "persistent_state_path": "\(directory)/t"])
        XCTAssertEqual(config.basePort, 9101)
        XCTAssertTrue(isDirectory(directory + "/t"))
    }
}
