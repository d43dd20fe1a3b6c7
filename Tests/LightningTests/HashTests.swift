import Testing
@testable import Lightning

@Test func sha256OfEmptyStringMatchesKnownDigest() {
    #expect(Hex.encode(Hash.sha256([UInt8]())) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
}

@Test func hmacSHA256MatchesRFC4231Case2() {
    let mac = Hash.hmacSHA256(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8))
    #expect(Hex.encode(mac) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
}

@Test func hexRoundTripsAndRejectsOddOrNonHex() {
    #expect(Hex.decode("00ffAb") == [0, 255, 0xab])
    #expect(Hex.decode("abc") == nil)
    #expect(Hex.decode("zz") == nil)
    #expect(Hex.encode([1, 2, 254]) == "0102fe")
}

@Test func milliSatsFormatsFractionalSats() {
    #expect(MilliSats(770).satsString == "0.77")
    #expect(MilliSats(70_000).satsString == "70")
    #expect(MilliSats.sats(100) == MilliSats(100_000))
}

@Test(arguments: [
    (Int64(0), "1970-01-01T00:00:00.000Z"),
    (Int64(1_796_000_000_123), "2026-11-30T00:53:20.123Z"),
    (Int64(951_782_400_999), "2000-02-29T00:00:00.999Z"),
    (Int64(-1), "1969-12-31T23:59:59.999Z"),
])
func instantPrintsRFC3339WithMilliseconds(ms: Int64, expected: String) {
    #expect(Instant(milliseconds: ms).iso8601 == expected)
}
