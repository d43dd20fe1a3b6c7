import Testing
@testable import Lightning

/// BIP-173 "Test vectors": valid bech32 strings.
@Test(arguments: [
    "A12UEL5L",
    "a12uel5l",
    "an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs",
    "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
    "11qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqc8247j",
    "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w",
    "?1ezyfcl",
])
func validBIP173StringDecodesAndReencodesCaseInsensitively(text: String) throws {
    let (hrp, words) = try Bech32.decode(text)
    #expect(try Bech32.encode(hrp: hrp, words: words) == text.lowercased())
}

/// BIP-173 "Test vectors": invalid bech32 strings, each with the reason it must fail.
@Test(arguments: [
    ("\u{20}1nwldj5", Bech32Error.characterOutOfRange(position: 0)),
    ("\u{7f}1axkwrx", .characterOutOfRange(position: 0)),
    ("\u{80}1eym55h", .characterOutOfRange(position: 0)),
    ("an84characterslonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1569pvx", .hrpTooLong(84)),
    ("pzry9x0s0muk", .missingSeparator),
    ("1pzry9x0s0muk", .emptyHRP),
    ("x1b4n0q5v", .invalidDataCharacter(position: 2)),
    ("li1dgmt3", .checksumTooShort),
    ("de1lg7wt\u{ff}", .characterOutOfRange(position: 8)),
    ("A1G7SGD8", .invalidChecksum),
    ("10a06t8", .emptyHRP),
    ("1qzzfhee", .emptyHRP),
    ("a12UEL5L", .mixedCase),
    ("A12uEL5L", .mixedCase),
])
func invalidBIP173StringIsRejectedWithReason(text: String, expected: Bech32Error) {
    #expect(throws: expected) { try Bech32.decode(text) }
}

@Test func bech32HasNoNinetyCharacterLimit() throws {
    let words = [UInt8](repeating: 7, count: 500)
    let text = try Bech32.encode(hrp: "lnbc", words: words)
    #expect(text.count == 4 + 1 + 500 + 6)
    let (hrp, back) = try Bech32.decode(text)
    #expect(hrp == "lnbc")
    #expect(back == words)
}

@Test func singleCharacterChangeBreaksChecksum() throws {
    let text = try Bech32.encode(hrp: "ln", words: [1, 2, 3, 4, 5])
    var chars = Array(text)
    chars[4] = chars[4] == "q" ? "p" : "q"
    #expect(throws: Bech32Error.invalidChecksum) { try Bech32.decode(String(chars)) }
}

@Test func encodingRejectsWordsAbove31() {
    #expect(throws: Bech32Error.valueOutOfRange(32)) { try Bech32.encode(hrp: "a", words: [32]) }
}

@Test func bytesRoundTripThroughFiveBitWords() throws {
    let bytes: [UInt8] = [0x00, 0x44, 0x32, 0x14, 0xc7, 0x42, 0x54, 0xb6, 0x35, 0xcf, 0x84, 0x65, 0x3a, 0x56, 0xd7, 0xc6, 0x75, 0xbe, 0x77, 0xdf]
    let words = Bech32.words(fromBytes: bytes)
    #expect(try Bech32.encode(hrp: "abcdef", words: words) == "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw")
    #expect(try Bech32.bytes(fromWords: words) == bytes)
    #expect(try Bech32.convertBits(bytes, fromBits: 8, toBits: 5, pad: true) == words)
    for n in 0..<12 {
        let b = (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        #expect(try Bech32.bytes(fromWords: Bech32.words(fromBytes: b)) == b)
    }
}

@Test func fiveToEightBitConversionRejectsNonZeroOrExcessPadding() {
    // 2 words = 10 bits: one byte plus 2 padding bits, which must be zero.
    #expect(throws: Bech32Error.invalidPadding) { try Bech32.bytes(fromWords: [0, 1]) }
    // 7 words = 35 bits: 4 bytes plus 3 zero bits is fine; 3 words = 15 bits leaves 7 bits, too many.
    #expect(throws: Bech32Error.invalidPadding) { try Bech32.bytes(fromWords: [0, 0, 0]) }
    #expect(throws: Never.self) { try Bech32.bytes(fromWords: [UInt8](repeating: 0, count: 7)) }
    // Signing pads instead: 3 words -> 2 bytes, trailing bits zero.
    #expect(Bech32.bytesPadded(fromWords: [31, 31, 31]) == [0xff, 0xfe])
}
