import Testing
import JSON

struct InvalidCase: Sendable, CustomTestStringConvertible {
    let bytes: [UInt8]
    let message: String
    let offset: Int
    let line: Int
    let column: Int

    init(_ text: String, _ message: String, offset: Int, line: Int = 1, column: Int? = nil) {
        self.init(bytes: Array(text.utf8), message, offset: offset, line: line, column: column)
    }

    init(bytes: [UInt8], _ message: String, offset: Int, line: Int = 1, column: Int? = nil) {
        self.bytes = bytes
        self.message = message
        self.offset = offset
        self.line = line
        self.column = column ?? offset + 1
    }

    var testDescription: String { message + " <- " + String(decoding: bytes.prefix(40), as: UTF8.self).debugDescription }
}

let invalidCases: [InvalidCase] = [
    // Empty input
    InvalidCase("", "expected a JSON value, got end of input", offset: 0),
    InvalidCase("  \n ", "expected a JSON value, got end of input", offset: 4, line: 2, column: 2),
    // Structure
    InvalidCase(#"{"a":1,}"#, "trailing comma in object", offset: 6),
    InvalidCase("[1,2,]", "trailing comma in array", offset: 4),
    InvalidCase("[1,,2]", "unexpected character ',' (expected a value)", offset: 3),
    InvalidCase("[1 2]", "unexpected character '2' (expected ',' or ']')", offset: 3),
    InvalidCase(#"{"a":1 "b":2}"#, "unexpected character '\"' (expected ',' or '}')", offset: 7),
    InvalidCase(#"{"a" 1}"#, "unexpected character '1' (expected ':')", offset: 5),
    InvalidCase("{a:1}", "unexpected character 'a' (expected a string key or '}')", offset: 1),
    InvalidCase(#"{"a":1,2:3}"#, "unexpected character '2' (expected a string key)", offset: 7),
    InvalidCase(#"{"a":}"#, "unexpected character '}' (expected a value)", offset: 5),
    InvalidCase("[1,2", "unexpected end of input (expected ',' or ']')", offset: 4),
    InvalidCase(#"{"a":1"#, "unexpected end of input (expected ',' or '}')", offset: 6),
    InvalidCase(#"{"a""#, "unexpected end of input (expected ':')", offset: 4),
    InvalidCase("[", "unexpected end of input (expected a value or ']')", offset: 1),
    InvalidCase("{", "unexpected end of input (expected a string key or '}')", offset: 1),
    InvalidCase("[-]", "unexpected character ']' (expected a digit after '-')", offset: 2),
    // Duplicate keys
    InvalidCase(#"{"a":1,"a":2}"#, "duplicate key \"a\"", offset: 7),
    InvalidCase(#"{"x":{"a\"b":1,"a\u0022b":2}}"#, #"duplicate key "a\"b""#, offset: 15),
    // Trailing garbage
    InvalidCase("[1]x", "unexpected character 'x' (expected end of input)", offset: 3),
    InvalidCase(#"{"a":1}}"#, "unexpected character '}' (expected end of input)", offset: 7),
    InvalidCase("1 2", "unexpected character '2' (expected end of input)", offset: 2),
    InvalidCase("1.5.3", "unexpected character '.' (expected end of input)", offset: 3),
    InvalidCase("1\u{0}", "unexpected character U+0000 (expected end of input)", offset: 1),
    // Numbers
    InvalidCase("01", "leading zeros are not allowed in numbers", offset: 0),
    InvalidCase("[-012]", "leading zeros are not allowed in numbers", offset: 1),
    InvalidCase("1.", "unexpected end of input (expected a digit after '.')", offset: 2),
    InvalidCase("1.e5", "unexpected character 'e' (expected a digit after '.')", offset: 2),
    InvalidCase("1e", "unexpected end of input (expected a digit in the exponent)", offset: 2),
    InvalidCase("1e+x", "unexpected character 'x' (expected a digit in the exponent)", offset: 3),
    InvalidCase("-", "unexpected end of input (expected a digit after '-')", offset: 1),
    InvalidCase("+1", "unexpected character '+' (expected a value)", offset: 0),
    InvalidCase(".5", "unexpected character '.' (expected a value)", offset: 0),
    InvalidCase("0x1F", "unexpected character 'x' (expected end of input)", offset: 1),
    InvalidCase("NaN", "NaN is not a valid JSON number", offset: 0),
    InvalidCase("[Infinity]", "Infinity is not a valid JSON number", offset: 1),
    InvalidCase("-Infinity", "-Infinity is not a valid JSON number", offset: 0),
    InvalidCase("1e400", "number out of range", offset: 0),
    InvalidCase("[-1e99999999999999999999]", "number out of range", offset: 1),
    // Literals
    InvalidCase("tru", "unexpected end of input (expected 'true')", offset: 3),
    InvalidCase("nul1", "unexpected character '1' (expected 'null')", offset: 3),
    InvalidCase("fals", "unexpected end of input (expected 'false')", offset: 4),
    InvalidCase("True", "unexpected character 'T' (expected a value)", offset: 0),
    InvalidCase("undefined", "unexpected character 'u' (expected a value)", offset: 0),
    InvalidCase("'a'", "unexpected character ''' (expected a value)", offset: 0),
    // Strings
    InvalidCase(#""abc"#, "unterminated string", offset: 0),
    InvalidCase(#"["a\"]"#, "unterminated string", offset: 1),
    InvalidCase("\"a\u{1}\"", "unescaped control character U+0001 in string", offset: 2),
    InvalidCase("\"line\nbreak\"", "unescaped control character U+000A in string", offset: 5),
    InvalidCase("\"a\\n\tb\"", "unescaped control character U+0009 in string", offset: 4),
    InvalidCase(#""\x""#, "invalid escape '\\x' in string", offset: 1),
    InvalidCase(#""ok\'""#, "invalid escape '\\'' in string", offset: 3),
    InvalidCase(#""\u12""#, "invalid \\u escape in string (expected 4 hex digits)", offset: 1),
    InvalidCase(#""\u12G4""#, "invalid \\u escape in string (expected 4 hex digits)", offset: 1),
    InvalidCase(#""\uD800""#, "lone surrogate \\uD800 in string", offset: 1),
    InvalidCase(#""\uDC00""#, "lone surrogate \\uDC00 in string", offset: 1),
    InvalidCase(#""x\uD83Dy""#, "lone surrogate \\uD83D in string", offset: 2),
    InvalidCase(#""\uD800\u0041""#, "lone surrogate \\uD800 in string", offset: 1),
    InvalidCase(#""\uDE00\uD83D""#, "lone surrogate \\uDE00 in string", offset: 1),
    // UTF-8
    InvalidCase(bytes: [0x22, 0xFF, 0x22], "invalid UTF-8 byte 0xFF", offset: 1),
    InvalidCase(bytes: [0x22, 0xC0, 0x80, 0x22], "invalid UTF-8 byte 0xC0", offset: 1),
    InvalidCase(bytes: [0x22, 0xE0, 0x80, 0x80, 0x22], "invalid UTF-8 byte 0x80", offset: 2),
    InvalidCase(bytes: [0x22, 0xED, 0xA0, 0x80, 0x22], "invalid UTF-8 byte 0xA0", offset: 2),
    InvalidCase(bytes: [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], "invalid UTF-8 byte 0x90", offset: 2),
    InvalidCase(bytes: [0x22, 0xC3, 0x22], "invalid UTF-8 byte 0x22", offset: 2),
    InvalidCase(bytes: [0x22, 0x5C, 0x6E, 0x80, 0x22], "invalid UTF-8 byte 0x80", offset: 3),
    InvalidCase(bytes: [0x22, 0xE2, 0x82], "truncated UTF-8 sequence", offset: 1),
    InvalidCase(bytes: [0xFF], "invalid UTF-8 byte 0xFF", offset: 0),
    InvalidCase(bytes: [0xEF, 0xBB, 0xBF, 0x31], "unexpected character U+FEFF (expected a value)", offset: 0),
    InvalidCase("\u{1}", "unexpected character U+0001 (expected a value)", offset: 0),
    // Depth
    InvalidCase(String(repeating: "[", count: 65), "nesting too deep (more than 64 levels)", offset: 64),
    InvalidCase(String(repeating: #"{"a":"#, count: 70), "nesting too deep (more than 64 levels)", offset: 320),
    // Line and column
    InvalidCase("{\n  \"a\": 1,\n  \"b\": tru\n}", "unexpected character U+000A (expected 'true')",
                offset: 22, line: 3, column: 11),
    InvalidCase("[\"é\", x]", "unexpected character 'x' (expected a value)", offset: 7, column: 7),
    InvalidCase("[\r\n1,\r\n]", "trailing comma in array", offset: 4, line: 2, column: 2),
]

@Test(arguments: invalidCases)
func invalidDocumentsAreRejectedWithMessageAndPosition(_ c: InvalidCase) {
    do {
        let value = try JSONValue.parse(c.bytes)
        Issue.record("accepted, parsed as \(value)")
    } catch {
        #expect(error.message == c.message)
        #expect(error.offset == c.offset)
        #expect(error.line == c.line)
        #expect(error.column == c.column)
    }
}

@Test func errorDescriptionPutsPositionBeforeTheExpectation() {
    #expect(throws: JSONParseError.self) { try JSONValue.parse(#"{"name": }"#) }
    do {
        _ = try JSONValue.parse(#"{"name": }"#)
    } catch {
        #expect(error.description == "unexpected character '}' at line 1, column 10 (expected a value)")
    }
    do {
        _ = try JSONValue.parse(#"{"a":1,"a":2}"#)
    } catch {
        #expect(error.description == #"duplicate key "a" at line 1, column 8"#)
    }
    do {
        _ = try JSONValue.parse("")
    } catch {
        #expect(error.description == "expected a JSON value, got end of input at line 1, column 1")
    }
}

@Test func stringOverloadReportsTheSameErrorAsBytes() {
    let text = "[1,\n 2,\n ]"
    var fromText: JSONParseError?
    var fromBytes: JSONParseError?
    do { _ = try JSONValue.parse(text) } catch { fromText = error }
    do { _ = try JSONValue.parse(Array(text.utf8)) } catch { fromBytes = error }
    #expect(fromText != nil)
    #expect(fromText == fromBytes)
    #expect(fromText == JSONParseError(message: "trailing comma in array", offset: 6, line: 2, column: 3))
}
