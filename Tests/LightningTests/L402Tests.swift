import Testing
@testable import Lightning

private let preimage = [UInt8](repeating: 0x11, count: 32)
private let paymentHash = Hash.sha256(preimage)
private let tokenId = (0..<32).map { UInt8($0) }
private let rootKey = [UInt8](repeating: 0x42, count: 32)
private let now: Int64 = 1_800_000_000

private func identifier() throws -> L402Identifier {
    try L402Identifier(paymentHash: paymentHash, tokenId: tokenId)
}

private func standardCaveats(validUntil: Int64 = now + 3600, budget: Int64 = 5000) -> [L402Caveat] {
    [
        .services([L402Service(name: "prooflayer", tier: 0)]),
        .budgetSats(service: "prooflayer", budget),
        .validUntil(service: "prooflayer", unixTime: validUntil),
    ]
}

private func mint(_ caveats: [L402Caveat]? = nil) throws -> Macaroon {
    Macaroon.l402(rootKey: rootKey, identifier: try identifier(), caveats: caveats ?? standardCaveats())
}

// MARK: - identifier

@Test func identifierIsVersionThenPaymentHashThenTokenId() throws {
    let bytes = try identifier().encoded()
    #expect(bytes.count == 66)
    #expect(Array(bytes[0..<2]) == [0, 0])
    #expect(Array(bytes[2..<34]) == paymentHash)
    #expect(Array(bytes[34..<66]) == tokenId)
    #expect(try L402Identifier(decoding: bytes) == identifier())
    #expect(try identifier().tokenIdHex == "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
}

@Test(arguments: [
    ([UInt8](), L402IdentifierError.tooShort(0)),
    ([0], .tooShort(1)),
    ([0, 1] + [UInt8](repeating: 0, count: 64), .unknownVersion(1)),
    ([0, 0] + [UInt8](repeating: 0, count: 63), .badLength(65)),
    ([0, 0] + [UInt8](repeating: 0, count: 65), .badLength(67)),
] as [([UInt8], L402IdentifierError)])
func identifierDecodingRejectsBadBytes(bytes: [UInt8], error: L402IdentifierError) {
    #expect(throws: error) { try L402Identifier(decoding: bytes) }
}

@Test func identifierConstructionRejectsWrongSizedParts() {
    #expect(throws: L402IdentifierError.badPaymentHashLength(31)) { try L402Identifier(paymentHash: Array(paymentHash.prefix(31)), tokenId: tokenId) }
    #expect(throws: L402IdentifierError.badTokenIdLength(33)) { try L402Identifier(paymentHash: paymentHash, tokenId: tokenId + [0]) }
    #expect(L402IdentifierError.unknownVersion(1).description == "unknown L402 identifier version 1")
}

@Test func identifierIsPaidOnlyByThePreimageOfItsHash() throws {
    #expect(try identifier().isPaid(byPreimage: preimage))
    #expect(try !identifier().isPaid(byPreimage: [UInt8](repeating: 0x12, count: 32)))
}

// MARK: - caveats

@Test func caveatHelpersUseApertureConditionNames() {
    #expect(standardCaveats(validUntil: 1_700_000_000, budget: 2500).map(\.description) == [
        "services=prooflayer:0",
        "prooflayer_budget_sats=2500",
        "prooflayer_valid_until=1700000000",
    ])
    #expect(L402Caveat.capabilities(service: "prooflayer", ["post", "resolve"]).description == "prooflayer_capabilities=post,resolve")
}

@Test(arguments: [
    ("services=prooflayer:0", "services", "prooflayer:0"),
    ("a=b=c", "a", "b=c"),
    ("k=", "k", ""),
])
func caveatParsingSplitsAtTheFirstEquals(text: String, condition: String, value: String) throws {
    let c = try L402Caveat(parsing: text)
    #expect(c.condition == condition)
    #expect(c.value == value)
    #expect(c.description == text)
}

@Test(arguments: ["novalue", "=x", ""])
func caveatParsingRejectsTextWithoutCondition(text: String) {
    #expect(throws: L402CaveatError.notConditionValue(text)) { try L402Caveat(parsing: text) }
}

@Test func servicesListParses() throws {
    #expect(try L402Service.parseList("a:0,b:1") == [L402Service(name: "a", tier: 0), L402Service(name: "b", tier: 1)])
    #expect(throws: L402CaveatError.self) { try L402Service.parseList("a") }
    #expect(throws: L402CaveatError.self) { try L402Service.parseList(":0") }
    #expect(throws: L402CaveatError.self) { try L402Service.parseList("a:x") }
    #expect(throws: L402CaveatError.self) { try L402Service.parseList("") }
}

@Test func policyGrantsTheLastBudgetAndExpiry() throws {
    let policy = L402CaveatPolicy(now: now)
    let grant = try policy.check(standardCaveats() + [.budgetSats(service: "prooflayer", 100)])
    #expect(grant.budgetSats == 100)
    #expect(grant.validUntil == now + 3600)
    #expect(grant.capabilities == nil)
}

@Test(arguments: [
    // An expiry is exclusive: valid while now < valid_until.
    (["prooflayer_valid_until=\(now)"], L402CaveatError.expired(validUntil: now)),
    (["prooflayer_valid_until=soon"], .invalidValue(condition: "prooflayer_valid_until", value: "soon", reason: "not an integer unix time")),
    (["services=other:0"], .serviceNotAuthorized("prooflayer")),
    (["services=prooflayer:0,other:0", "services=other:0,prooflayer:0,third:0"], .widensPrevious(condition: "services")),
    (["prooflayer_budget_sats=10", "prooflayer_budget_sats=11"], .widensPrevious(condition: "prooflayer_budget_sats")),
    (["prooflayer_budget_sats=-1"], .invalidValue(condition: "prooflayer_budget_sats", value: "-1", reason: "not a non-negative integer of sats")),
    (["prooflayer_valid_until=\(now + 10)", "prooflayer_valid_until=\(now + 20)"], .widensPrevious(condition: "prooflayer_valid_until")),
    (["prooflayer_capabilities=read", "prooflayer_capabilities=read,write"], .widensPrevious(condition: "prooflayer_capabilities")),
    (["prooflayer_capabilities=read"], .capabilityNotAuthorized("write")),
    (["color=blue"], .unknownCondition("color")),
    (["no equals sign"], .notConditionValue("no equals sign")),
] as [([String], L402CaveatError)])
func policyRejectsCaveatsThatDoNotHold(predicates: [String], error: L402CaveatError) {
    let policy = L402CaveatPolicy(now: now, capability: "write")
    #expect(throws: error) { try policy.check(predicates: predicates) }
}

@Test func policyIgnoresOtherServicesScopedCaveats() throws {
    let policy = L402CaveatPolicy(now: now)
    let grant = try policy.check(predicates: ["services=prooflayer:0,loop:0", "loop_valid_until=1", "prooflayer_valid_until=\(now + 1)"])
    #expect(grant.validUntil == now + 1)
}

@Test func caveatErrorMessagesSayWhatIsWrong() {
    #expect(L402CaveatError.expired(validUntil: 5).description == "L402 expired at unix time 5")
    #expect(L402CaveatError.notConditionValue("x").description == "caveat \"x\" must be of the form \"condition=value\"")
    #expect(L402CaveatError.widensPrevious(condition: "services").description == "services caveat violates increasing restrictiveness")
}

// MARK: - minted L402 macaroon

@Test func mintedL402MacaroonHasIdentifierAndCaveatsAndVerifies() throws {
    let m = try mint()
    #expect(m.identifier.count == 66)
    #expect(try m.l402Identifier() == identifier())
    #expect(m.caveats.compactMap(\.predicate) == standardCaveats().map(\.description))
    let exact = Set(standardCaveats().map(\.description))
    #expect(m.verify(rootKey: rootKey) { exact.contains($0) })
    #expect(try Macaroon(base64: m.base64()) == m)
}

// MARK: - challenge (WWW-Authenticate)

private let invoice = "lnbcrt50u1pjexample"

@Test func challengeHeaderHasApertureForm() throws {
    let m = try mint()
    let c = L402Challenge(macaroon: m, invoice: invoice)
    #expect(c.headerValue == "L402 macaroon=\"\(m.base64())\", invoice=\"\(invoice)\"")
    #expect(c.headerValue(scheme: "LSAT").hasPrefix("LSAT macaroon=\""))
    #expect(try L402Challenge(parsing: c.headerValue) == c)
}

@Test func challengeParsingIsLenient() throws {
    let m = try mint()
    let std = m.base64()
    let url = MacaroonBase64.encode(m.serialized(), urlSafe: true, padded: false)
    let headers = [
        "L402 macaroon=\"\(std)\", invoice=\"\(invoice)\"",
        "LSAT macaroon=\"\(std)\", invoice=\"\(invoice)\"",
        "l402 invoice=\"\(invoice)\", macaroon=\"\(std)\"",
        "L402 token=\"\(std)\", invoice=\"\(invoice)\"",
        "L402 macaroon=\(std), invoice=\(invoice)",
        "L402   macaroon = \"\(url)\" ,   invoice=\"\(invoice)\"  ",
        "Bearer realm=\"x\", L402 macaroon=\"\(std)\", invoice=\"\(invoice)\"",
        "Basic abc==, LSAT macaroon=\"\(std)\", invoice=\"\(invoice)\", Payment id=\"y\"",
        "LSAT macaroon=\"wrong\", invoice=\"x\", L402 macaroon=\"\(std)\", invoice=\"\(invoice)\"",
    ]
    for h in headers {
        let c = try L402Challenge(parsing: h)
        #expect(c.macaroon == m, "\(h)")
        #expect(c.invoice == invoice, "\(h)")
    }
}

@Test(arguments: [
    ("", L402ChallengeError.noL402Challenge, "no L402 or LSAT challenge in WWW-Authenticate"),
    ("Bearer realm=\"x\"", .noL402Challenge, "no L402 or LSAT challenge in WWW-Authenticate"),
    ("L402 invoice=\"lnbc1\"", .missingMacaroon, "L402 challenge has no macaroon"),
    ("L402 macaroon=\"AgE\"", .missingInvoice, "L402 challenge has no invoice"),
    ("L402 invoice=\"x\", macaroon=\"AgE", .unterminatedQuote, "L402 challenge has an unterminated quoted string"),
    ("macaroon=\"x\"", .malformed("parameter macaroon before any scheme"), "malformed WWW-Authenticate: parameter macaroon before any scheme"),
    ("L402 macaroon=\"!!\", invoice=\"x\"", .badMacaroon(.notBase64), "L402 challenge macaroon is invalid: macaroon is not base64"),
] as [(String, L402ChallengeError, String)])
func challengeParsingRejectsWithMessage(header: String, error: L402ChallengeError, message: String) {
    #expect(throws: error) { try L402Challenge(parsing: header) }
    #expect(error.description == message)
}

// MARK: - credential (Authorization)

@Test func credentialHeaderRoundTripsAndDecodes() throws {
    let m = try mint()
    let cred = L402Credential(macaroon: m, preimage: preimage)
    #expect(cred.headerValue == "L402 \(m.base64()):\(Hex.encode(preimage))")
    let parsed = try L402Credential(parsing: cred.headerValue)
    #expect(parsed == cred)
    #expect(try parsed.macaroon() == m)
    #expect(try parsed.preimage() == preimage)
}

@Test func credentialParsingKeepsRawDemoToken() throws {
    let c = try L402Credential(parsing: "L402 sim_token:sim_valid_preimage")
    #expect(c.token == "sim_token")
    #expect(c.preimageText == "sim_valid_preimage")
    #expect(c.scheme == "L402")
    #expect(throws: L402CredentialError.macaroonNotBase64) { try c.macaroon() }
    #expect(throws: L402CredentialError.preimageNotHex) { try c.preimage() }
}

@Test func credentialParsingIsLenient() throws {
    let m = try mint()
    let hex = Hex.encode(preimage)
    let forms = [
        "L402 \(m.base64()):\(hex)",
        "LSAT \(m.base64()):\(hex)",
        "l402 \(m.base64()):\(hex)",
        "  L402\t  \(m.base64()) : \(hex.uppercased())  ",
        "L402 \(MacaroonBase64.encode(m.serialized(), urlSafe: true, padded: false)):\(hex)",
        "L402 \(MacaroonBase64.encode(m.serialized(), urlSafe: false, padded: false)):\(hex)",
        "L402 \(Hex.encode(m.serialized())):\(hex)",
    ]
    for f in forms {
        let c = try L402Credential(parsing: f)
        #expect(try c.macaroon() == m, "\(f)")
        #expect(try c.preimage() == preimage, "\(f)")
    }
}

@Test(arguments: [
    ("", L402CredentialError.empty, "Authorization header is empty"),
    ("   ", .empty, "Authorization header is empty"),
    ("abc:def", .missingScheme, "Authorization header has no L402 scheme; expected \"L402 <macaroon>:<preimage>\""),
    ("L402", .missingToken, "L402 credential is missing; expected \"L402 <macaroon>:<preimage>\""),
    ("L402   ", .missingToken, "L402 credential is missing; expected \"L402 <macaroon>:<preimage>\""),
    ("Bearer abc:def", .unsupportedScheme("Bearer"), "unsupported Authorization scheme \"Bearer\"; expected L402 or LSAT"),
    ("L402 abcdef", .missingColon, "L402 credential has no colon between macaroon and preimage"),
    ("L402 :abcdef", .emptyToken, "L402 credential has an empty macaroon before the colon"),
    ("L402 abc:", .emptyPreimage, "L402 credential has an empty preimage after the colon"),
    ("L402 ab c:def", .unexpectedWhitespace, "L402 credential has whitespace inside the macaroon or preimage"),
] as [(String, L402CredentialError, String)])
func credentialParsingRejectsWithMessage(header: String, error: L402CredentialError, message: String) {
    #expect(throws: error) { try L402Credential(parsing: header) }
    #expect(error.description == message)
}

@Test(arguments: [
    ("not*base64", L402CredentialError.macaroonNotBase64, "L402 macaroon is not base64 (or hex)"),
    ("QQ", .macaroonInvalid(.unknownFormat(firstByte: 0x41)), "L402 macaroon is invalid: unknown macaroon format (first byte 0x41)"),
    ("AgI", .macaroonInvalid(.truncated("field length")), "L402 macaroon is invalid: macaroon truncated while reading field length"),
] as [(String, L402CredentialError, String)])
func credentialMacaroonDecodingNamesTheProblem(token: String, error: L402CredentialError, message: String) throws {
    let c = try L402Credential(parsing: "L402 \(token):\(Hex.encode(preimage))")
    #expect(throws: error) { try c.macaroon() }
    #expect(error.description == message)
}

@Test(arguments: [
    ("zz", L402CredentialError.preimageNotHex, "L402 preimage is not hex; expected 64 hex characters (32 bytes)"),
    ("abc", .preimageNotHex, "L402 preimage is not hex; expected 64 hex characters (32 bytes)"),
    ("abcd", .preimageWrongLength(2), "L402 preimage is 2 bytes; expected 32 bytes (64 hex characters)"),
    (String(repeating: "a", count: 66), .preimageWrongLength(33), "L402 preimage is 33 bytes; expected 32 bytes (64 hex characters)"),
] as [(String, L402CredentialError, String)])
func credentialPreimageMustBe32ByteHex(text: String, error: L402CredentialError, message: String) throws {
    let c = try L402Credential(parsing: "L402 tok:\(text)")
    #expect(throws: error) { try c.preimage() }
    #expect(error.description == message)
}

// MARK: - full verification

private func keys(_ id: L402Identifier) -> [UInt8]? { id.tokenId == tokenId ? rootKey : nil }

@Test func validCredentialVerifiesAndGrantsBudget() throws {
    let cred = L402Credential(macaroon: try mint(), preimage: preimage)
    let grant = try cred.verify(rootKey: keys, policy: L402CaveatPolicy(now: now))
    #expect(grant.identifier == (try identifier()))
    #expect(grant.budgetSats == 5000)
    #expect(grant.validUntil == now + 3600)
}

@Test func verificationFailsForWrongPreimage() throws {
    let cred = L402Credential(macaroon: try mint(), preimage: [UInt8](repeating: 0x22, count: 32))
    #expect(throws: L402VerificationError.preimageMismatch) { try cred.verify(rootKey: keys, policy: L402CaveatPolicy(now: now)) }
}

@Test func verificationFailsForWrongRootKeyOrUnknownToken() throws {
    let cred = L402Credential(macaroon: try mint(), preimage: preimage)
    #expect(throws: L402VerificationError.macaroon(.signatureMismatch)) {
        try cred.verify(rootKey: { _ in [UInt8](repeating: 0, count: 32) }, policy: L402CaveatPolicy(now: now))
    }
    #expect(throws: L402VerificationError.unknownToken(Hex.encode(tokenId))) {
        try cred.verify(rootKey: { _ in nil }, policy: L402CaveatPolicy(now: now))
    }
}

@Test func verificationFailsWhenExpiredOrBudgetTampered() throws {
    let expired = L402Credential(macaroon: try mint(standardCaveats(validUntil: now - 1)), preimage: preimage)
    #expect(throws: L402VerificationError.caveat(.expired(validUntil: now - 1))) {
        try expired.verify(rootKey: keys, policy: L402CaveatPolicy(now: now))
    }
    var m = try mint()
    m.caveats[1].identifier = Array("prooflayer_budget_sats=999999".utf8)
    #expect(throws: L402VerificationError.macaroon(.signatureMismatch)) {
        try L402Credential(macaroon: m, preimage: preimage).verify(rootKey: keys, policy: L402CaveatPolicy(now: now))
    }
}

@Test func holderMayNarrowButNotWidenTheBudget() throws {
    let narrowed = try mint().adding(firstPartyCaveat: L402Caveat.budgetSats(service: "prooflayer", 10).description)
    let grant = try L402Credential(macaroon: narrowed, preimage: preimage).verify(rootKey: keys, policy: L402CaveatPolicy(now: now))
    #expect(grant.budgetSats == 10)
    let widened = try mint().adding(firstPartyCaveat: L402Caveat.budgetSats(service: "prooflayer", 10_000).description)
    #expect(throws: L402VerificationError.caveat(.widensPrevious(condition: "prooflayer_budget_sats"))) {
        try L402Credential(macaroon: widened, preimage: preimage).verify(rootKey: keys, policy: L402CaveatPolicy(now: now))
    }
}

@Test func nonL402IdentifierIsRejected() {
    let m = Macaroon(rootKey: rootKey, identifier: "plain")
    #expect(throws: L402VerificationError.identifier(.unknownVersion(0x706c))) {
        try L402Credential(macaroon: m, preimage: preimage).verify(rootKey: keys, policy: L402CaveatPolicy(now: now))
    }
}

@Test func fuzzedHeadersNeverTrap() {
    var rng = SplitMix64(seed: 402)
    let alphabet = Array("L402LSAT lsat macaroon=token=invoice=\",: \t=AgE0123456789abcdef+/_-".utf8)
    for _ in 0..<3000 {
        let n = Int.random(in: 0..<60, using: &rng)
        let s = String(decoding: (0..<n).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &rng)] }, as: UTF8.self)
        _ = try? L402Challenge(parsing: s)
        if let c = try? L402Credential(parsing: s) {
            _ = try? c.macaroon()
            _ = try? c.preimage()
        }
    }
}
