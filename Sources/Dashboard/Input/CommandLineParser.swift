import RaftClient

/// What a line typed after `:` asks for.
public enum CommandLineRequest: Sendable, Equatable {
    case command(DashboardCommand)
    case help
    case quit
}

/// Parses the `:` command line: `put k v`, `get k`, `del k`, `cas k old new`, `kill N`,
/// `start N`, `pause N`, `resume N`, `partition 1,2/3,4,5`, `heal`, `transfer N`, `help`, `quit`.
public enum CommandLineParser {
    public static let usage = "put K V, get K, del K, cas K OLD NEW, kill N, start N, pause N, resume N, partition 1,2/3,4,5, heal, transfer N, help, quit"

    public static func parse(_ line: String, nodes: [Int]) -> Result<CommandLineRequest, ArgumentProblem> {
        let words = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard let name = words.first?.lowercased() else { return .failure(ArgumentProblem("empty command; try: \(usage)")) }
        let arguments = Array(words.dropFirst())
        do throws(ArgumentProblem) {
            switch name {
            case "put": let a = try expect(arguments, ["KEY", "VALUE"], name); return .success(.command(.put(key: a[0], value: a[1])))
            case "get": let a = try expect(arguments, ["KEY"], name); return .success(.command(.get(key: a[0])))
            case "del", "delete": let a = try expect(arguments, ["KEY"], name); return .success(.command(.delete(key: a[0])))
            case "cas":
                let a = try expect(arguments, ["KEY", "OLD", "NEW"], name)
                return .success(.command(.compareAndSwap(key: a[0], expected: a[1], new: a[2])))
            case "kill": return .success(.command(.kill(node: try node(arguments, name, nodes))))
            case "start": return .success(.command(.start(node: try node(arguments, name, nodes))))
            case "pause": return .success(.command(.pause(node: try node(arguments, name, nodes))))
            case "resume": return .success(.command(.resume(node: try node(arguments, name, nodes))))
            case "transfer": return .success(.command(.transfer(node: try node(arguments, name, nodes))))
            case "partition":
                let a = try expect(arguments, ["SPEC"], name)
                return .success(.command(.partition(try PartitionSpec.parse(a[0], nodes: nodes))))
            case "heal": _ = try expect(arguments, [], name); return .success(.command(.heal))
            case "help", "?": return .success(.help)
            case "quit", "q", "exit": return .success(.quit)
            default: return .failure(ArgumentProblem("unknown command '\(name)'; commands: \(usage)"))
            }
        } catch {
            return .failure(error)
        }
    }

    private static func expect(_ arguments: [String], _ names: [String], _ command: String) throws(ArgumentProblem) -> [String] {
        guard arguments.count == names.count else {
            let form = ([command] + names).joined(separator: " ")
            throw ArgumentProblem("\(command) takes \(names.count) argument\(names.count == 1 ? "" : "s") (got \(arguments.count)); write: \(form)")
        }
        return arguments
    }

    private static func node(_ arguments: [String], _ command: String, _ nodes: [Int]) throws(ArgumentProblem) -> Int {
        let text = try expect(arguments, ["N"], command)[0]
        guard let id = Int(text), nodes.contains(id) else {
            throw ArgumentProblem("'\(text)' is not a node of this cluster; write \(command) N with N one of \(nodes.map(String.init).joined(separator: ","))")
        }
        return id
    }
}
