import XCTest
@testable import ClusterConfig

/// Parses `text` as `config.ini` and returns the error it must raise.
func parseError(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> ConfigError? {
    do {
        let config = try ClusterConfig.parse(text: text, fileName: "config.ini")
        XCTFail("expected an error, got \(config)", file: file, line: line)
        return nil
    } catch {
        return error
    }
}

/// Asserts that `text` fails with `kind` at `expectedLine` and that the message contains every fragment.
func assertError(_ text: String, _ kind: ConfigError.Kind, line expectedLine: Int?, contains fragments: [String],
                 file: StaticString = #filePath, line: UInt = #line) {
    guard let error = parseError(text, file: file, line: line) else { return }
    XCTAssertEqual(error.kind, kind, error.description, file: file, line: line)
    XCTAssertEqual(error.location.line, expectedLine, error.description, file: file, line: line)
    XCTAssertEqual(error.location.file, "config.ini", file: file, line: line)
    for fragment in fragments {
        XCTAssertTrue(error.description.contains(fragment), "\"\(error.description)\" lacks \"\(fragment)\"", file: file, line: line)
    }
}

/// A fresh directory under the system temp directory, removed by the test's teardown block.
func makeTemporaryDirectory(_ test: XCTestCase) throws -> String {
    var template = Array("/tmp/clusterconfig-test-XXXXXX".utf8CString)
    let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
    let path = try XCTUnwrap(created.map { String(cString: $0) })
    test.addTeardownBlock { removeTree(path) }
    return path
}

func writeFile(_ path: String, _ text: String) throws {
    let file = try XCTUnwrap(fopen(path, "w"))
    fputs(text, file)
    fclose(file)
}

func isDirectory(_ path: String) -> Bool {
    var status = stat()
    return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR
}

func directoryEntries(_ path: String) -> [String] {
    guard let directory = opendir(path) else { return [] }
    defer { closedir(directory) }
    var names: [String] = []
    while let entry = readdir(directory) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
        if name != "." && name != ".." { names.append(name) }
    }
    return names
}

func removeTree(_ path: String) {
    var status = stat()
    guard lstat(path, &status) == 0 else { return }
    if (status.st_mode & S_IFMT) == S_IFDIR {
        chmod(path, 0o755)
        for name in directoryEntries(path) { removeTree(path + "/" + name) }
        rmdir(path)
    } else {
        unlink(path)
    }
}

/// The repository's shipped config.ini.
let shippedConfigPath: String = {
    var components = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
    components.removeLast(3)
    return components.joined(separator: "/") + "/config.ini"
}()
