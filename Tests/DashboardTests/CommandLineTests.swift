import Dashboard
import RaftClient
import XCTest

/// The `:` command line: parsing every command, its errors, and the line editor.
final class CommandLineTests: XCTestCase {
    private let nodes = [1, 2, 3, 4, 5]

    private func parse(_ line: String) -> Result<CommandLineRequest, ArgumentProblem> {
        CommandLineParser.parse(line, nodes: nodes)
    }

    func testEveryCommand() {
        let cases: [(String, CommandLineRequest)] = [
            ("put k v", .command(.put(key: "k", value: "v"))),
            ("get k", .command(.get(key: "k"))),
            ("del k", .command(.delete(key: "k"))),
            ("cas k old new", .command(.compareAndSwap(key: "k", expected: "old", new: "new"))),
            ("kill 3", .command(.kill(node: 3))),
            ("start 3", .command(.start(node: 3))),
            ("pause 2", .command(.pause(node: 2))),
            ("resume 2", .command(.resume(node: 2))),
            ("partition 1,2/3,4,5", .command(.partition(PartitionSpec(groups: [[1, 2], [3, 4, 5]])))),
            ("heal", .command(.heal)),
            ("transfer 4", .command(.transfer(node: 4))),
            ("help", .help),
            ("  quit  ", .quit),
        ]
        for (line, expected) in cases {
            XCTAssertEqual(try parse(line).get(), expected, line)
        }
    }

    func testErrorsNameTheFix() {
        XCTAssertEqual(parse("put k").failureText, "put takes 2 arguments (got 1); write: put KEY VALUE")
        XCTAssertEqual(parse("kill seven").failureText, "'seven' is not a node of this cluster; write kill N with N one of 1,2,3,4,5")
        XCTAssertTrue(parse("frobnicate").failureText?.hasPrefix("unknown command 'frobnicate'; commands: put K V") ?? false)
        XCTAssertTrue(parse("partition 1,2").failureText?.contains("single group") ?? false)
    }

    func testLineEditing() {
        var editor = LineEditor()
        for character in "put a b" { _ = editor.handle(.character(character)) }
        _ = editor.handle(.control("w"))
        XCTAssertEqual(editor.line, "put a ")
        _ = editor.handle(.home)
        _ = editor.handle(.delete)
        XCTAssertEqual(editor.line, "ut a ")
        _ = editor.handle(.end)
        _ = editor.handle(.backspace)
        _ = editor.handle(.left)
        _ = editor.handle(.control("k"))
        XCTAssertEqual(editor.line, "ut ")
        XCTAssertFalse(editor.handle(.enter))
    }

    func testHistoryBrowsingKeepsTheDraft() {
        var history = CommandHistory()
        history.record("heal")
        history.record("heal")
        history.record("kill 3")
        XCTAssertEqual(history.lines, ["heal", "kill 3"])
        var editor = LineEditor(history: history.lines)
        _ = editor.handle(.character("g"))
        _ = editor.handle(.up)
        XCTAssertEqual(editor.line, "kill 3")
        _ = editor.handle(.up)
        _ = editor.handle(.up)
        XCTAssertEqual(editor.line, "heal")
        _ = editor.handle(.down)
        _ = editor.handle(.down)
        XCTAssertEqual(editor.line, "g")
    }
}

extension Result where Failure == ArgumentProblem {
    var failureText: String? {
        if case .failure(let problem) = self { return problem.description }
        return nil
    }
}
