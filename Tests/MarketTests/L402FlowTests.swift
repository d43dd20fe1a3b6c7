import Foundation
import HTTPKit
import JSON
import Lightning
import Synchronization
import Testing
@testable import Market

/// The real L402 path of SPEC section 7, end to end through the router: 402 challenge -> pay over the simulated
/// Lightning network -> retry with `Authorization: L402 <macaroon>:<preimage>`, and every way a credential is refused.
@Suite struct L402FlowTests {
    // MARK: Helpers

    /// A decoded 402 challenge as a client sees it.
    struct Challenge {
        var status: Int
        var json: JSONValue
        var header: String
        var parsed: L402Challenge
        var invoice: Bolt11Invoice
        var paymentHash: [UInt8]
        var macaroonBase64: String { parsed.macaroon.base64() }
    }

    /// A paid challenge: the header a client retries with.
    struct Paid {
        var challenge: Challenge
        var preimage: [UInt8]
        var authorization: String { "L402 \(challenge.macaroonBase64):\(Hex.encode(preimage))" }
    }

    static func body(budget: Int64 = 100, title: String = "Is this URL still live?", trust: String = "proof_required") -> JSONValue {
        var b = MarketHarness.seedTaskBody.objectValue ?? [:]
        b["budget_sats"] = .int(budget)
        b["title"] = .string(title)
        b["trust_mode"] = .string(trust)
        return .object(b)
    }

    static func post(_ m: MarketHarness, budget: Int64 = 100, body: JSONValue? = nil, authorization: String? = nil)
        -> (status: Int, json: JSONValue, response: HTTPResponse) {
        m.call("POST", "/api/tasks?budget_sats=\(budget)", body: body ?? Self.body(budget: budget),
               headers: authorization.map { [("Authorization", $0)] } ?? [])
    }

    /// Reads a 402 response as a standard client would: the `WWW-Authenticate` header, then the invoice in it.
    static func read402(_ r: (status: Int, json: JSONValue, response: HTTPResponse)) throws -> Challenge {
        #expect(r.status == 402, "\(r.json)")
        let header = try #require(r.response.header("WWW-Authenticate"), "\(r.json)")
        let parsed = try L402Challenge(parsing: header)
        let invoice = try Bolt11.decode(parsed.invoice)
        let hash = try #require(invoice.paymentHash)
        return Challenge(status: r.status, json: r.json, header: header, parsed: parsed, invoice: invoice, paymentHash: hash)
    }

    static func challenge(_ m: MarketHarness, budget: Int64 = 100, body: JSONValue? = nil) throws -> Challenge {
        try read402(post(m, budget: budget, body: body))
    }

    /// Pays an invoice through `POST /sim/lightning/pay` (from `wallet`, or the demo wallet when nil).
    static func pay(_ m: MarketHarness, _ invoice: String, wallet: String? = nil) -> (status: Int, json: JSONValue, response: HTTPResponse) {
        var b: [String: JSONValue] = ["invoice": .string(invoice)]
        if let wallet { b["wallet_id"] = .string(wallet) }
        return m.call("POST", "/sim/lightning/pay", body: .object(b))
    }

    static func wallet(_ m: MarketHarness, sats: Int64) throws -> String {
        let r = m.call("POST", "/sim/lightning/wallets", body: ["balance_sats": .int(sats)])
        #expect(r.status == 201)
        return try #require(r.json["wallet"]?["id"]?.stringValue)
    }

    static func paidChallenge(_ m: MarketHarness, budget: Int64 = 100, body: JSONValue? = nil, wallet: String? = nil) throws -> Paid {
        let c = try challenge(m, budget: budget, body: body)
        let p = pay(m, c.parsed.invoice, wallet: wallet)
        #expect(p.status == 200, "pay: \(p.json)")
        let preimage = try #require(p.json["preimage"]?.stringValue.flatMap(Hex.decode))
        return Paid(challenge: c, preimage: preimage)
    }

    /// Expects a 401 with `code` (any code when nil) and a non-empty message.
    static func expect401(_ r: (status: Int, json: JSONValue, response: HTTPResponse), _ code: String? = nil,
                          _ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(r.status == 401, "\(comment?.rawValue ?? ""): \(r.json)", sourceLocation: sourceLocation)
        if let code { #expect(r.json["error"]?["code"]?.stringValue == code, "\(comment?.rawValue ?? ""): \(r.json)", sourceLocation: sourceLocation) }
        #expect((r.json["error"]?["message"]?.stringValue?.count ?? 0) > 10, sourceLocation: sourceLocation)
    }

    static func feedIDs(_ m: MarketHarness) -> [String] {
        m.call("GET", "/api/workers/feed?limit=100").json["tasks"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
    }

    // MARK: 1. The 402 challenge

    @Test func challengeCarriesARealInvoiceAndAMacaroonBoundToIt() throws {
        let m = try MarketHarness()
        let r = Self.post(m, budget: 250)
        let c = try Self.read402(r)
        #expect(c.header.hasPrefix("L402 macaroon=\""))
        #expect(c.header.contains("\", invoice=\"lnbcrt"))
        #expect(r.response.header("Content-Type") == "application/json")

        // The JSON error body carries the same challenge.
        let error = try #require(r.json["error"])
        #expect(error["code"] == "payment_required")
        #expect(error["invoice"]?.stringValue == c.parsed.invoice)
        #expect(error["macaroon"]?.stringValue == c.macaroonBase64)
        #expect(error["payment_hash"]?.stringValue == Hex.encode(c.paymentHash))
        #expect(error["amount_sats"] == 250)
        #expect(error["amount_msat"] == 250_000)
        #expect(error["message"]?.stringValue?.contains("Authorization: L402") == true)

        // The invoice: regtest prefix, exactly the budget, signed by the platform node, with description and expiry.
        #expect(c.parsed.invoice.hasPrefix("lnbcrt"))
        #expect(c.invoice.network.rawValue == "lnbcrt")
        #expect(c.invoice.amount == MilliSats(250 * 1000))
        #expect(c.invoice.payeePublicKey == m.node.platformNodeKey)
        #expect(c.invoice.signature != nil)
        #expect(c.invoice.description?.isEmpty == false)
        #expect(c.invoice.paymentSecret?.count == 32)
        #expect(c.invoice.expiry == 3600)
        #expect(c.invoice.timestamp == UInt64(MarketHarness.start.seconds))

        // The macaroon: deserializes from the body text too, L402 identifier bound to the invoice's payment hash.
        let mac = try Macaroon(base64: try #require(error["macaroon"]?.stringValue))
        #expect(mac == c.parsed.macaroon)
        #expect(mac.location == m.service.configuration.location)
        let id = try mac.l402Identifier()
        #expect(id.version == 0)
        #expect(id.paymentHash == c.paymentHash)
        #expect(id.tokenId.count == 32)
        #expect(mac.identifier.count == 66)
        let validUntil = MarketHarness.start.seconds + 3600
        #expect(mac.caveats.map { $0.predicate } == [
            "services=prooflayer:0", "prooflayer_budget_sats=250", "prooflayer_valid_until=\(validUntil)",
        ])
        #expect(Int64(c.invoice.expiresAt) == validUntil)
        #expect(error["expires_at"]?.stringValue == Instant(seconds: validUntil).iso8601)

        // Each challenge is fresh: a second 402 has a new invoice, hash and token id.
        let again = try Self.challenge(m, budget: 250)
        #expect(again.paymentHash != c.paymentHash)
        #expect(try again.parsed.macaroon.l402Identifier().tokenId != id.tokenId)
    }

    // MARK: 2. Paying the invoice over the simulated network

    @Test func payingRevealsThePreimageAndDebitsExactlyTheAmountOnce() throws {
        let m = try MarketHarness()
        let walletID = try Self.wallet(m, sats: 1_000)
        #expect(m.call("GET", "/sim/lightning/wallets/\(walletID)").json["wallet"]?["balance_msat"] == 1_000_000)
        let c = try Self.challenge(m, budget: 100)

        let p = Self.pay(m, c.parsed.invoice, wallet: walletID)
        #expect(p.status == 200)
        #expect(p.json["status"] == "succeeded")
        #expect(p.json["payment_hash"]?.stringValue == Hex.encode(c.paymentHash))
        #expect(p.json["amount_msat"] == 100_000)
        #expect(p.json["fee_msat"] == 0)
        let preimage = try #require(p.json["preimage"]?.stringValue.flatMap(Hex.decode))
        #expect(preimage.count == 32)
        #expect(Hash.sha256(preimage) == c.paymentHash)
        #expect(m.call("GET", "/sim/lightning/wallets/\(walletID)").json["wallet"]?["balance_msat"] == 900_000)

        // Paying the same invoice again is refused and moves no money.
        let twice = Self.pay(m, c.parsed.invoice, wallet: walletID)
        #expect(twice.status == 409)
        #expect(twice.json["error"]?["code"] == "invoice_already_paid")
        #expect(Self.pay(m, c.parsed.invoice).status == 409)
        #expect(m.call("GET", "/sim/lightning/wallets/\(walletID)").json["wallet"]?["balance_msat"] == 900_000)

        // Demo mode: no wallet_id pays from the shared demo wallet.
        let d = try Self.challenge(m, budget: 42)
        let demo = Self.pay(m, d.parsed.invoice)
        #expect(demo.status == 200)
        #expect(demo.json["amount_msat"] == 42_000)
        #expect(demo.json["preimage"]?.stringValue.flatMap(Hex.decode).map(Hash.sha256) == d.paymentHash)

        // A wallet that cannot afford the invoice gets a failed payment, not money out of nowhere.
        let poor = try Self.wallet(m, sats: 10)
        let e = try Self.challenge(m, budget: 100)
        let failed = Self.pay(m, e.parsed.invoice, wallet: poor)
        #expect(failed.status == 200)
        #expect(failed.json["status"] == "failed")
        #expect(failed.json["preimage"]?.isNull == true)
        #expect(m.call("GET", "/sim/lightning/wallets/\(poor)").json["wallet"]?["balance_msat"] == 10_000)
    }

    // MARK: 3. The paid credential creates the task

    @Test func paidCredentialCreatesTheTask() throws {
        let m = try MarketHarness()
        let paid = try Self.paidChallenge(m, wallet: try Self.wallet(m, sats: 500))
        let r = Self.post(m, authorization: paid.authorization)
        #expect(r.status == 201, "\(r.json)")
        let task = try #require(r.json["task"])
        #expect(task["status"] == "open")
        #expect(task["budget_msat"] == 100_000)
        #expect(task["payment"]?["method"] == "l402")
        #expect(task["payment"]?["payment_hash"]?.stringValue == Hex.encode(paid.challenge.paymentHash))
        #expect(r.response.header("Idempotent-Replay") == nil)
        let id = try #require(task["id"]?.stringValue)
        #expect(r.response.header("Location") == "/api/tasks/\(id)")
        #expect(Self.feedIDs(m) == [id])
        #expect(m.call("GET", "/api/tasks/\(id)").json["task"]?["payment"]?["method"] == "l402")
    }

    @Test func lsatSchemeAndTokenSpellingsAreAccepted() throws {
        let m = try MarketHarness()
        let paid = try Self.paidChallenge(m)
        let r = Self.post(m, authorization: "LSAT \(paid.challenge.macaroonBase64):\(Hex.encode(paid.preimage))")
        #expect(r.status == 201, "\(r.json)")
        #expect(r.json["task"]?["payment"]?["method"] == "l402")

        // Lower-case scheme, URL-safe unpadded base64 and upper-case hex are the same credential.
        let other = try Self.paidChallenge(m, body: Self.body(title: "second"))
        let urlSafe = MacaroonBase64.encode(other.challenge.parsed.macaroon.serialized(), urlSafe: true, padded: false)
        let r2 = Self.post(m, body: Self.body(title: "second"), authorization: "l402 \(urlSafe):\(Hex.encode(other.preimage).uppercased())")
        #expect(r2.status == 201, "\(r2.json)")
    }

    // MARK: 4. Identical retries are idempotent

    @Test func identicalRetryReturnsTheSameTask() throws {
        let m = try MarketHarness()
        let paid = try Self.paidChallenge(m)
        let first = Self.post(m, authorization: paid.authorization)
        #expect(first.status == 201)
        let id = try #require(first.json["task"]?["id"]?.stringValue)

        for _ in 0..<2 {
            let retry = Self.post(m, authorization: paid.authorization)
            #expect(retry.status == 200, "\(retry.json)")
            #expect(retry.response.header("Idempotent-Replay") == "true")
            #expect(retry.json["task"]?["id"]?.stringValue == id)
            #expect(retry.json["task"] == first.json["task"])
        }
        // The LSAT spelling of the same credential is the same token.
        let lsat = Self.post(m, authorization: "LSAT " + paid.authorization.dropFirst("L402 ".count))
        #expect(lsat.status == 200)
        #expect(lsat.json["task"]?["id"]?.stringValue == id)
        #expect(Self.feedIDs(m) == [id])
    }

    @Test func retryAfterTheCredentialExpiredStillReturnsItsTaskAndReuseIsTokenSpent() throws {
        let m = try MarketHarness()
        let paid = try Self.paidChallenge(m)
        let first = Self.post(m, authorization: paid.authorization)
        let id = try #require(first.json["task"]?["id"]?.stringValue)
        m.clock.advance(milliseconds: 2 * 3_600_000)
        let retry = Self.post(m, authorization: paid.authorization)
        #expect(retry.status == 200, "\(retry.json)")
        #expect(retry.json["task"]?["id"]?.stringValue == id)
        let other = Self.post(m, body: Self.body(title: "another question"), authorization: paid.authorization)
        #expect(other.status == 402)
        #expect(other.json["error"]?["code"] == "token_spent")
        #expect(other.json["error"]?["spent_on_task_id"]?.stringValue == id)
    }

    @Test func retryWithKeysInAnotherOrderIsTheIdenticalRequest() throws {
        let m = try MarketHarness()
        let paid = try Self.paidChallenge(m)
        let body = Self.body()
        let first = Self.post(m, body: body, authorization: paid.authorization)
        #expect(first.status == 201)
        // The same members, written in reverse key order with extra whitespace.
        let members = (body.objectValue ?? [:]).sorted { $0.key > $1.key }
            .map { "\n  \(JSONValue.string($0.key).serializedString()) : \($0.value.serializedString())" }
        let reversed = Array(("{" + members.joined(separator: ",") + "\n}").utf8)
        #expect(reversed != body.serialized())
        let r = m.call("POST", "/api/tasks?budget_sats=100", rawBody: reversed, headers: [("Authorization", paid.authorization)])
        #expect(r.status == 200, "\(r.json)")
        #expect(r.json["task"]?["id"] == first.json["task"]?["id"])
    }

    // MARK: 5. A spent token gets a fresh 402

    @Test func spentTokenOnAnotherTaskGetsAFreshChallengeThatWorks() throws {
        let m = try MarketHarness()
        let walletID = try Self.wallet(m, sats: 1_000)
        let paid = try Self.paidChallenge(m, wallet: walletID)
        let firstID = try #require(Self.post(m, authorization: paid.authorization).json["task"]?["id"]?.stringValue)

        // The caching client reuses its token for a different task.
        let otherBody = Self.body(title: "Is the other URL live?")
        let spent = Self.post(m, body: otherBody, authorization: paid.authorization)
        let fresh = try Self.read402(spent)
        let error = try #require(spent.json["error"])
        #expect(error["code"] == "token_spent")
        #expect(error["spent_on_task_id"]?.stringValue == firstID)
        #expect(error["invoice"]?.stringValue == fresh.parsed.invoice)
        #expect(error["macaroon"]?.stringValue == fresh.macaroonBase64)
        #expect(fresh.paymentHash != paid.challenge.paymentHash)
        #expect(fresh.invoice.amount == MilliSats(100_000))
        #expect(try fresh.parsed.macaroon.l402Identifier().paymentHash == fresh.paymentHash)
        #expect(Self.feedIDs(m) == [firstID])

        // Paying the new challenge and retrying creates the second task.
        let p = Self.pay(m, fresh.parsed.invoice, wallet: walletID)
        let preimage = try #require(p.json["preimage"]?.stringValue.flatMap(Hex.decode))
        let second = Self.post(m, body: otherBody, authorization: "L402 \(fresh.macaroonBase64):\(Hex.encode(preimage))")
        #expect(second.status == 201, "\(second.json)")
        let secondID = try #require(second.json["task"]?["id"]?.stringValue)
        #expect(secondID != firstID)
        #expect(second.json["task"]?["payment"]?["payment_hash"]?.stringValue == Hex.encode(fresh.paymentHash))
        #expect(Self.feedIDs(m) == [firstID, secondID])
        #expect(m.call("GET", "/sim/lightning/wallets/\(walletID)").json["wallet"]?["balance_msat"] == 800_000)

        // The first request's retry still returns the first task.
        let replay = Self.post(m, authorization: paid.authorization)
        #expect(replay.status == 200)
        #expect(replay.json["task"]?["id"]?.stringValue == firstID)
    }

    @Test func spentTokenForATaskOfAnotherBudgetAlsoGetsAFreshChallenge() throws {
        let m = try MarketHarness()
        let paid = try Self.paidChallenge(m, budget: 100)
        let firstID = try #require(Self.post(m, budget: 100, authorization: paid.authorization).json["task"]?["id"]?.stringValue)

        // The cached 100-sat token is spent, so a 200-sat task must get a 402 for 200 sats, not a dead end.
        let spent = Self.post(m, budget: 200, authorization: paid.authorization)
        let fresh = try Self.read402(spent)
        #expect(spent.json["error"]?["code"] == "token_spent")
        #expect(spent.json["error"]?["spent_on_task_id"]?.stringValue == firstID)
        #expect(fresh.invoice.amount == MilliSats(200_000))
        let p = Self.pay(m, fresh.parsed.invoice)
        let preimage = try #require(p.json["preimage"]?.stringValue)
        let second = Self.post(m, budget: 200, authorization: "L402 \(fresh.macaroonBase64):\(preimage)")
        #expect(second.status == 201, "\(second.json)")
        #expect(second.json["task"]?["budget_msat"] == 200_000)
    }

    // MARK: 6. Refusals: 401 with a clear message, never 5xx

    @Test func forgedMacaroonsAreRefused() throws {
        let m = try MarketHarness()
        let paid = try Self.paidChallenge(m)
        let mac = paid.challenge.parsed.macaroon
        let pre = Hex.encode(paid.preimage)

        // Signature tampered.
        var tampered = mac
        tampered.signature[0] ^= 0x01
        Self.expect401(Self.post(m, authorization: "L402 \(tampered.base64()):\(pre)"), "invalid_credential", "tampered signature")

        // Same identifier and caveats, minted under a wrong root key.
        let id = try mac.l402Identifier()
        let wrongKey = Macaroon.l402(rootKey: Array(repeating: 7, count: 32), identifier: id, location: mac.location, caveats: [
            .services([L402Service(name: "prooflayer", tier: 0)]),
            .budgetSats(service: "prooflayer", 100),
            .validUntil(service: "prooflayer", unixTime: MarketHarness.start.seconds + 3600),
        ])
        let r = Self.post(m, authorization: "L402 \(wrongKey.base64()):\(pre)")
        Self.expect401(r, "invalid_credential", "wrong root key")
        #expect(r.json["error"]?["message"]?.stringValue?.contains("signature") == true)

        // A caveat edited in place (budget raised) breaks the chain.
        var edited = mac
        edited.caveats[1] = Macaroon.Caveat(identifier: Array("prooflayer_budget_sats=200".utf8))
        Self.expect401(Self.post(m, budget: 200, authorization: "L402 \(edited.base64()):\(pre)"), "invalid_credential", "edited caveat")

        // A caveat dropped breaks the chain too.
        var dropped = mac
        dropped.caveats.removeLast()
        Self.expect401(Self.post(m, authorization: "L402 \(dropped.base64()):\(pre)"), "invalid_credential", "dropped caveat")

        // Attenuation that widens the budget is refused even though the chain verifies.
        let widened = mac.adding(firstPartyCaveat: "prooflayer_budget_sats=200")
        Self.expect401(Self.post(m, budget: 200, authorization: "L402 \(widened.base64()):\(pre)"), "invalid_credential", "widened budget")

        // A macaroon whose identifier is not an L402 identifier.
        let plain = Macaroon(rootKey: Array(repeating: 1, count: 32), identifier: "hello", location: "x")
        Self.expect401(Self.post(m, authorization: "L402 \(plain.base64()):\(pre)"), "invalid_credential", "not an L402 id")

        // The untouched credential still works afterwards: the refusals spent nothing.
        #expect(Self.post(m, authorization: paid.authorization).status == 201)
    }

    @Test func preimagesThatDoNotProvePaymentAreRefused() throws {
        let m = try MarketHarness()
        let paid = try Self.paidChallenge(m)
        let mac = paid.challenge.macaroonBase64
        let random = SeededRandom(seed: 99).bytes(32)

        let wrong = Self.post(m, authorization: "L402 \(mac):\(Hex.encode(random))")
        Self.expect401(wrong, "invalid_credential", "random preimage")
        #expect(wrong.json["error"]?["message"]?.stringValue?.contains("preimage") == true)

        // The payment hash itself is not the preimage.
        Self.expect401(Self.post(m, authorization: "L402 \(mac):\(Hex.encode(paid.challenge.paymentHash))"), "invalid_credential", "hash as preimage")

        let notHex = Self.post(m, authorization: "L402 \(mac):" + String(repeating: "zz", count: 32))
        Self.expect401(notHex, "invalid_credential", "not hex")
        #expect(notHex.json["error"]?["message"]?.stringValue?.contains("hex") == true)

        let short = Self.post(m, authorization: "L402 \(mac):\(Hex.encode(paid.preimage.dropLast()))")
        Self.expect401(short, "invalid_credential", "31 bytes")
        #expect(short.json["error"]?["message"]?.stringValue?.contains("32 bytes") == true)
        Self.expect401(Self.post(m, authorization: "L402 \(mac):\(Hex.encode(paid.preimage + [0]))"), "invalid_credential", "33 bytes")
        Self.expect401(Self.post(m, authorization: "L402 \(mac):\(Hex.encode(paid.preimage).dropLast())"), "invalid_credential", "odd hex")

        #expect(Self.post(m, authorization: paid.authorization).status == 201)
    }

    @Test func expiredCredentialIsRefused() throws {
        let m = try MarketHarness()
        let paid = try Self.paidChallenge(m)
        m.clock.advance(milliseconds: 3_600_000) // exactly the challenge TTL: valid while now < valid_until
        let r = Self.post(m, authorization: paid.authorization)
        Self.expect401(r, "credential_expired")
        #expect(r.json["error"]?["message"]?.stringValue?.contains("expired") == true)
        m.clock.advance(milliseconds: 86_400_000)
        Self.expect401(Self.post(m, authorization: paid.authorization), "credential_expired")

        // An invoice that expired unpaid can no longer be paid.
        let m2 = try MarketHarness()
        let c = try Self.challenge(m2)
        m2.clock.advance(milliseconds: 3_600_001)
        let late = Self.pay(m2, c.parsed.invoice)
        #expect(late.status == 409)
        #expect(late.json["error"]?["code"] == "invoice_expired")
    }

    @Test func credentialPaidForAnotherBudgetIsRefused() throws {
        let m = try MarketHarness()
        let paid = try Self.paidChallenge(m, budget: 100)
        let r = Self.post(m, budget: 200, authorization: paid.authorization)
        Self.expect401(r, "budget_mismatch")
        #expect(r.json["error"]?["message"]?.stringValue?.contains("100 sats") == true)
        Self.expect401(Self.post(m, budget: 50, authorization: paid.authorization), "budget_mismatch")

        // A client narrowing its own budget caveat is honoured: it no longer matches the 100-sat request.
        let narrowed = paid.challenge.parsed.macaroon.adding(firstPartyCaveat: "prooflayer_budget_sats=50")
        Self.expect401(Self.post(m, authorization: "L402 \(narrowed.base64()):\(Hex.encode(paid.preimage))"), "budget_mismatch")

        // None of that spent the token.
        #expect(Self.post(m, budget: 100, authorization: paid.authorization).status == 201)
    }

    @Test func unpaidInvoiceIsRefusedEvenWithTheRightPreimage() throws {
        // A tap on the node's generator lets the test learn a preimage the client could only get by paying.
        let tap = TappedRandom(seed: 7)
        let m = try MarketHarness(nodeRandom: tap)
        let c = try Self.challenge(m)
        let preimage = try #require(tap.preimage(of: c.paymentHash))
        let header = "L402 \(c.macaroonBase64):\(Hex.encode(preimage))"
        let r = Self.post(m, authorization: header)
        Self.expect401(r, "invoice_unpaid")
        #expect(Self.feedIDs(m).isEmpty)

        // Once the invoice is paid, the same credential works.
        #expect(Self.pay(m, c.parsed.invoice).status == 200)
        #expect(Self.post(m, authorization: header).status == 201)

        // A correctly signed macaroon (the master key leaked) for a hash this node never invoiced: 401, not a task.
        let guessed = SeededRandom(seed: 5).bytes(32)
        let tokenID = SeededRandom(seed: 6).bytes(32)
        let id = try L402Identifier(paymentHash: Hash.sha256(guessed), tokenId: tokenID)
        let forged = Macaroon.l402(rootKey: m.router.gate.rootKey(tokenID: tokenID), identifier: id, location: "prooflayer.sim", caveats: [
            .services([L402Service(name: "prooflayer", tier: 0)]),
            .budgetSats(service: "prooflayer", 100),
            .validUntil(service: "prooflayer", unixTime: MarketHarness.start.seconds + 3600),
        ])
        Self.expect401(Self.post(m, body: Self.body(title: "forged"), authorization: "L402 \(forged.base64()):\(Hex.encode(guessed))"), "unknown_token")
        #expect(Self.feedIDs(m).count == 1)
    }

    @Test func credentialFromAnotherMarketIsRefused() throws {
        let m = try MarketHarness(seed: 7)
        let other = try MarketHarness(seed: 8)
        let foreign = try Self.paidChallenge(other)
        #expect(m.router.gate.rootKey(tokenID: [0]) != other.router.gate.rootKey(tokenID: [0]))
        Self.expect401(Self.post(m, authorization: foreign.authorization), nil, "foreign credential")
        // And the other way round.
        let local = try Self.paidChallenge(m)
        Self.expect401(Self.post(other, authorization: local.authorization), nil, "foreign credential")
        #expect(Self.feedIDs(m).isEmpty)
        #expect(Self.feedIDs(other).isEmpty)
    }

    @Test func garbageAuthorizationValuesGet401NeverA5xx() throws {
        let m = try MarketHarness()
        let paid = try Self.paidChallenge(m)
        let mac = paid.challenge.macaroonBase64
        let pre = Hex.encode(paid.preimage)
        let garbage = [
            "Bearer abc", "Basic dXNlcjpwYXNz", "L402", "LSAT", "L402 ", "L402 abc", "L402 :", "L402 abc:", "L402 :\(pre)",
            "L402 !!!!:\(pre)", "L402 \(mac)", "L402 \(mac):", "L402 \(mac):\(pre):extra", "L402 \(mac) :\(pre) x",
            "L402 \(mac.dropLast(10)):\(pre)", "L402 AAAA:\(pre)", "L402 \(String(repeating: "A", count: 20_000)):\(pre)",
            "L402 macaroon=\"\(mac)\", invoice=\"\(paid.challenge.parsed.invoice)\"", "L402 \(paid.challenge.parsed.invoice):\(pre)",
            "L402 sim_token:wrong", "L402 wrong:sim_valid_preimage", "L402 sim_token", "\(mac):\(pre)", "L402\t\(mac)\t:\t\(pre)x",
            "L402 \u{00e9}\u{1F600}:\(pre)", "L402 \(mac):\(pre)\u{0000}", "L402 \(Hex.encode(Array(repeating: UInt8(0), count: 40))):\(pre)",
        ]
        for value in garbage {
            let r = Self.post(m, authorization: value)
            #expect(r.status == 401, "\(value.prefix(80)): \(r.json)")
            #expect(r.json["error"]?["code"]?.stringValue != nil, "\(value.prefix(80))")
            #expect((r.json["error"]?["message"]?.stringValue?.count ?? 0) > 10, "\(value.prefix(80))")
        }
        // Garbage on release/reject is also a 401.
        let task = try m.createTask(trust: "review")
        for value in garbage.prefix(8) {
            #expect(m.call("POST", "/api/tasks/\(task)/release", headers: [("Authorization", value)]).status == 401)
            #expect(m.call("POST", "/api/tasks/\(task)/reject", headers: [("Authorization", value)]).status == 401)
        }
        // A blank header is no credential at all: the client is asked to pay.
        #expect(Self.post(m, authorization: "   ").status == 402)
        #expect(Self.feedIDs(m) == [task])
    }

    // MARK: 7. Strict mode

    @Test func strictModeAcceptsOnlyRealCredentials() throws {
        let m = try MarketHarness(mode: .strict)
        let sim = Self.post(m, authorization: "L402 sim_token:sim_valid_preimage")
        Self.expect401(sim, "invalid_credential")
        #expect(sim.json["error"]?["message"]?.stringValue?.contains("demo mode") == true)

        let c = try Self.challenge(m)
        let noWallet = Self.pay(m, c.parsed.invoice)
        #expect(noWallet.status == 422)
        #expect(noWallet.json["error"]?["field"] == "wallet_id")
        #expect(noWallet.json["error"]?["message"]?.stringValue?.contains("wallet_id") == true)

        let walletID = try Self.wallet(m, sats: 300)
        let p = Self.pay(m, c.parsed.invoice, wallet: walletID)
        #expect(p.status == 200)
        let preimage = try #require(p.json["preimage"]?.stringValue)
        let r = Self.post(m, authorization: "L402 \(c.macaroonBase64):\(preimage)")
        #expect(r.status == 201, "\(r.json)")
        #expect(r.json["task"]?["payment"]?["method"] == "l402")
        #expect(m.call("GET", "/sim/lightning/wallets/\(walletID)").json["wallet"]?["balance_msat"] == 200_000)
        // The sim token cannot release in strict mode either.
        let id = try #require(r.json["task"]?["id"]?.stringValue)
        #expect(m.call("POST", "/api/tasks/\(id)/release", headers: [("Authorization", "L402 sim_token:sim_valid_preimage")]).status == 401)
    }

    // MARK: 8. Review mode: only the creating credential releases or rejects

    @Test func reviewTaskNeedsTheCreatingCredential() throws {
        let m = try MarketHarness()
        let worker = try m.registerWorker()
        let owner = try Self.paidChallenge(m, body: Self.body(trust: "review"))
        let created = Self.post(m, body: Self.body(trust: "review"), authorization: owner.authorization)
        #expect(created.status == 201)
        let task = try #require(created.json["task"]?["id"]?.stringValue)
        let stranger = try Self.paidChallenge(m, body: Self.body(title: "stranger", trust: "review"))
        #expect(Self.post(m, body: Self.body(title: "stranger", trust: "review"), authorization: stranger.authorization).status == 201)
        let strangerUnspent = try Self.paidChallenge(m, body: Self.body(title: "unspent"))

        #expect(try m.claimAndSubmit(task: task, worker: worker).json["task"]?["status"] == "submitted")
        for auth in [stranger.authorization, strangerUnspent.authorization, "L402 sim_token:sim_valid_preimage"] {
            let release = m.call("POST", "/api/tasks/\(task)/release", headers: [("Authorization", auth)])
            Self.expect401(release, "requester_credential_required", "release")
            Self.expect401(m.call("POST", "/api/tasks/\(task)/reject", body: ["reason": "no"], headers: [("Authorization", auth)]),
                           "requester_credential_required", "reject")
        }
        Self.expect401(m.call("POST", "/api/tasks/\(task)/release"), "requester_credential_required", "no credential")
        #expect(m.call("GET", "/api/tasks/\(task)").json["task"]?["status"] == "submitted")

        // The owner rejects; the task reopens and the worker takes the penalty.
        let reject = m.call("POST", "/api/tasks/\(task)/reject", body: ["reason": "no proof"], headers: [("Authorization", owner.authorization)])
        #expect(reject.status == 200, "\(reject.json)")
        #expect(reject.json["task"]?["status"] == "open")

        // The owner (LSAT spelling of the same credential) releases the second submission.
        #expect(try m.claimAndSubmit(task: task, worker: worker).status == 200)
        let lsat = "LSAT " + owner.authorization.dropFirst("L402 ".count)
        let release = m.call("POST", "/api/tasks/\(task)/release", headers: [("Authorization", lsat)])
        #expect(release.status == 200, "\(release.json)")
        #expect(release.json["task"]?["status"] == "completed")
        #expect(release.json["payout"]?["amount_msat"] == 70_000)
        // Idempotent: a repeat by the owner returns the same payout.
        let again = m.call("POST", "/api/tasks/\(task)/release", headers: [("Authorization", owner.authorization)])
        #expect(again.json["payout"]?["id"] == release.json["payout"]?["id"])
    }

    @Test func reviewRightsOutliveTheChallengeTTL() throws {
        let m = try MarketHarness()
        let worker = try m.registerWorker()
        let owner = try Self.paidChallenge(m, body: Self.body(trust: "review"))
        let task = try #require(Self.post(m, body: Self.body(trust: "review"), authorization: owner.authorization).json["task"]?["id"]?.stringValue)
        // The worker only gets to it after the 1 h challenge TTL; the task itself lives 24 h.
        m.clock.advance(milliseconds: 2 * 3_600_000)
        #expect(try m.claimAndSubmit(task: task, worker: worker).json["task"]?["status"] == "submitted")
        let stranger = try Self.paidChallenge(m, body: Self.body(title: "stranger"))
        Self.expect401(m.call("POST", "/api/tasks/\(task)/reject", headers: [("Authorization", stranger.authorization)]),
                       "requester_credential_required")
        let reject = m.call("POST", "/api/tasks/\(task)/reject", body: ["reason": "wrong"], headers: [("Authorization", owner.authorization)])
        #expect(reject.status == 200, "\(reject.json)")
        #expect(reject.json["task"]?["status"] == "open")
        // But the spent, expired credential cannot buy another task: it gets a fresh challenge to pay.
        let late = Self.post(m, body: Self.body(title: "late", trust: "review"), authorization: owner.authorization)
        #expect(late.status == 402)
        #expect(late.json["error"]?["code"] == "token_spent")
    }
}

/// A seeded generator that remembers what it produced, so a test can find the preimage behind a payment hash
/// without paying (a client could never do this; it constructs the "preimage known, invoice unpaid" state).
final class TappedRandom: RandomSource {
    private let inner: SeededRandom
    private let log = Mutex<[UInt64]>([])

    init(seed: UInt64) { inner = SeededRandom(seed: seed, stream: "node") }

    func nextUInt64() -> UInt64 {
        let v = inner.nextUInt64()
        log.withLock { $0.append(v) }
        return v
    }

    /// The 32 generated bytes whose SHA-256 is `hash`, if the generator produced them.
    func preimage(of hash: [UInt8]) -> [UInt8]? {
        let words = log.withLock { $0 }
        guard words.count >= 4 else { return nil }
        for start in 0...(words.count - 4) {
            var bytes: [UInt8] = []
            for w in words[start..<start + 4] {
                var v = w
                for _ in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: v)); v >>= 8 }
            }
            if Hash.sha256(bytes) == hash { return bytes }
        }
        return nil
    }
}
