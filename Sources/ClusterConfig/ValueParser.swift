/// Reads the value types of config.ini: whole numbers, sizes and booleans.
enum ValueParser {
    /// A decimal integer with an optional leading `-`; nothing else.
    static func integer(_ text: String) -> Int? {
        let digits = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(text)
    }

    /// A byte count: a whole number optionally followed by `KiB`, `MiB` or `GiB` (with or without a space).
    static func bytes(_ text: String) -> Int? {
        let units: [(suffix: String, factor: Int)] = [("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30)]
        for unit in units where text.hasSuffix(unit.suffix) {
            let number = String(text.dropLast(unit.suffix.count)).trimmingSpaces()
            guard let value = integer(number) else { return nil }
            let (product, overflow) = value.multipliedReportingOverflow(by: unit.factor)
            return overflow ? nil : product
        }
        return integer(text)
    }

    /// `true`/`false`, `yes`/`no`, `on`/`off` or `1`/`0`, in any case.
    static func boolean(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true", "yes", "on", "1": return true
        case "false", "no", "off", "0": return false
        default: return nil
        }
    }

    /// A byte count the way config.ini shows it: `64MiB` when it is a whole number of a unit.
    static func formatBytes(_ value: Int) -> String {
        for (suffix, factor) in [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)]
        where value != 0 && value % factor == 0 {
            return "\(value / factor)\(suffix)"
        }
        return String(value)
    }
}
