import Testing
import JSON

@Test func objectKeysAreSortedByUTF8BytesRegardlessOfInsertionOrder() {
    // Byte order, not String's `<`: U+212B (E2 84 AB) sorts after Æ (C3 86) although it normalizes to Å.
    let keys = ["b", "a", "Z", "aa", "a\u{0}", "é", "\u{FFFD}", "😀", "\u{212B}", "Æ", ""]
    let expected = #"{"":0,"Z":0,"a":0,"a\u0000":0,"aa":0,"b":0,"Æ":0,"é":0,"Å":0,"�":0,"😀":0}"#
    var rng = SplitMix64(seed: 7)
    var outputs = Set<[UInt8]>()
    for round in 0..<50 {
        var object = [String: JSONValue](minimumCapacity: round)
        for key in keys.shuffled(using: &rng) { object[key] = 0 }
        outputs.insert(JSONValue.object(object).serialized())
    }
    #expect(outputs.count == 1)
    #expect(outputs.first.map { String(decoding: $0, as: UTF8.self) } == expected)
}

@Test func serializationIsDeterministicAcrossEqualValues() throws {
    var random = RandomJSON(rng: SplitMix64(seed: 99))
    for _ in 0..<200 {
        let value = random.value(depth: 0)
        let reparsed = try JSONValue.parse(value.serialized())
        #expect(reparsed.serialized() == value.serialized())
        #expect(reparsed.serialized(pretty: true) == value.serialized(pretty: true))
    }
}

@Test func prettyOutputMatchesGolden() {
    let value: JSONValue = [
        "name": "Ada",
        "tags": ["x", 1, 2.5, true, nil, [], [:]],
        "nested": ["k": -1, "list": [["deep": "é\n"]]],
        "empty": [:],
    ]
    let golden = """
        {
          "empty": {},
          "name": "Ada",
          "nested": {
            "k": -1,
            "list": [
              {
                "deep": "é\\n"
              }
            ]
          },
          "tags": [
            "x",
            1,
            2.5,
            true,
            null,
            [],
            {}
          ]
        }
        """
    #expect(value.serializedString(pretty: true) == golden)
    #expect(value.serializedString() == #"{"empty":{},"name":"Ada","nested":{"k":-1,"list":[{"deep":"é\n"}]},"tags":["x",1,2.5,true,null,[],{}]}"#)
    #expect(JSONValue.int(3).serializedString(pretty: true) == "3")
    #expect(JSONValue.array([]).serializedString(pretty: true) == "[]")
}

@Test func stringsEscapeQuotesBackslashesAndControlsOnly() {
    let value = JSONValue.string("a\"b\\c/d\n\r\t\u{8}\u{C}\u{0}\u{1}\u{1F}\u{7F} é😀\u{2028}")
    #expect(value.serializedString() == "\"a\\\"b\\\\c/d\\n\\r\\t\\b\\f\\u0000\\u0001\\u001f\u{7F} é😀\u{2028}\"")
}

struct NumberCase: Sendable, CustomTestStringConvertible {
    let value: JSONValue
    let text: String
    var testDescription: String { text }
}

@Test(arguments: [
    NumberCase(value: .int(0), text: "0"),
    NumberCase(value: .int(7), text: "7"),
    NumberCase(value: .int(-42), text: "-42"),
    NumberCase(value: .int(Int64.max), text: "9223372036854775807"),
    NumberCase(value: .int(Int64.min), text: "-9223372036854775808"),
    NumberCase(value: .double(2), text: "2.0"),
    NumberCase(value: .double(-0.0), text: "-0.0"),
    NumberCase(value: .double(0.1), text: "0.1"),
    NumberCase(value: .double(1e20), text: "1e+20"),
    NumberCase(value: .double(1e-7), text: "1e-07"),
    NumberCase(value: .double(123.456), text: "123.456"),
    NumberCase(value: .double(.leastNonzeroMagnitude), text: "5e-324"),
    NumberCase(value: .double(.greatestFiniteMagnitude), text: "1.7976931348623157e+308"),
    NumberCase(value: .double(.infinity), text: "null"),
    NumberCase(value: .double(-.infinity), text: "null"),
    NumberCase(value: .double(.nan), text: "null"),
])
func numbersPrintInShortestRoundTripForm(_ c: NumberCase) {
    #expect(c.value.serializedString() == c.text)
}

@Test func accessorsReturnPayloadsOrNil() {
    let value: JSONValue = ["s": "x", "i": 3, "d": 2.0, "f": 2.5, "b": true, "n": nil, "a": [1, 2], "o": ["k": 1]]
    #expect(value["s"]?.stringValue == "x")
    #expect(value["i"]?.intValue == 3)
    #expect(value["i"]?.doubleValue == 3.0)
    #expect(value["d"]?.intValue == 2)
    #expect(value["f"]?.intValue == nil)
    #expect(value["f"]?.doubleValue == 2.5)
    #expect(JSONValue.double(1e19).intValue == nil)
    #expect(JSONValue.double(.nan).intValue == nil)
    #expect(value["b"]?.boolValue == true)
    #expect(value["n"]?.isNull == true)
    #expect(value["missing"] == nil)
    #expect(value["a"]?[1] == 2)
    #expect(value["a"]?[2] == nil)
    #expect(value["a"]?[-1] == nil)
    #expect(value[0] == nil)
    #expect(value["a"]?["k"] == nil)
    #expect(value["a"]?.arrayValue == [1, 2])
    #expect(value["o"]?.objectValue == ["k": 1])
    #expect(value["s"]?.intValue == nil)
    #expect(value.isNull == false)
    let names = [JSONValue.null, true, 1, 1.5, "s", [], [:]].map(\.typeName)
    #expect(names == ["null", "boolean", "integer", "number", "string", "array", "object"])
    #expect("\(JSONValue.array([1, "a"]))" == #"[1,"a"]"#)
}
