import Foundation
import HTTPKit
import JSON
import Lightning
import Testing
@testable import Market

@Suite struct RefundTests {
    func createTask(_ m: MarketHarness, refundAddress: String?) throws -> String {
        var body = MarketHarness.seedTaskBody.objectValue ?? [:]
        if let refundAddress { body["refund_lightning_address"] = .string(refundAddress) }
        let r = m.call("POST", "/api/tasks?budget_sats=100", body: .object(body), headers: [MarketHarness.simAuth])
        #expect(r.status == 201, "\(r.json)")
        return try #require(r.json["task"]?["id"]?.stringValue)
    }

    @Test func expiredTaskWithARefundAddressIsPaidBackOverLightning() throws {
        let m = try MarketHarness()
        let id = try createTask(m, refundAddress: "agent@requesters.example.com")
        #expect(m.task(id)["refund_lightning_address"] == "agent@requesters.example.com")
        m.advance(minutes: 24 * 60)
        let t = m.task(id)
        #expect(t["status"] == "expired")
        #expect(t["refund"]?["status"] == "settled", "\(t)")
        #expect(t["refund"]?["amount_msat"] == 100_000)
        let wallet = try #require(m.node.wallet(forAddress: "agent@requesters.example.com"))
        #expect(m.node.balance(of: wallet) == MilliSats(100_000))
        let ledger = try MarketFigures.compute(m.service).ledger
        #expect(ledger.isBalanced)
        #expect(ledger.refunds == MilliSats(100_000))
    }

    @Test func expiredTaskWithoutARefundAddressKeepsTheRefundCredited() throws {
        let m = try MarketHarness()
        let id = try createTask(m, refundAddress: nil)
        m.advance(minutes: 24 * 60)
        #expect(m.task(id)["refund"]?["status"] == "credited")
        #expect(try MarketFigures.compute(m.service).ledger.isBalanced)
    }

    @Test func refundThePlatformCannotFundIsRetriedWithBackoffThenFailedAndStillCounted() throws {
        let m = try MarketHarness { $0.payoutMaxAttempts = 3 }
        // 1.5 BTC paid with the demo token (no money in) against the node's 1 BTC of platform liquidity.
        var body = MarketHarness.seedTaskBody.objectValue ?? [:]
        body["refund_lightning_address"] = "agent@requesters.example.com"
        body["budget_sats"] = 150_000_000
        let created = m.call("POST", "/api/tasks?budget_sats=150000000", body: .object(body), headers: [MarketHarness.simAuth])
        let id = try #require(created.json["task"]?["id"]?.stringValue)
        m.advance(minutes: 24 * 60)
        #expect(m.task(id)["refund"]?["status"] == "pending")
        #expect(m.task(id)["refund"]?["attempts"] == 1)
        m.advance(seconds: 1)        // first retry after 1 s
        #expect(m.task(id)["refund"]?["attempts"] == 2)
        m.advance(seconds: 1)        // the next one waits 2 s
        #expect(m.task(id)["refund"]?["attempts"] == 2)
        m.advance(seconds: 1)
        let r = m.task(id)["refund"]
        #expect(r?["status"] == "failed", "\(String(describing: r))")
        #expect(r?["attempts"] == 3)
        #expect(r?["failure_reason"]?.stringValue?.contains("liquidity") == true)
        let ledger = try MarketFigures.compute(m.service).ledger
        #expect(ledger.isBalanced)
        #expect(ledger.refunds == MilliSats(150_000_000_000))
    }

    @Test func refundAddressMustBeALightningAddress() throws {
        let m = try MarketHarness()
        var body = MarketHarness.seedTaskBody.objectValue ?? [:]
        body["refund_lightning_address"] = "not-an-address"
        let r = m.call("POST", "/api/tasks?budget_sats=100", body: .object(body), headers: [MarketHarness.simAuth])
        #expect(r.status == 422)
        #expect(r.json["error"]?["field"] == "refund_lightning_address")
    }
}
