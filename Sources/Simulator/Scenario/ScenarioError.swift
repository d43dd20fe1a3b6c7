/// One thing wrong with a scenario: where (a JSON path such as `resolvers[2].accuracy`) and why.
public struct ScenarioProblem: Sendable, Equatable, CustomStringConvertible {
    /// The JSON path of the offending value (or of the missing field); `$` for the document itself.
    public var path: String
    /// Why, e.g. `must be between 0 and 1, got 1.4`.
    public var reason: String

    /// Creates a problem.
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    /// `<path>: <reason>`.
    public var description: String { "\(path): \(reason)" }
}

/// Why a scenario was rejected: every problem found, in document order.
public struct ScenarioError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file path, or whatever name the caller gave the bytes.
    public var source: String
    /// Never empty.
    public var problems: [ScenarioProblem]

    /// Creates an error.
    public init(source: String, problems: [ScenarioProblem]) {
        self.source = source
        self.problems = problems
    }

    /// One problem per line: `<source>: <path>: <reason>`.
    public var description: String {
        problems.map { "\(source): \($0.path): \($0.reason)" }.joined(separator: "\n")
    }
}
