import Foundation
import Testing
@testable import Lightning

/// Lightning addresses (LUD-16) resolved through LNURL-pay (LUD-06) inside the simulated network.
@Suite struct NetworkLNURLTests {
    static func network(policy: LightningAddressPolicy = .registeredOnly) throws -> SimulatedNetwork {
        var spec = NetworkSpec.singleLSP()
        spec.addressPolicy = policy
        return try TestGraphs.network(spec)
    }

    @Test func aRegisteredAddressResolvesToItsWalletAndThePayoutArrives() throws {
        let net = try Self.network()
        let wallet = try net.createWallet(forAddress: "Alice@GetAlby.com")
        #expect(net.wallet(forAddress: "alice@getalby.com") == wallet)
        let pr = try net.requestInvoice(lightningAddress: "alice@getalby.com", amount: MilliSats(70_000), comment: "payout for tsk_1")
        let invoice = try Bolt11.decode(pr)
        #expect(invoice.amount == MilliSats(70_000))
        #expect(invoice.descriptionHash == Hash.sha256(Array(SimulatedNetwork.metadata(for: "alice@getalby.com").utf8)))
        #expect(invoice.payeePublicKey == net.nodePublicKey(wallet.rawValue))
        #expect(invoice.payeePublicKey != net.platformNodeKey)
        let r = try net.payFromPlatform(invoice: pr, maxFee: MilliSats(1_350))
        #expect(r.status == .succeeded)
        #expect(net.balance(of: wallet) == MilliSats(70_000))
    }

    @Test func theWellKnownEndpointAnswersAPayRequest() throws {
        let net = try Self.network()
        try net.createWallet(forAddress: "bob@sim.test", options: LightningAddressOptions(minSendable: MilliSats(2_000), maxSendable: MilliSats(9_000_000), commentAllowed: 64))
        let r = net.serveLNURL("https://sim.test/.well-known/lnurlp/bob")
        #expect(r.status == 200)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.body.utf8)) as? [String: Any])
        #expect(json["tag"] as? String == "payRequest")
        #expect(json["callback"] as? String == "https://sim.test/lnurlp/callback/bob")
        #expect(SimulatedNetwork.integer(json["minSendable"]) == 2_000)
        #expect(SimulatedNetwork.integer(json["maxSendable"]) == 9_000_000)
        #expect(SimulatedNetwork.integer(json["commentAllowed"]) == 64)
        let metadata = try #require(json["metadata"] as? String)
        #expect(metadata == #"[["text/plain","Payment to bob@sim.test"],["text/identifier","bob@sim.test"]]"#)
        let cb = net.serveLNURL("https://sim.test/lnurlp/callback/bob?amount=5000&comment=hi%20there")
        #expect(cb.status == 200)
        #expect(cb.body.hasPrefix("{\"pr\":\"lnbcrt50n1"))
        #expect(net.serveLNURL("https://sim.test/lnurlp/callback/bob").status == 400)
        #expect(net.serveLNURL("https://sim.test/lnurlp/callback/bob?amount=1000").body.contains("outside 2000...9000000"))
        #expect(net.serveLNURL("https://sim.test/somewhere").status == 404)
        #expect(net.serveLNURL("http://sim.test/.well-known/lnurlp/bob").status == 400)
    }

    @Test func anUnknownAddressIsRefused() throws {
        let net = try Self.network()
        #expect(throws: LightningError.self) { try net.requestInvoice(lightningAddress: "nobody@sim.test", amount: MilliSats(1_000), comment: "") }
        do {
            _ = try net.requestInvoice(lightningAddress: "nobody@sim.test", amount: MilliSats(1_000), comment: "")
        } catch {
            #expect(error.code == .unknownAddress)
            #expect(error.message.contains("nobody registered it"), "\(error.message)")
        }
        #expect(net.wallet(forAddress: "nobody@sim.test") == nil, "unlike the minimal node, nothing is created")
        for bad in ["", "no-at-sign", "@sim.test", "bob@", "a@b@c", "bo b@sim.test"] {
            #expect(throws: LightningError.self, "\(bad)") { try net.requestInvoice(lightningAddress: bad, amount: MilliSats(1_000), comment: "") }
        }
    }

    @Test func autoCreatePolicyGivesAnUnknownAddressAFreshWallet() throws {
        let net = try Self.network(policy: .autoCreateWallet(inbound: MilliSats(500_000)))
        let pr = try net.requestInvoice(lightningAddress: "carol@sim.test", amount: MilliSats(1_000), comment: "")
        let wallet = try #require(net.wallet(forAddress: "carol@sim.test"))
        #expect(net.inboundLiquidity(of: wallet) == MilliSats(500_000))
        #expect(try net.payFromPlatform(invoice: pr, maxFee: MilliSats(1_000)).status == .succeeded)
        #expect(net.balance(of: wallet) == MilliSats(1_000))
    }

    @Test func anAmountOutsideMinAndMaxSendableIsRefused() throws {
        let net = try Self.network()
        try net.createWallet(forAddress: "dan@sim.test", options: LightningAddressOptions(minSendable: MilliSats(10_000), maxSendable: MilliSats(20_000)))
        for amount in [MilliSats(9_999), MilliSats(20_001)] {
            do {
                _ = try net.requestInvoice(lightningAddress: "dan@sim.test", amount: amount, comment: "")
                Issue.record("\(amount) should be refused")
            } catch {
                #expect(error.code == .invalidAmount)
                #expect(error.message.contains("accepts 10000...20000 msat"), "\(error.message)")
            }
        }
        #expect(try Bolt11.decode(try net.requestInvoice(lightningAddress: "dan@sim.test", amount: MilliSats(10_000), comment: "")).amount == MilliSats(10_000))
    }

    @Test func anInvoiceForAnotherAmountIsRefused() throws {
        let net = try Self.network()
        try net.createWallet(forAddress: "eve@sim.test", options: LightningAddressOptions(behavior: .wrongAmount))
        do {
            _ = try net.requestInvoice(lightningAddress: "eve@sim.test", amount: MilliSats(70_000), comment: "")
            Issue.record("a mismatching invoice must be refused")
        } catch {
            #expect(error.code == .invalidInvoice)
            #expect(error.message.contains("is for 71000 msat, not the 70000 msat requested"), "\(error.message)")
        }
    }

    @Test func anInvoiceWhoseDescriptionHashIsNotTheMetadataHashIsRefused() throws {
        let net = try Self.network()
        try net.createWallet(forAddress: "mallory@sim.test", options: LightningAddressOptions(behavior: .wrongDescriptionHash))
        do {
            _ = try net.requestInvoice(lightningAddress: "mallory@sim.test", amount: MilliSats(70_000), comment: "")
            Issue.record("a mismatching invoice must be refused")
        } catch {
            #expect(error.code == .invalidInvoice)
            #expect(error.message.contains("description hash"), "\(error.message)")
        }
    }

    @Test func longCommentsAreCutToCommentAllowedAndOddCharactersEscaped() throws {
        let net = try Self.network()
        try net.createWallet(forAddress: "frank@sim.test", options: LightningAddressOptions(commentAllowed: 10))
        let pr = try net.requestInvoice(lightningAddress: "frank@sim.test", amount: MilliSats(1_000), comment: String(repeating: "ü&=", count: 50))
        #expect(try Bolt11.decode(pr).amount == MilliSats(1_000))
        #expect(net.serveLNURL("https://sim.test/lnurlp/callback/frank?amount=1000&comment=" + String(repeating: "x", count: 11)).status == 400)
        #expect(SimulatedNetwork.percentEncode("a b&ü") == "a%20b%26%C3%BC")
        #expect(SimulatedNetwork.jsonString("q\"\\\n\u{1}") == #""q\"\\\n\u0001""#)
    }

    @Test func registeringNeedsAKnownWalletAndAValidAddress() throws {
        let net = try Self.network()
        #expect(throws: LightningError.self) { try net.registerLightningAddress("x@sim.test", for: WalletID("wal_none")) }
        let w = net.createWallet(balance: .zero, inbound: MilliSats(1_000_000), role: .worker)
        #expect(throws: LightningError.self) { try net.registerLightningAddress("not an address", for: w) }
        try net.registerLightningAddress("grace@sim.test", for: w)
        #expect(net.wallet(forAddress: "GRACE@sim.test") == w)
    }
}
