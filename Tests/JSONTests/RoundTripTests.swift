import Testing
import JSON

@Test(arguments: [1, 2, 3, 4] as [UInt64])
func randomValuesRoundTripThroughCompactAndPrettyText(seed: UInt64) throws {
    var random = RandomJSON(rng: SplitMix64(seed: seed))
    for _ in 0..<500 {
        let value = random.value(depth: 0)
        let compact = value.serialized()
        #expect(try JSONValue.parse(compact) == value)
        #expect(try JSONValue.parse(value.serialized(pretty: true)) == value)
        #expect(try JSONValue.parse(value.serializedString()) == value)
    }
}

@Test func randomStringsRoundTripExactly() throws {
    var random = RandomJSON(rng: SplitMix64(seed: 42))
    for _ in 0..<2000 {
        let s = random.string()
        let parsed = try JSONValue.parse(JSONValue.string(s).serialized())
        // Compare scalars, not String ==, which would accept canonically equivalent text.
        #expect(parsed.stringValue.map { Array($0.unicodeScalars) } == Array(s.unicodeScalars))
    }
}

@Test func randomDoublesRoundTripBitForBit() throws {
    var rng = SplitMix64(seed: 5)
    var checked = 0
    while checked < 20_000 {
        let d = Double(bitPattern: rng.next())
        guard d.isFinite else { continue }
        checked += 1
        let parsed = try JSONValue.parse(JSONValue.double(d).serialized())
        #expect(parsed.doubleValue?.bitPattern == d.bitPattern, "\(d)")
    }
}

@Test func randomIntegersRoundTrip() throws {
    var rng = SplitMix64(seed: 6)
    for _ in 0..<20_000 {
        let i = Int64(bitPattern: rng.next()) >> (rng.next() % 64)
        #expect(try JSONValue.parse(JSONValue.int(i).serialized()) == .int(i))
    }
}
