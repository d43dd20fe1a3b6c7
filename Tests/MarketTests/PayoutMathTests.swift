import Foundation
import Lightning
import Testing
@testable import Market

/// SPEC section 3: `worker = floor(budget * share * m / 10^12)` capped at the budget, platform keeps the rest.
@Suite struct PayoutMathTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var budgetMsat: Int64
        var score: Int64
        var policy: FeePolicy = .default
        var worker: Int64
        var platform: Int64
        var bonus: Bool
        var testDescription: String { name }
    }

    static let specExamples: [Case] = [
        Case(name: "100 sat, fresh worker -> 70/30", budgetMsat: 100_000, score: 0, worker: 70_000, platform: 30_000, bonus: false),
        Case(name: "100 sat, score 10 (not above threshold) -> 70/30", budgetMsat: 100_000, score: 10, worker: 70_000, platform: 30_000, bonus: false),
        Case(name: "100 sat, eligible -> 77/23", budgetMsat: 100_000, score: 11, worker: 77_000, platform: 23_000, bonus: true),
        Case(name: "1 sat, eligible -> 770/230 msat", budgetMsat: 1_000, score: 11, worker: 770, platform: 230, bonus: true),
        Case(name: "1 sat, fresh -> 700/300 msat", budgetMsat: 1_000, score: 0, worker: 700, platform: 300, bonus: false),
    ]

    static let flooring: [Case] = [
        Case(name: "1 msat floors to 0 for the worker", budgetMsat: 1, score: 0, worker: 0, platform: 1, bonus: false),
        Case(name: "1 msat eligible floors to 0", budgetMsat: 1, score: 50, worker: 0, platform: 1, bonus: true),
        Case(name: "2 msat -> 1.4 floors to 1", budgetMsat: 2, score: 0, worker: 1, platform: 1, bonus: false),
        Case(name: "3 msat -> 2.1 floors to 2", budgetMsat: 3, score: 0, worker: 2, platform: 1, bonus: false),
        Case(name: "999 msat -> 699.3", budgetMsat: 999, score: 0, worker: 699, platform: 300, bonus: false),
        Case(name: "999 msat eligible -> 769.23", budgetMsat: 999, score: 11, worker: 769, platform: 230, bonus: true),
        Case(name: "12345 msat -> 8641.5", budgetMsat: 12_345, score: 3, worker: 8_641, platform: 3_704, bonus: false),
        Case(name: "12345 msat eligible -> 9505.65", budgetMsat: 12_345, score: 99, worker: 9_505, platform: 2_840, bonus: true),
        Case(name: "1429 msat eligible -> 1100.33", budgetMsat: 1_429, score: 12, worker: 1_100, platform: 329, bonus: true),
    ]

    static let large: [Case] = [
        Case(name: "21 million BTC", budgetMsat: 2_100_000_000_000_000_000, score: 0,
             worker: 1_470_000_000_000_000_000, platform: 630_000_000_000_000_000, bonus: false),
        Case(name: "21 million BTC eligible", budgetMsat: 2_100_000_000_000_000_000, score: 11,
             worker: 1_617_000_000_000_000_000, platform: 483_000_000_000_000_000, bonus: true),
        Case(name: "21 million BTC, share 1, multiplier 10: capped", budgetMsat: 2_100_000_000_000_000_000, score: 11,
             policy: FeePolicy(workerSharePPM: 1_000_000, bonusMultiplierPPM: 10_000_000, bonusThreshold: 10),
             worker: 2_100_000_000_000_000_000, platform: 0, bonus: true),
        Case(name: "Int64.max msat", budgetMsat: Int64.max, score: 0,
             worker: 6_456_360_425_798_343_064, platform: Int64.max - 6_456_360_425_798_343_064, bonus: false),
        Case(name: "Int64.max msat, multiplier 10: capped", budgetMsat: Int64.max, score: 11,
             policy: FeePolicy(workerSharePPM: 700_000, bonusMultiplierPPM: 10_000_000, bonusThreshold: 10),
             worker: Int64.max, platform: 0, bonus: true),
    ]

    static let custom: [Case] = [
        Case(name: "share 0.6", budgetMsat: 100_000, score: 0,
             policy: FeePolicy(workerSharePPM: 600_000, bonusMultiplierPPM: 1_100_000, bonusThreshold: 10),
             worker: 60_000, platform: 40_000, bonus: false),
        Case(name: "share 0.8, multiplier 1.2, eligible", budgetMsat: 100_000, score: 11,
             policy: FeePolicy(workerSharePPM: 800_000, bonusMultiplierPPM: 1_200_000, bonusThreshold: 10),
             worker: 96_000, platform: 4_000, bonus: true),
        Case(name: "multiplier 1.0: eligible but no extra", budgetMsat: 100_000, score: 11,
             policy: FeePolicy(workerSharePPM: 700_000, bonusMultiplierPPM: 1_000_000, bonusThreshold: 10),
             worker: 70_000, platform: 30_000, bonus: true),
        Case(name: "multiplier 1.2", budgetMsat: 100_000, score: 11,
             policy: FeePolicy(workerSharePPM: 700_000, bonusMultiplierPPM: 1_200_000, bonusThreshold: 10),
             worker: 84_000, platform: 16_000, bonus: true),
        Case(name: "multiplier 10 caps at the budget", budgetMsat: 100_000, score: 11,
             policy: FeePolicy(workerSharePPM: 700_000, bonusMultiplierPPM: 10_000_000, bonusThreshold: 10),
             worker: 100_000, platform: 0, bonus: true),
        Case(name: "multiplier 10, share 0.05: 50%", budgetMsat: 100_000, score: 11,
             policy: FeePolicy(workerSharePPM: 50_000, bonusMultiplierPPM: 10_000_000, bonusThreshold: 10),
             worker: 50_000, platform: 50_000, bonus: true),
        Case(name: "share 1.0, multiplier 1.1 capped at the budget", budgetMsat: 100_000, score: 11,
             policy: FeePolicy(workerSharePPM: 1_000_000, bonusMultiplierPPM: 1_100_000, bonusThreshold: 10),
             worker: 100_000, platform: 0, bonus: true),
        Case(name: "share 1.0 without bonus: whole budget", budgetMsat: 100_000, score: 0,
             policy: FeePolicy(workerSharePPM: 1_000_000, bonusMultiplierPPM: 1_100_000, bonusThreshold: 10),
             worker: 100_000, platform: 0, bonus: false),
        Case(name: "share 0: platform keeps everything", budgetMsat: 100_000, score: 11,
             policy: FeePolicy(workerSharePPM: 0, bonusMultiplierPPM: 1_100_000, bonusThreshold: 10),
             worker: 0, platform: 100_000, bonus: true),
        Case(name: "threshold 0, score 0: no bonus", budgetMsat: 100_000, score: 0,
             policy: FeePolicy(workerSharePPM: 700_000, bonusMultiplierPPM: 1_100_000, bonusThreshold: 0),
             worker: 70_000, platform: 30_000, bonus: false),
        Case(name: "threshold 0, score 1: bonus", budgetMsat: 100_000, score: 1,
             policy: FeePolicy(workerSharePPM: 700_000, bonusMultiplierPPM: 1_100_000, bonusThreshold: 0),
             worker: 77_000, platform: 23_000, bonus: true),
        Case(name: "threshold 5, score 5: no bonus", budgetMsat: 100_000, score: 5,
             policy: FeePolicy(workerSharePPM: 700_000, bonusMultiplierPPM: 1_100_000, bonusThreshold: 5),
             worker: 70_000, platform: 30_000, bonus: false),
        Case(name: "threshold 5, score 6: bonus", budgetMsat: 100_000, score: 6,
             policy: FeePolicy(workerSharePPM: 700_000, bonusMultiplierPPM: 1_100_000, bonusThreshold: 5),
             worker: 77_000, platform: 23_000, bonus: true),
        Case(name: "threshold 20, score 20: no bonus", budgetMsat: 100_000, score: 20,
             policy: FeePolicy(workerSharePPM: 700_000, bonusMultiplierPPM: 1_100_000, bonusThreshold: 20),
             worker: 70_000, platform: 30_000, bonus: false),
        Case(name: "threshold 20, score 21: bonus", budgetMsat: 100_000, score: 21,
             policy: FeePolicy(workerSharePPM: 700_000, bonusMultiplierPPM: 1_100_000, bonusThreshold: 20),
             worker: 77_000, platform: 23_000, bonus: true),
    ]

    @Test(arguments: specExamples + flooring + large + custom)
    func splitMatchesTheSpecTable(_ c: Case) {
        let s = PayoutMath.split(budget: MilliSats(c.budgetMsat), scoreBeforeTask: c.score, policy: c.policy)
        #expect(s.workerPayout.rawValue == c.worker)
        #expect(s.platformFee.rawValue == c.platform)
        #expect(s.bonusApplied == c.bonus)
        #expect(s.budget.rawValue == c.budgetMsat)
        #expect(s.multiplierPPM == (c.bonus ? c.policy.bonusMultiplierPPM : 1_000_000))
        // worker + platform == budget, computed without overflow.
        let (sum, overflow) = s.workerPayout.rawValue.addingReportingOverflow(s.platformFee.rawValue)
        #expect(!overflow && sum == c.budgetMsat)
    }

    /// The threshold is strict: a score equal to it earns nothing extra, one more earns the bonus.
    @Test(arguments: [0, 1, 5, 10, 20, 1_000] as [Int64])
    func bonusThresholdIsStrict(_ threshold: Int64) {
        let policy = FeePolicy(workerSharePPM: 700_000, bonusMultiplierPPM: 1_100_000, bonusThreshold: threshold)
        #expect(!PayoutMath.isBonusEligible(score: threshold, policy: policy))
        #expect(PayoutMath.isBonusEligible(score: threshold + 1, policy: policy))
        if threshold > 0 { #expect(!PayoutMath.isBonusEligible(score: threshold - 1, policy: policy)) }
        let at = PayoutMath.split(budget: MilliSats(100_000), scoreBeforeTask: threshold, policy: policy)
        let above = PayoutMath.split(budget: MilliSats(100_000), scoreBeforeTask: threshold + 1, policy: policy)
        #expect(at.workerPayout.rawValue == 70_000 && !at.bonusApplied)
        #expect(above.workerPayout.rawValue == 77_000 && above.bonusApplied)
    }

    struct PolicyCase: Sendable, CustomTestStringConvertible {
        var share: Double
        var multiplier: Double
        var threshold: Int64
        var field: String
        var testDescription: String { "share \(share), multiplier \(multiplier), threshold \(threshold) -> \(field)" }
    }

    @Test(arguments: [
        PolicyCase(share: 1.5, multiplier: 1.1, threshold: 10, field: "worker_share"),
        PolicyCase(share: -0.1, multiplier: 1.1, threshold: 10, field: "worker_share"),
        PolicyCase(share: .nan, multiplier: 1.1, threshold: 10, field: "worker_share"),
        PolicyCase(share: .infinity, multiplier: 1.1, threshold: 10, field: "worker_share"),
        PolicyCase(share: 0.7, multiplier: 0.9, threshold: 10, field: "bonus_multiplier"),
        PolicyCase(share: 0.7, multiplier: 10.5, threshold: 10, field: "bonus_multiplier"),
        PolicyCase(share: 0.7, multiplier: .nan, threshold: 10, field: "bonus_multiplier"),
        PolicyCase(share: 0.7, multiplier: -.infinity, threshold: 10, field: "bonus_multiplier"),
        PolicyCase(share: 0.7, multiplier: 1.1, threshold: -1, field: "bonus_threshold"),
    ])
    func invalidFeePolicyNamesTheField(_ c: PolicyCase) {
        do {
            _ = try FeePolicy(workerShare: c.share, bonusMultiplier: c.multiplier, bonusThreshold: c.threshold)
            Issue.record("policy \(c.testDescription) was accepted")
        } catch {
            #expect(error.field == c.field)
            #expect(error.description.hasPrefix(c.field + ":"))
            #expect(!error.reason.isEmpty)
        }
    }

    @Test func validFeePolicyRoundsDecimalsToPPM() throws {
        let p = try FeePolicy(workerShare: 0.7, bonusMultiplier: 1.1, bonusThreshold: 10)
        #expect(p == .default)
        let q = try FeePolicy(workerShare: 1, bonusMultiplier: 10, bonusThreshold: 0)
        #expect(q.workerSharePPM == 1_000_000 && q.bonusMultiplierPPM == 10_000_000)
        let r = try FeePolicy(workerShare: 0.1234567, bonusMultiplier: 1.0000004, bonusThreshold: 3)
        #expect(r.workerSharePPM == 123_457 && r.bonusMultiplierPPM == 1_000_000)
    }

    @Test(arguments: [
        (FeePolicy(workerSharePPM: 1_000_001, bonusMultiplierPPM: 1_100_000, bonusThreshold: 10), "worker_share"),
        (FeePolicy(workerSharePPM: -1, bonusMultiplierPPM: 1_100_000, bonusThreshold: 10), "worker_share"),
        (FeePolicy(workerSharePPM: 700_000, bonusMultiplierPPM: 999_999, bonusThreshold: 10), "bonus_multiplier"),
        (FeePolicy(workerSharePPM: 700_000, bonusMultiplierPPM: 10_000_001, bonusThreshold: 10), "bonus_multiplier"),
        (FeePolicy(workerSharePPM: 700_000, bonusMultiplierPPM: 1_100_000, bonusThreshold: Int64.min), "bonus_threshold"),
    ])
    func invalidPPMPolicyIsRefusedByValidateAndByTheService(_ policy: FeePolicy, _ field: String) throws {
        #expect(throws: FeePolicyError.self) { try policy.validate() }
        do { try policy.validate() } catch { #expect(error.field == field) }
        #expect(throws: FeePolicyError.self) {
            _ = try MarketHarness { $0.fees = policy }
        }
    }

    // MARK: Property: the split equals an independent Decimal computation

    /// floor(budget * share * m / 10^12) capped at the budget, in Foundation's Decimal (38 significant digits,
    /// exact for these magnitudes), a different arithmetic from the UInt128 one under test.
    static func referenceWorker(budget: Int64, share: Int64, multiplier: Int64) -> Int64 {
        var product = Decimal(budget) * Decimal(share) * Decimal(multiplier)
        var quotient = Decimal()
        var divisor = Decimal(sign: .plus, exponent: 12, significand: 1)
        // A Decimal error (precision loss) yields -1, which no split can equal.
        guard NSDecimalDivide(&quotient, &product, &divisor, .down) == .noError else { return -1 }
        var floored = Decimal()
        NSDecimalRound(&floored, &quotient, 0, .down)
        let capped = min(floored, Decimal(budget))
        return NSDecimalNumber(decimal: capped).int64Value
    }

    @Test func referenceComputationAgreesWithTheSpecExamples() {
        #expect(Self.referenceWorker(budget: 100_000, share: 700_000, multiplier: 1_100_000) == 77_000)
        #expect(Self.referenceWorker(budget: 999, share: 700_000, multiplier: 1_100_000) == 769)
        #expect(Self.referenceWorker(budget: 2_100_000_000_000_000_000, share: 700_000, multiplier: 1_100_000) == 1_617_000_000_000_000_000)
    }

    @Test func splitAlwaysAddsUpAndMatchesAnIndependentComputation() {
        let random = SeededRandom(seed: 0x5EED_0001)
        var bonusCases = 0, cappedCases = 0
        for i in 0..<5_000 {
            // Budgets spread over every magnitude from 1 msat to 21 million BTC.
            let digits = Int(random.uniform(19)) + 1
            let raw = random.uniform(UInt64(pow(10.0, Double(digits)))) + 1
            var budget = Int64(min(raw, UInt64(MilliSats.maxSupply.rawValue)))
            if i % 97 == 0 { budget = MilliSats.maxSupply.rawValue }
            let share = i % 13 == 0 ? 1_000_000 : Int64(random.uniform(1_000_001))
            let multiplier = i % 17 == 0 ? 10_000_000 : 1_000_000 + Int64(random.uniform(9_000_001))
            let threshold = Int64(random.uniform(25))
            let score = Int64(random.uniform(30))
            let policy = FeePolicy(workerSharePPM: share, bonusMultiplierPPM: multiplier, bonusThreshold: threshold)
            let s = PayoutMath.split(budget: MilliSats(budget), scoreBeforeTask: score, policy: policy)
            let eligible = score > threshold
            let expected = Self.referenceWorker(budget: budget, share: share, multiplier: eligible ? multiplier : 1_000_000)
            #expect(s.workerPayout.rawValue == expected, "budget \(budget) share \(share) m \(multiplier) score \(score) threshold \(threshold)")
            #expect(s.workerPayout.rawValue + s.platformFee.rawValue == budget)
            #expect(s.workerPayout.rawValue >= 0 && s.workerPayout.rawValue <= budget)
            #expect(s.platformFee.rawValue >= 0)
            #expect(s.bonusApplied == eligible)
            if eligible { bonusCases += 1 }
            if s.platformFee == .zero && budget > 0 { cappedCases += 1 }
        }
        // The generator must actually reach both sides of the threshold and the cap.
        #expect(bonusCases > 500)
        #expect(cappedCases > 50)
    }

    /// More budget never pays the worker less (monotone in the budget).
    @Test func payoutIsMonotoneInTheBudget() {
        for policy in [FeePolicy.default, FeePolicy(workerSharePPM: 333_333, bonusMultiplierPPM: 1_234_567, bonusThreshold: 2)] {
            for score: Int64 in [0, 11] {
                var previous: Int64 = -1
                var decreases: [Int64] = []
                for budget in Int64(1)...5_000 {
                    let w = PayoutMath.split(budget: MilliSats(budget), scoreBeforeTask: score, policy: policy).workerPayout.rawValue
                    if w < previous { decreases.append(budget) }
                    previous = w
                }
                #expect(decreases.isEmpty)
                #expect(previous > 0)
            }
        }
    }
}
