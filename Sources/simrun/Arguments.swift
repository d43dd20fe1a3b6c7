/// A command-line usage error: exit 64 with `Error: <message>` and the command's usage on stderr.
struct UsageError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
    init(_ message: String) { self.message = message }
}

/// The options and positionals of one command, checked against what the command declares.
struct Arguments {
    private(set) var positionals: [String] = []
    private var values: [String: String] = [:]
    private var flags: Set<String> = []

    /// Parses `args` for a command that takes the given valued options and flags (names without `--`).
    init(_ args: [String], options: Set<String>, flags allowedFlags: Set<String>) throws(UsageError) {
        var i = 0
        var onlyPositionals = false
        while i < args.count {
            let arg = args[i]
            i += 1
            if onlyPositionals || !arg.hasPrefix("-") || arg == "-" {
                positionals.append(arg)
                continue
            }
            if arg == "--" { onlyPositionals = true; continue }
            guard arg.hasPrefix("--") else { throw UsageError("unknown option '\(arg)' (options are spelled --name)") }
            var name = String(arg.dropFirst(2))
            var inlineValue: String?
            if let eq = name.firstIndex(of: "=") {
                inlineValue = String(name[name.index(after: eq)...])
                name = String(name[..<eq])
            }
            if allowedFlags.contains(name) {
                guard inlineValue == nil else { throw UsageError("--\(name) takes no value") }
                flags.insert(name)
            } else if options.contains(name) {
                if let v = inlineValue {
                    values[name] = v
                } else {
                    guard i < args.count else { throw UsageError("--\(name) needs a value") }
                    values[name] = args[i]
                    i += 1
                }
            } else {
                let known = (options.union(allowedFlags)).sorted().map { "--\($0)" }.joined(separator: ", ")
                throw UsageError("unknown option '--\(name)'" + (known.isEmpty ? "" : " (known: \(known))"))
            }
        }
    }

    func flag(_ name: String) -> Bool { flags.contains(name) }
    func string(_ name: String) -> String? { values[name] }

    func integer(_ name: String, range: ClosedRange<Int64>) throws(UsageError) -> Int64? {
        guard let text = values[name] else { return nil }
        guard let v = Int64(text) else { throw UsageError("--\(name): must be a whole number, got '\(text)'") }
        guard range.contains(v) else { throw UsageError("--\(name): must be between \(range.lowerBound) and \(range.upperBound), got \(v)") }
        return v
    }

    func decimal(_ name: String, range: ClosedRange<Double>) throws(UsageError) -> Double? {
        guard let text = values[name] else { return nil }
        guard let v = Double(text), v.isFinite else { throw UsageError("--\(name): must be a number, got '\(text)'") }
        guard range.contains(v) else { throw UsageError("--\(name): must be between \(range.lowerBound) and \(range.upperBound), got \(text)") }
        return v
    }

    func choice<E: RawRepresentable & CaseIterable>(_ name: String, _: E.Type) throws(UsageError) -> E? where E.RawValue == String {
        guard let text = values[name] else { return nil }
        guard let v = E(rawValue: text) else {
            throw UsageError("--\(name): must be one of \(E.allCases.map(\.rawValue).joined(separator: ", ")), got '\(text)'")
        }
        return v
    }
}
