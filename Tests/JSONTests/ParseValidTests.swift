import Testing
import JSON

struct ValidCase: Sendable, CustomTestStringConvertible {
    let text: String
    let value: JSONValue
    init(_ text: String, _ value: JSONValue) {
        self.text = text
        self.value = value
    }
    var testDescription: String { text }
}

let validCases: [ValidCase] = [
    // Literals and whitespace
    ValidCase("null", .null),
    ValidCase("true", true),
    ValidCase("false", false),
    ValidCase(" \t\r\n null \n", .null),
    // Integers
    ValidCase("0", .int(0)),
    ValidCase("-0", .int(0)),
    ValidCase("123", .int(123)),
    ValidCase("-123", .int(-123)),
    ValidCase("9223372036854775807", .int(Int64.max)),
    ValidCase("-9223372036854775808", .int(Int64.min)),
    // Integers beyond Int64 become doubles
    ValidCase("9223372036854775808", .double(9_223_372_036_854_775_808.0)),
    ValidCase("-9223372036854775809", .double(-9_223_372_036_854_775_809.0)),
    ValidCase("12345678901234567890123", .double(1.2345678901234568e22)),
    ValidCase("10000000000000000000000000000000000000000", .double(1e40)),
    // Fractions and exponents are doubles
    ValidCase("1.0", .double(1.0)),
    ValidCase("1.5", .double(1.5)),
    ValidCase("-2.5e-3", .double(-0.0025)),
    ValidCase("1E2", .double(100)),
    ValidCase("1e+2", .double(100)),
    ValidCase("0e10", .double(0)),
    ValidCase("0.1", .double(0.1)),
    ValidCase("0.000001", .double(0.000001)),
    ValidCase("3.141592653589793", .double(3.141592653589793)),
    ValidCase("123456789.123456789", .double(123456789.123456789)),
    ValidCase("0.30000000000000004", .double(0.30000000000000004)),
    ValidCase("2.2250738585072014e-308", .double(2.2250738585072014e-308)),
    ValidCase("4.9406564584124654e-324", .double(Double.leastNonzeroMagnitude)),
    ValidCase("1.7976931348623157e308", .double(Double.greatestFiniteMagnitude)),
    ValidCase("1e-400", .double(0)),
    ValidCase("1e05", .double(100_000)),
    // Strings
    ValidCase(#""""#, ""),
    ValidCase(#""abc""#, "abc"),
    ValidCase(#""a\"b\\c\/d""#, "a\"b\\c/d"),
    ValidCase(#""\b\f\n\r\t""#, "\u{8}\u{C}\n\r\t"),
    ValidCase(#""\u0000""#, "\u{0}"),
    ValidCase(#""\u00e9\u00E9""#, "éé"),
    ValidCase(#""\uD83D\uDE00""#, "😀"),
    ValidCase(#""é😀 raw""#, "é😀 raw"),
    ValidCase(#""\u2028""#, "\u{2028}"),
    ValidCase(#""tab\there""#, "tab\there"),
    ValidCase(#""\u0041 and é \n""#, "A and é \n"),
    // Arrays
    ValidCase("[]", []),
    ValidCase("[ ]", []),
    ValidCase("[1,\"a\",null,true,[]]", [1, "a", nil, true, []]),
    ValidCase(" [ 1 , 2 ] ", [1, 2]),
    ValidCase("[[[]]]", [[[]]]),
    // Objects
    ValidCase("{}", [:]),
    ValidCase("{ }", [:]),
    ValidCase(#"{"a":1}"#, ["a": 1]),
    ValidCase(#"{"":0}"#, ["": 0]),
    ValidCase(#"{"a":{"b":[1,2,{"c":null}]}}"#, ["a": ["b": [1, 2, ["c": nil]]]]),
    ValidCase(#"{ "id" : "t-1" , "price" : 1.25 , "done" : false }"#, ["id": "t-1", "price": 1.25, "done": false]),
    ValidCase(#"{"a\u0000":1,"a":2}"#, ["a\u{0}": 1, "a": 2]),
]

@Test(arguments: validCases)
func validDocumentsParseToTheirValues(_ c: ValidCase) throws {
    #expect(try JSONValue.parse(c.text) == c.value)
    #expect(try JSONValue.parse(Array(c.text.utf8)) == c.value)
}

@Test func negativeZeroIntegerIsIntZeroButNegativeZeroDoubleKeepsItsSign() throws {
    #expect(try JSONValue.parse("-0") == .int(0))
    let d = try #require(try JSONValue.parse("-0.0").doubleValue)
    #expect(d == 0 && d.sign == .minus)
    #expect(try JSONValue.parse("-0.0").serializedString() == "-0.0")
}

@Test func parsedDoublesAreCorrectlyRounded() throws {
    // Slow path (more than 19 digits or large exponent) and fast path agree with Swift's parser.
    let texts = ["0.1", "1.7976931348623157e308", "2.2250738585072011e-308", "9007199254740993",
                 "123456789012345678901234567890e-10", "0.000000000000000000000000000001", "8.589973e9",
                 "1.00000000000000011102230246251565404236316680908203125", "7.3177701707893310e+15"]
    for text in texts {
        let expected = try #require(Double(text))
        #expect(try JSONValue.parse(text).doubleValue == expected, "\(text)")
    }
}

@Test func parseAcceptsABorrowedBuffer() throws {
    let bytes = Array(#"{"k":[true]}"#.utf8)
    let value = try bytes.withUnsafeBufferPointer { buffer throws(JSONParseError) in
        try JSONValue.parse(buffer)
    }
    #expect(value == ["k": [true]])
}

@Test func nestingUpToMaxDepthIsAccepted() throws {
    let text = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
    _ = try JSONValue.parse(text)
    let deeper = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
    _ = try JSONValue.parse(deeper, maxDepth: 200)
    #expect(try JSONValue.parse("5", maxDepth: 0) == 5)
}
