/// One `key = value` line of an INI file, with the section it is in and where it was written.
struct IniEntry: Sendable, Hashable {
    var section: String
    var key: String
    var value: String
    var location: SourceLocation
}

/// One `[section]` header of an INI file.
struct IniSection: Sendable, Hashable {
    var name: String
    var location: SourceLocation
}

/// The contents of an INI file in the order written: section headers and keys, each with its line.
struct IniDocument: Sendable, Hashable {
    var fileName: String
    var sections: [IniSection] = []
    var entries: [IniEntry] = []

    /// The entry for `key` in `section`, if the file sets it.
    func entry(_ key: String, in section: String) -> IniEntry? {
        entries.first { $0.section == section && $0.key == key }
    }
}
