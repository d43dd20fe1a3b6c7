import JSON
import Lightning
import Market

/// `simrun payout`: the split of one budget, for economists and regression checks.
enum PayoutCommand {
    static let usage = """
        USAGE: simrun payout --budget-sats N --reputation S [--worker-share F] [--bonus-multiplier F] [--bonus-threshold N] [--json]
        """
    static let help = """
        OVERVIEW: Print how one task's budget splits between the worker and the platform (SPEC section 3).

        \(usage)

        OPTIONS:
          --budget-sats N        The task's budget in whole sats (1 to 2100000000000000).
          --budget-msat N        The budget in millisatoshis instead of sats.
          --reputation S         The worker's score before this task's increment (0 or more).
          --worker-share F       The worker's share, 0 to 1 (default 0.70).
          --bonus-multiplier F   The multiplier for bonus-eligible workers, 1 to 10 (default 1.10).
          --bonus-threshold N    Bonus when the score is strictly above N (default 10).
          --json                 Print JSON (sorted keys) instead of a table.
          -h, --help             Show this help.
        """

    static func run(_ args: [String]) throws -> Int32 {
        let a = try Arguments(args, options: ["budget-sats", "budget-msat", "reputation", "worker-share", "bonus-multiplier", "bonus-threshold"],
                              flags: ["json", "help"])
        if a.flag("help") { print(help); return 0 }
        guard a.positionals.isEmpty else { throw UsageError("unexpected argument '\(a.positionals[0])'") }
        let budget: MilliSats
        if let sats = try a.integer("budget-sats", range: 1...2_100_000_000_000_000) {
            guard a.string("budget-msat") == nil else { throw UsageError("give --budget-sats or --budget-msat, not both") }
            budget = MilliSats(sats * 1000)
        } else if let msat = try a.integer("budget-msat", range: 1...MilliSats.maxSupply.rawValue) {
            budget = MilliSats(msat)
        } else {
            throw UsageError("--budget-sats is required")
        }
        guard let score = try a.integer("reputation", range: 0...Int64.max) else { throw UsageError("--reputation is required") }
        let defaults = FeePolicy.default
        let share = try a.decimal("worker-share", range: 0...1) ?? Double(defaults.workerSharePPM) / 1e6
        let multiplier = try a.decimal("bonus-multiplier", range: 1...10) ?? Double(defaults.bonusMultiplierPPM) / 1e6
        let threshold = try a.integer("bonus-threshold", range: 0...Int64.max) ?? defaults.bonusThreshold
        let policy: FeePolicy
        do {
            policy = try FeePolicy(workerShare: share, bonusMultiplier: multiplier, bonusThreshold: threshold)
        } catch {
            throw UsageError("--\(error.field.replacingOccurrences(of: "_", with: "-")): \(error.reason)")
        }
        let split = PayoutMath.split(budget: budget, scoreBeforeTask: score, policy: policy)
        let tier = ReputationRules.default.tier(of: score)
        if a.flag("json") {
            let value: JSONValue = [
                "budget_msat": .int(budget.rawValue),
                "reputation_score": .int(score),
                "worker_share_ppm": .int(policy.workerSharePPM),
                "bonus_multiplier_ppm": .int(policy.bonusMultiplierPPM),
                "bonus_threshold": .int(policy.bonusThreshold),
                "bonus_applied": .bool(split.bonusApplied),
                "multiplier_ppm": .int(split.multiplierPPM),
                "worker_payout_msat": .int(split.workerPayout.rawValue),
                "platform_fee_msat": .int(split.platformFee.rawValue),
                "tier": .string(tier.rawValue),
            ]
            print(value.serializedString(pretty: true))
            return 0
        }
        func ppm(_ v: Int64) -> String {
            let whole = v / 1_000_000, frac = String(v % 1_000_000)
            return "\(whole)." + String(repeating: "0", count: 6 - frac.count) + frac
        }
        let rows: [(String, String)] = [
            ("budget", "\(budget.rawValue) msat (\(budget.satsString) sats)"),
            ("reputation score", "\(score) (tier \(tier.rawValue); bonus when above \(policy.bonusThreshold): \(split.bonusApplied ? "yes" : "no"))"),
            ("worker payout", "\(split.workerPayout.rawValue) msat (\(split.workerPayout.satsString) sats) = floor(\(budget.rawValue) x \(ppm(policy.workerSharePPM)) x \(ppm(split.multiplierPPM)))"),
            ("platform fee", "\(split.platformFee.rawValue) msat (\(split.platformFee.satsString) sats)"),
        ]
        for (label, value) in rows {
            print(label.padding(toLength: 18, withPad: " ", startingAt: 0) + value)
        }
        return 0
    }
}
