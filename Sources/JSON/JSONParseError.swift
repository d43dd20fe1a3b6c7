// Parse errors with a byte offset and a human line/column.
//
// `offset` is the 0-based byte offset of the offending byte (the input length
// for an unexpected end). `line` is 1-based and counts LF bytes; `column` is
// 1-based and counts Unicode scalars (UTF-8 lead bytes) since the last LF.

/// Why and where a JSON text was rejected.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The reason without position, e.g. "unexpected character '}' (expected a value)".
    public let message: String
    /// 0-based byte offset of the problem in the input.
    public let offset: Int
    /// 1-based line of the problem.
    public let line: Int
    /// 1-based column of the problem, in Unicode scalars.
    public let column: Int

    /// The message without its "(expected …)" part.
    private let reason: String
    /// What the parser expected instead, when that is part of the message.
    private let expectation: String?

    /// Creates an error with a free-form message.
    public init(message: String, offset: Int, line: Int, column: Int) {
        self.message = message
        self.offset = offset
        self.line = line
        self.column = column
        self.reason = message
        self.expectation = nil
    }

    init(reason: String, expected: String?, offset: Int, line: Int, column: Int) {
        if let expected {
            self.message = "\(reason) (expected \(expected))"
        } else {
            self.message = reason
        }
        self.offset = offset
        self.line = line
        self.column = column
        self.reason = reason
        self.expectation = expected
    }

    /// E.g. "unexpected character '}' at line 1, column 9 (expected a value)".
    public var description: String {
        if let expectation {
            return "\(reason) at line \(line), column \(column) (expected \(expectation))"
        }
        return "\(message) at line \(line), column \(column)"
    }

    /// Errors are equal when message and position are equal.
    public static func == (lhs: JSONParseError, rhs: JSONParseError) -> Bool {
        lhs.message == rhs.message && lhs.offset == rhs.offset && lhs.line == rhs.line
            && lhs.column == rhs.column
    }
}
