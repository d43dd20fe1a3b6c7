import Testing
@testable import Lightning

// Vectors marked "pymacaroons functional test" are copied from ecordell/pymacaroons
// tests/functional_tests/functional_tests.py; "go-macaroon" ones from serialization_tests.py
// (generated there with github.com/go-macaroon/macaroon).

private let bankKey = Array("this is our super secret key; only we should know it".utf8)
private let bankLocation = "http://mybank/"
private let bankId = "we used our secret key"

private func bank() -> Macaroon {
    Macaroon(rootKey: bankKey, identifier: bankId, location: bankLocation)
}

// MARK: - pymacaroons signature vectors

@Test func basicSignatureMatchesPymacaroons() {
    #expect(Hex.encode(bank().signature) == "e3d9e02908526c4c0039ae15114115d97fdd68bf2ba379b342aaf0f617d0552f")
}

@Test func firstPartyCaveatSignatureMatchesPymacaroons() {
    let m = bank().adding(firstPartyCaveat: "test = caveat")
    #expect(Hex.encode(m.signature) == "197bac7a044af33332865b9266e26d493bdd668a660e44d88ce1a998c23dbd67")
}

@Test func secondFirstPartyCaveatChainsOnThePreviousSignature() {
    // Expected value produced by pymacaroons 0.13.0 (not in its test file).
    let m = bank().adding(firstPartyCaveat: "test = caveat").adding(firstPartyCaveat: "test2 = caveat2")
    #expect(Hex.encode(m.signature) == "8ec2c739bdc2b0da1d7455de85105fc2d876eb0e73ac8ae4f84df114d4da28df")
}

@Test func thirdPartyCaveatChainAndInspectMatchPymacaroons() throws {
    // pymacaroons test_inspect: the vid there is the SecretBox output with a zero nonce; we take it as given.
    let vid = try #require(MacaroonBase64.decode("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA68NYajhiFuHnKGSNcVhkAwgbs0VZ0yK2o+q0Aq9+bONkXw7ky7HAuhCLO9hhaMMc"))
    let m = bank()
        .adding(firstPartyCaveat: "test = caveat")
        .adding(thirdPartyCaveatId: Array("this was how we remind auth of key/pred".utf8), verificationId: vid, location: "http://auth.mybank/")
    #expect(Hex.encode(m.signature) == "7a9289bfbb92d725f748bbcb4f3e04e56b7021513ebeed8411bfba10a16a662e")
    #expect(m.inspect() == """
        location http://mybank/
        identifier we used our secret key
        cid test = caveat
        cid this was how we remind auth of key/pred
        vid AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA68NYajhiFuHnKGSNcVhkAwgbs0VZ0yK2o+q0Aq9+bONkXw7ky7HAuhCLO9hhaMMc
        cl http://auth.mybank/
        signature 7a9289bfbb92d725f748bbcb4f3e04e56b7021513ebeed8411bfba10a16a662e
        """)
    // And it survives the v2 binary round trip with its third-party fields.
    #expect(try Macaroon(base64: m.base64()) == m)
}

@Test func inspectUsesBase64ForBinaryIdentifiers() {
    let m = Macaroon(rootKey: [1], identifier: [0, 0xff, 0x10], location: "")
    #expect(m.inspect().split(separator: "\n").dropFirst().first == "identifier64 AP8Q")
}

// MARK: - v1 packet format (pymacaroons default)

private let v1TestCaveat = "MDAxY2xvY2F0aW9uIGh0dHA6Ly9teWJhbmsvCjAwMjZpZGVudGlmaWVyIHdlIHVzZ"
    + "WQgb3VyIHNlY3JldCBrZXkKMDAxNmNpZCB0ZXN0ID0gY2F2ZWF0CjAwMmZzaWduYXR1cmUgGXusegR"
    + "K8zMyhluSZuJtSTvdZopmDkTYjOGpmMI9vWcK"
private let v1AcaveatUnpadded = "MDAxY2xvY2F0aW9uIGh0dHA6Ly9teWJhbmsvCjAwMjZpZGVudGlmaWVyIHdlIHVz"
    + "ZWQgb3VyIHNlY3JldCBrZXkKMDAxN2NpZCB0ZXN0ID0gYWNhdmVhdAowMDJmc2ln"
    + "bmF0dXJlIJRJ_V3WNJQnqlVq5eez7spnltwU_AXs8NIRY739sHooCg"

@Test func v1SerializationMatchesPymacaroons() throws {
    #expect(try bank().adding(firstPartyCaveat: "test = caveat").v1Base64() == v1TestCaveat)
    #expect(try bank().adding(firstPartyCaveat: "test = acaveat").v1Base64() == v1AcaveatUnpadded)
}

@Test func v1DeserializationMatchesPymacaroons() throws {
    let m = try Macaroon(base64: v1TestCaveat)
    #expect(Hex.encode(m.signature) == "197bac7a044af33332865b9266e26d493bdd668a660e44d88ce1a998c23dbd67")
    #expect(m == bank().adding(firstPartyCaveat: "test = caveat"))
}

@Test func v1DeserializationAcceptsPadding() throws {
    let m = try Macaroon(base64: v1AcaveatUnpadded + "==")
    #expect(Hex.encode(m.signature) == "9449fd5dd6349427aa556ae5e7b3eeca6796dc14fc05ecf0d21163bdfdb07a28")
}

@Test func v1PacketsLongerThan0xFFFFAreRejected() throws {
    let base = Macaroon(rootKey: Array("secret".utf8), identifier: "blah", location: "test")
    _ = try base.adding(firstPartyCaveat: String(repeating: "x", count: 65526)).v1Base64()
    #expect(throws: MacaroonFormatError.v1PacketTooLong(65536)) {
        try base.adding(firstPartyCaveat: String(repeating: "x", count: 65527)).v1Base64()
    }
}

@Test func invalidShortInputIsRejectedLikePymacaroons() {
    // pymacaroons test_deserializing_invalid: "QA" decodes to 0x40, neither v2 nor v1.
    #expect(throws: MacaroonFormatError.unknownFormat(firstByte: 0x40)) { try Macaroon(base64: "QA") }
}

// MARK: - v2 binary format

@Test func v2SerializationMatchesPymacaroonsBytes() throws {
    // Produced by pymacaroons 0.13.0 with version=MACAROON_V2 (URL-safe, unpadded there).
    let py = "AgEOaHR0cDovL215YmFuay8CFndlIHVzZWQgb3VyIHNlY3JldCBrZXkAAg10ZXN0ID0gY2F2ZWF0AAAGIBl7rHoESvMzMoZbkmbibUk73WaKZg5E2IzhqZjCPb1n"
    let m = bank().adding(firstPartyCaveat: "test = caveat")
    #expect(m.serialized() == MacaroonBase64.decode(py))
    #expect(try Macaroon(base64: py) == m)
}

@Test func v2LayoutIsVersionFieldsEOSCaveatsEOSSignature() {
    let m = Macaroon(rootKey: [7], identifier: "id", location: "loc").adding(firstPartyCaveat: "c")
    var expected: [UInt8] = [2, 1, 3] + Array("loc".utf8) + [2, 2] + Array("id".utf8) + [0]
    expected += [2, 1, UInt8(ascii: "c"), 0]
    expected += [0, 6, 32] + m.signature
    #expect(m.serialized() == expected)
}

@Test func v2OmitsEmptyLocation() {
    let m = Macaroon(rootKey: [7], identifier: "id")
    #expect(Array(m.serialized().prefix(3)) == [2, 2, 2])
}

@Test func base64IsStandardWithPadding() {
    // 1 + (2 + 22) + 1 + 1 + (2 + 32) = 61 bytes: not a multiple of 3, so padded with "==".
    let m = Macaroon(rootKey: bankKey, identifier: bankId)
    let b64 = m.base64()
    #expect(m.serialized().count == 61)
    #expect(b64.hasSuffix("=="))
    #expect(b64.hasSuffix("="))
    #expect(!b64.contains("-") && !b64.contains("_"))
}

@Test(arguments: [false, true])
func base64AcceptsStandardOrURLSafePaddedOrNot(urlSafe: Bool) throws {
    let m = bank().adding(firstPartyCaveat: "a = b").adding(firstPartyCaveat: "cc = dd")
    for padded in [true, false] {
        let text = MacaroonBase64.encode(m.serialized(), urlSafe: urlSafe, padded: padded)
        #expect(try Macaroon(base64: text) == m)
    }
}

@Test func base64MatchesPymacaroonsJSONBinaryIdentifier() throws {
    // pymacaroons test_serializing_json_v2_with_binary: i64 is the URL-safe unpadded base64 of the identifier.
    let id = try #require(MacaroonBase64.decode("AK2o+q0Aq9+bONkXw7ky7HAuhCLO9hhaMMc"))
    #expect(MacaroonBase64.encode(id, urlSafe: true, padded: false) == "AK2o-q0Aq9-bONkXw7ky7HAuhCLO9hhaMMc")
    let m = Macaroon(rootKey: bankKey, identifier: id, location: bankLocation).adding(firstPartyCaveat: "test = caveat")
    #expect(try Macaroon(base64: m.base64()).identifier == id)
    // and test_serializing_json_v2: s64 of the 'test = caveat' macaroon.
    #expect(MacaroonBase64.encode(bank().adding(firstPartyCaveat: "test = caveat").signature, urlSafe: true, padded: false)
        == "GXusegRK8zMyhluSZuJtSTvdZopmDkTYjOGpmMI9vWc")
}

private let goBinaryV2 = "AgELbXkgbG9jYXRpb24CDW15IGlkZW50aWZpZXIAAglmcCBjYXZlYXQ"
    + "AAQt0cCBsb2NhdGlvbgIJdHAgY2F2ZWF0BEgAAAAAAAAAAAAAAAAAAA"
    + "AAAAAAAAAAAAACn8yDEet8ud+825gOjM0pZOVE8/HpV6Zqxac+kl0BY"
    + "ToVaY64VfiwHj5rWgBREOkAAAYgSDs4gcmZDlCZy2aV2jFk2qZNpgQX"
    + "vK+encTAqZaPZjY"
private let goBinaryV1 = "MDAxOWxvY2F0aW9uIG15IGxvY2F0aW9uCjAwMWRpZGVudGlmaWVyIG1"
    + "5IGlkZW50aWZpZXIKMDAxMmNpZCBmcCBjYXZlYXQKMDAxMmNpZCB0cC"
    + "BjYXZlYXQKMDA1MXZpZCAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAACn"
    + "8yDEet8ud+825gOjM0pZOVE8/HpV6Zqxac+kl0BYToVaY64VfiwHj5r"
    + "WgBREOkKMDAxM2NsIHRwIGxvY2F0aW9uCjAwMmZzaWduYXR1cmUgSDs"
    + "4gcmZDlCZy2aV2jFk2qZNpgQXvK+encTAqZaPZjYK"

@Test func goMacaroonBinaryV2VectorDeserializes() throws {
    let m = try Macaroon(base64: goBinaryV2)
    #expect(m.location == "my location")
    #expect(m.identifier == Array("my identifier".utf8))
    #expect(m.caveats.count == 2)
    #expect(m.caveats[0] == Macaroon.Caveat(identifier: Array("fp caveat".utf8)))
    #expect(m.caveats[1].identifier == Array("tp caveat".utf8))
    #expect(m.caveats[1].location == "tp location")
    #expect(m.caveats[1].verificationId?.count == 72)
    #expect(Hex.encode(m.signature) == "483b3881c9990e5099cb6695da3164daa64da60417bcaf9e9dc4c0a9968f6636")
    // The chain (including the third-party step) recomputes under go's root key "my secret key".
    #expect(m.expectedSignature(rootKey: Array("my secret key".utf8)) == m.signature)
    // Re-serializing reproduces go-macaroon's bytes exactly.
    #expect(m.serialized() == MacaroonBase64.decode(goBinaryV2))
    // v1 of the same macaroon parses to the same value.
    #expect(try Macaroon(base64: goBinaryV1) == m)
}

@Test func goMacaroonDischargeVectorDeserializes() throws {
    let d = try Macaroon(base64: "AgELdHAgbG9jYXRpb24CCXRwIGNhdmVhdAAABiCFBgB/aa4+amVOC5dp8g3Z2l0q94YAcNZ3bBWYn7fepg")
    #expect(d.location == "tp location")
    #expect(d.identifier == Array("tp caveat".utf8))
    #expect(d.caveats.isEmpty)
    #expect(Hex.encode(d.signature) == "8506007f69ae3e6a654e0b9769f20dd9da5d2af7860070d6776c15989fb7dea6")
}

@Test func verificationRejectsThirdPartyCaveatsAfterTheSignatureChecks() throws {
    let m = try Macaroon(base64: goBinaryV2)
    #expect(throws: MacaroonVerificationError.thirdPartyCaveatUnsupported(index: 1)) {
        try m.verifying(rootKey: Array("my secret key".utf8)) { $0 == "fp caveat" }
    }
}

// MARK: - verification

@Test func verifiesExactFirstPartyCaveat() {
    let m = bank().adding(firstPartyCaveat: "test = caveat")
    #expect(m.verify(rootKey: bankKey) { $0 == "test = caveat" })
}

@Test func verifiesGeneralFirstPartyCaveat() {
    let m = bank().adding(firstPartyCaveat: "general caveat")
    #expect(m.verify(rootKey: bankKey) { $0.hasPrefix("general") })
}

@Test func verificationFailsWithWrongRootKey() {
    let m = bank().adding(firstPartyCaveat: "test = caveat")
    #expect(!m.verify(rootKey: Array("wrong".utf8)) { _ in true })
    #expect(throws: MacaroonVerificationError.signatureMismatch) {
        try m.verifying(rootKey: Array("wrong".utf8)) { _ in true }
    }
}

@Test func verificationNamesTheUnsatisfiedCaveat() {
    let m = bank().adding(firstPartyCaveat: "a = 1").adding(firstPartyCaveat: "b = 2")
    #expect(throws: MacaroonVerificationError.unsatisfiedCaveat("b = 2")) {
        try m.verifying(rootKey: bankKey) { $0 == "a = 1" }
    }
}

@Test func verificationFailsWhenACaveatIsTamperedRemovedOrAdded() {
    let m = bank().adding(firstPartyCaveat: "budget = 10")
    var tampered = m
    tampered.caveats[0].identifier = Array("budget = 99".utf8)
    #expect(!tampered.verify(rootKey: bankKey) { _ in true })
    var removed = m
    removed.caveats.removeAll()
    #expect(!removed.verify(rootKey: bankKey) { _ in true })
    var appended = m
    appended.caveats.append(Macaroon.Caveat(identifier: Array("extra".utf8)))
    #expect(!appended.verify(rootKey: bankKey) { _ in true })
    var identifierChanged = m
    identifierChanged.identifier = Array("someone else's key".utf8)
    #expect(!identifierChanged.verify(rootKey: bankKey) { _ in true })
}

@Test func verificationFailsWhenSignatureIsTampered() {
    var m = bank().adding(firstPartyCaveat: "test = caveat")
    m.signature[31] ^= 1
    #expect(!m.verify(rootKey: bankKey) { _ in true })
    m.signature = Array(m.signature.prefix(31))
    #expect(!m.verify(rootKey: bankKey) { _ in true })
}

@Test func locationIsNotCoveredBySignature() {
    var m = bank()
    m.location = "http://elsewhere/"
    #expect(m.verify(rootKey: bankKey) { _ in true })
}

// MARK: - malformed input

@Test(arguments: [
    ([UInt8](), MacaroonFormatError.empty),
    ([3], .unknownFormat(firstByte: 3)),
    ([2], .truncated("section (no end-of-section marker)")),
    ([2, 2, 5, 0x61], .truncated("field data (5 bytes declared, 1 left)")),
    ([2, 0], .invalidSection("header must hold an optional location and an identifier")),
    ([2, 2, 1, 0x61, 1, 1, 0x62, 0], .fieldsOutOfOrder),
    ([2, 3, 1, 0x61, 0], .unknownFieldType(3)),
    ([2, 2, 1, 0x61, 0, 0], .truncated("signature")),
    ([2, 2, 1, 0x61, 0, 0, 6, 2, 1, 2], .badSignatureLength(2)),
    ([2, 2, 1, 0x61, 0, 0, 2, 1, 0x61], .invalidSection("expected signature field, found type 2")),
    ([2, 2, 1, 0x61, 0, 4, 1, 0x61, 0], .invalidSection("caveat 0 has no identifier")),
    ([2, 2, 1, 0x61, 0, 1, 1, 0x61, 2, 1, 0x61, 0], .invalidSection("caveat 0 has a location but no verification id")),
    ([2, 1, 1, 0xff, 2, 1, 0x61, 0], .locationNotUTF8),
    ([2, 2, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f], .badVarint),
    ([2, 2, 0x80], .truncated("field length")),
] as [([UInt8], MacaroonFormatError)])
func malformedV2BytesAreRejectedWithAClearError(bytes: [UInt8], error: MacaroonFormatError) {
    #expect(throws: error) { try Macaroon(binary: bytes) }
}

@Test func trailingBytesAfterSignatureAreRejected() {
    let bytes = bank().serialized() + [0]
    #expect(throws: MacaroonFormatError.trailingBytes(1)) { try Macaroon(binary: bytes) }
}

@Test func nonBase64TextIsRejected() {
    #expect(throws: MacaroonFormatError.notBase64) { try Macaroon(base64: "AgE!") }
    #expect(throws: MacaroonFormatError.notBase64) { try Macaroon(base64: "A") }
    #expect(throws: MacaroonFormatError.notBase64) { try Macaroon(base64: "AgE===") }
    #expect(throws: MacaroonFormatError.empty) { try Macaroon(base64: "") }
}

@Test func errorMessagesAreReadable() {
    #expect(MacaroonFormatError.truncated("signature").description == "macaroon truncated while reading signature")
    #expect(MacaroonFormatError.badSignatureLength(2).description == "macaroon signature is 2 bytes, expected 32")
}

/// SplitMix64: a tiny seeded generator so fuzz cases are reproducible.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Test func everyStrictPrefixOfAValidMacaroonIsRejected() {
    let m = bank().adding(firstPartyCaveat: "test = caveat").adding(firstPartyCaveat: "x = y")
    let bytes = m.serialized()
    for n in 0..<bytes.count {
        #expect(throws: MacaroonFormatError.self) { try Macaroon(binary: Array(bytes.prefix(n))) }
    }
    #expect((try? Macaroon(binary: bytes)) == m)
}

@Test func fuzzedBytesNeverTrapAndParsedValuesRoundTrip() {
    var rng = SplitMix64(seed: 0x4d41_4341_524f_4f4e)
    let seeds = [
        bank().adding(firstPartyCaveat: "test = caveat").serialized(),
        (try? Macaroon(base64: goBinaryV2))?.serialized() ?? [],
        Array((try? bank().adding(firstPartyCaveat: "v1").v1Base64()).flatMap(MacaroonBase64.decode) ?? []),
    ]
    var parsed = 0
    for i in 0..<4000 {
        var bytes: [UInt8]
        switch i % 4 {
        case 0:
            // Pure random bytes, often starting with the v2 version byte.
            let n = Int.random(in: 0..<96, using: &rng)
            bytes = (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
            if !bytes.isEmpty && Bool.random(using: &rng) { bytes[0] = 2 }
        case 1:
            // Truncation of a valid encoding.
            let s = seeds[i % seeds.count]
            bytes = Array(s.prefix(Int.random(in: 0...s.count, using: &rng)))
        case 2:
            // A few random byte mutations of a valid encoding.
            bytes = seeds[i % seeds.count]
            for _ in 0..<Int.random(in: 1...3, using: &rng) where !bytes.isEmpty {
                bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            }
        default:
            // Random small field-type/length bytes after the version byte, to reach deep parser states.
            let n = Int.random(in: 1..<40, using: &rng)
            bytes = [2] + (0..<n).map { _ in UInt8.random(in: 0...8, using: &rng) }
        }
        if let m = try? Macaroon(binary: bytes) {
            parsed += 1
            #expect(m.signature.count == 32)
            #expect((try? Macaroon(binary: m.serialized())) == m)
        }
        // The text paths must not trap either.
        _ = try? Macaroon(base64: String(decoding: bytes, as: UTF8.self))
        _ = try? L402Credential(parsing: "L402 " + String(decoding: bytes, as: UTF8.self)).macaroon()
    }
    #expect(parsed < 4000)
}
