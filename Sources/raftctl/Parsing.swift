import ClusterConfig
import RaftClient

/// Moves global options written before the command name to just after it, where the command's
/// parser expects them: `--timeout 2s put k v` becomes `put --timeout 2s k v`.
enum GlobalOptionOrder {
    static let takingValue: Set<String> = ["--config", "--endpoints", "--timeout", "-w", "--write-out"]

    static func commandFirst(_ arguments: [String]) -> [String] {
        var leading: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            let name = argument.split(separator: "=", maxSplits: 1).first.map(String.init) ?? argument
            guard takingValue.contains(name) else { break }
            leading.append(argument)
            if !argument.contains("="), index + 1 < arguments.count {
                leading.append(arguments[index + 1])
                index += 1
            }
            index += 1
        }
        guard !leading.isEmpty, index < arguments.count, !arguments[index].hasPrefix("-") else { return arguments }
        return [arguments[index]] + leading + arguments[(index + 1)...]
    }
}
