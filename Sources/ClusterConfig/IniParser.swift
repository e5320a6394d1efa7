/// Parses INI text: `[section]` headers, `key = value` lines, blank lines and comments starting with
/// `;` or `#`. A `;` or `#` preceded by whitespace also starts a comment after a value. Names and
/// values are trimmed; a key set twice in one section is an error.
enum IniParser {
    static func parse(_ text: String, fileName: String) throws(ConfigError) -> IniDocument {
        var document = IniDocument(fileName: fileName)
        var currentSection: String?
        var firstSeen: [String: SourceLocation] = [:]

        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        for (index, rawLine) in lines.enumerated() {
            let location = SourceLocation(file: fileName, line: index + 1)
            let line = stripComment(rawLine.trimmingSpaces())
            if line.isEmpty { continue }

            if line.hasPrefix("[") {
                guard line.hasSuffix("]"), line.count >= 2 else {
                    throw ConfigError(.syntax, at: location, problem: "section header \(line) is missing its closing ]",
                                      fix: "write it as [name]")
                }
                let name = line.dropFirst().dropLast().trimmingSpaces()
                guard !name.isEmpty else {
                    throw ConfigError(.syntax, at: location, problem: "empty section header []",
                                      fix: "name the section, e.g. [cluster]")
                }
                currentSection = name
                document.sections.append(IniSection(name: name, location: location))
                continue
            }

            guard let equals = line.firstIndex(of: "=") else {
                throw ConfigError(.syntax, at: location, problem: "\(line) is not a key = value line",
                                  fix: "write key = value, a [section] header, or start the line with ; to make it a comment")
            }
            let key = line[..<equals].trimmingSpaces()
            let value = line[line.index(after: equals)...].trimmingSpaces()
            guard !key.isEmpty else {
                throw ConfigError(.syntax, at: location, problem: "= \(value) has no key before the =",
                                  fix: "write key = value")
            }
            guard let section = currentSection else {
                throw ConfigError(.syntax, at: location, problem: "\(key) = \(value) comes before any [section]",
                                  fix: "move it under its section, e.g. [cluster] or [raft]")
            }
            let qualified = "\(section).\(key)"
            if let first = firstSeen[qualified] {
                throw ConfigError(.duplicateKey, at: location,
                                  problem: "\(key) is set twice in [\(section)] (first on line \(first.line ?? 0))",
                                  fix: "keep one of the two lines")
            }
            firstSeen[qualified] = location
            document.entries.append(IniEntry(section: section, key: key, value: value, location: location))
        }
        return document
    }

    /// Drops a whole-line comment, or a trailing comment that follows whitespace.
    private static func stripComment(_ line: String) -> String {
        if line.hasPrefix(";") || line.hasPrefix("#") { return "" }
        var previous: Character = "x"
        for index in line.indices {
            let character = line[index]
            if (character == ";" || character == "#") && previous.isWhitespace {
                return line[..<index].trimmingSpaces()
            }
            previous = character
        }
        return line
    }
}
