import Lightning

/// How one task's budget splits between the worker and the platform.
public struct PayoutSplit: Sendable, Equatable, Codable {
    public var budget: MilliSats
    public var workerPayout: MilliSats
    public var platformFee: MilliSats
    /// True when the bonus multiplier was applied.
    public var bonusApplied: Bool
    /// The multiplier used, in ppm (1 000 000 without the bonus).
    public var multiplierPPM: Int64
}

/// The payout rules of SPEC section 3, as pure integer functions.
public enum PayoutMath {
    /// True when a worker with `score` (before the task being paid) earns the bonus: strictly above the threshold.
    public static func isBonusEligible(score: Int64, policy: FeePolicy) -> Bool {
        score > policy.bonusThreshold
    }

    /// Splits `budget` for a worker whose score before this task's increment is `scoreBeforeTask`.
    ///
    /// `worker = floor(budget * share_ppm * m_ppm / 10^12)`, capped at the budget; the platform keeps the rest,
    /// so worker + platform equals the budget to the millisatoshi. 128-bit intermediates: no overflow up to
    /// 21 million BTC with any valid policy.
    public static func split(budget: MilliSats, scoreBeforeTask: Int64, policy: FeePolicy) -> PayoutSplit {
        let eligible = isBonusEligible(score: scoreBeforeTask, policy: policy)
        let m = eligible ? policy.bonusMultiplierPPM : 1_000_000
        let b = UInt128(UInt64(max(0, budget.rawValue)))
        let product = b * UInt128(UInt64(max(0, policy.workerSharePPM))) * UInt128(UInt64(max(0, m)))
        let raw = product / 1_000_000_000_000
        let worker = min(Int64(truncatingIfNeeded: min(raw, UInt128(UInt64(Int64.max)))), max(0, budget.rawValue))
        return PayoutSplit(budget: budget,
                           workerPayout: MilliSats(rawValue: worker),
                           platformFee: MilliSats(rawValue: budget.rawValue - worker),
                           bonusApplied: eligible,
                           multiplierPPM: m)
    }
}
