import Foundation
import HTTPKit
import JSON
import Lightning
import Testing
@testable import Market

/// SPEC section 4: +1 per completion, -1 per abandoned claim, -2 per rejection, never below 0; tiers new 0-2,
/// trusted 3-10, expert above 10 (bonus-eligible).
@Suite struct ReputationTests {
    struct DeltaCase: Sendable, CustomTestStringConvertible {
        var event: ReputationEvent
        var before: Int64
        var after: Int64
        var testDescription: String { "\(event.rawValue): \(before) -> \(after)" }
    }

    @Test(arguments: [
        DeltaCase(event: .completed, before: 0, after: 1),
        DeltaCase(event: .completed, before: 10, after: 11),
        DeltaCase(event: .abandoned, before: 5, after: 4),
        DeltaCase(event: .abandoned, before: 1, after: 0),
        DeltaCase(event: .abandoned, before: 0, after: 0),
        DeltaCase(event: .rejected, before: 5, after: 3),
        DeltaCase(event: .rejected, before: 2, after: 0),
        DeltaCase(event: .rejected, before: 1, after: 0),
        DeltaCase(event: .rejected, before: 0, after: 0),
        DeltaCase(event: .completed, before: Int64.max, after: Int64.max),
    ])
    func defaultDeltasNeverGoBelowZero(_ c: DeltaCase) {
        #expect(ReputationRules.default.apply(c.event, to: c.before) == c.after)
    }

    @Test(arguments: [
        (0, Tier.new), (1, .new), (2, .new), (3, .trusted), (7, .trusted), (10, .trusted), (11, .expert), (500, .expert),
    ] as [(Int64, Tier)])
    func defaultTiers(_ score: Int64, _ tier: Tier) {
        #expect(ReputationRules.default.tier(of: score) == tier)
        // Expert and bonus eligibility coincide under the default rules.
        #expect((tier == .expert) == PayoutMath.isBonusEligible(score: score, policy: .default))
    }

    @Test func customRulesChangeDeltasFloorAndTiers() {
        let rules = ReputationRules(completedDelta: 2, abandonedDelta: -3, rejectedDelta: -5, floor: 1, trustedFrom: 5, expertAbove: 20)
        #expect(rules.apply(.completed, to: 1) == 3)
        #expect(rules.apply(.abandoned, to: 10) == 7)
        #expect(rules.apply(.abandoned, to: 2) == 1)
        #expect(rules.apply(.rejected, to: 4) == 1)
        #expect(rules.apply(.rejected, to: 100) == 95)
        #expect(rules.tier(of: 4) == .new)
        #expect(rules.tier(of: 5) == .trusted)
        #expect(rules.tier(of: 20) == .trusted)
        #expect(rules.tier(of: 21) == .expert)
        let harsh = ReputationRules(completedDelta: 1, abandonedDelta: Int64.min, rejectedDelta: -2, floor: 0, trustedFrom: 3, expertAbove: 10)
        #expect(harsh.apply(.abandoned, to: 5) == 0)
    }

    // MARK: Through the router

    /// Creates an auto-mode task, claims and submits it, and returns the payout the next request released.
    func complete(_ m: MarketHarness, worker: String, budget: Int64 = 100) throws -> JSONValue {
        let task = try m.createTask(budget: budget, trust: "auto")
        #expect(m.claim(task, by: worker).status == 200)
        #expect(m.submit(task, by: worker).status == 200)
        let release = m.call("POST", "/api/tasks/\(task)/release")
        #expect(release.status == 200)
        #expect(release.json["task"]?["status"] == "completed")
        return release.json["payout"] ?? .null
    }

    @Test func bonusStartsOnTwelfthCompletion() throws {
        let m = try MarketHarness()
        let worker = try m.registerWorker()
        let fresh = m.profile(worker)
        #expect(fresh["tier"] == "new" && fresh["bonus_eligible"] == false && fresh["payout_multiplier"] == 1)
        for n in Int64(1)...13 {
            let payout = try complete(m, worker: worker)
            let bonus = n >= 12
            #expect(payout["amount_msat"] == .int(bonus ? 77_000 : 70_000), "task \(n)")
            #expect(payout["platform_fee_msat"] == .int(bonus ? 23_000 : 30_000), "task \(n)")
            #expect(payout["bonus_applied"] == .bool(bonus), "task \(n)")
            #expect(payout["reputation_before"] == .int(n - 1), "task \(n)")
            #expect(payout["status"] == "settled")

            let p = m.profile(worker)
            #expect(p["reputation_score"] == .int(n))
            #expect(p["completed_jobs"] == .int(n))
            let tier = n <= 2 ? "new" : (n <= 10 ? "trusted" : "expert")
            #expect(p["tier"] == .string(tier), "after \(n) completions")
            #expect(p["bonus_eligible"] == .bool(n > 10), "after \(n) completions")
            #expect(p["payout_multiplier"] == (n > 10 ? .double(1.1) : .int(1)), "after \(n) completions")
        }
        let history = m.call("GET", "/api/workers/\(worker)/payouts")
        #expect(history.json["payouts"]?.arrayValue?.count == 13)
        #expect(history.json["total_earned_msat"] == .int(11 * 70_000 + 2 * 77_000))
        // The money actually reached the worker's Lightning address.
        let wallet = try #require(m.node.wallet(forAddress: "alice@getalby.com"))
        #expect(m.node.balance(of: wallet) == MilliSats(11 * 70_000 + 2 * 77_000))
    }

    @Test func abandonedClaimTakesAnExpertBackBelowTheBonus() throws {
        let m = try MarketHarness()
        let worker = try m.registerWorker()
        for _ in 0..<11 { _ = try complete(m, worker: worker) }
        #expect(m.profile(worker)["bonus_eligible"] == true)

        let task = try m.createTask(trust: "auto")
        #expect(m.claim(task, by: worker).status == 200)
        m.advance(minutes: 11)
        let p = m.profile(worker)
        #expect(p["reputation_score"] == 10)
        #expect(p["abandoned_claims"] == 1)
        #expect(p["tier"] == "trusted" && p["bonus_eligible"] == false && p["payout_multiplier"] == 1)
        // Score before is 10 (not above 10): no bonus; the one after is back at 11 -> bonus.
        #expect(try complete(m, worker: worker)["amount_msat"] == 70_000)
        #expect(try complete(m, worker: worker)["amount_msat"] == 77_000)
    }

    @Test func rejectionPenaltyFlooredAtZeroThroughTheRouter() throws {
        let m = try MarketHarness()
        let worker = try m.registerWorker()
        _ = try complete(m, worker: worker) // score 1
        let task = try m.createTask(trust: "review")
        #expect(m.claim(task, by: worker).status == 200)
        #expect(m.submit(task, by: worker).status == 200)
        let reject = m.call("POST", "/api/tasks/\(task)/reject", body: ["reason": "wrong"], headers: [MarketHarness.simAuth])
        #expect(reject.status == 200)
        let p = m.profile(worker)
        #expect(p["reputation_score"] == 0) // 1 - 2, floored
        #expect(p["rejected_submissions"] == 1)
        #expect(p["completed_jobs"] == 1)
    }

    @Test func customRulesAndThresholdApplyThroughTheRouter() throws {
        let m = try MarketHarness {
            $0.reputation = ReputationRules(completedDelta: 5, abandonedDelta: -1, rejectedDelta: -2, floor: 0, trustedFrom: 5, expertAbove: 12)
            $0.fees = FeePolicy(workerSharePPM: 600_000, bonusMultiplierPPM: 1_500_000, bonusThreshold: 12)
        }
        let worker = try m.registerWorker()
        // Scores before each task: 0, 5, 10, 15 -> only the fourth is above 12.
        let amounts = try (0..<4).map { _ in try complete(m, worker: worker)["amount_msat"] }
        #expect(amounts == [60_000, 60_000, 60_000, 90_000])
        let p = m.profile(worker)
        #expect(p["reputation_score"] == 20)
        #expect(p["tier"] == "expert")
        #expect(p["payout_multiplier"] == 1.5)
    }
}
