import Lightning

/// The market's fee parameters, as parts per million so that payout math stays in integers.
public struct FeePolicy: Sendable, Equatable, Codable {
    /// The worker's share of the budget (default 700 000 ppm = 70%).
    public var workerSharePPM: Int64
    /// The payout multiplier for bonus-eligible workers (default 1 100 000 ppm = 1.1x).
    public var bonusMultiplierPPM: Int64
    /// A worker is bonus-eligible when its score is strictly greater than this (default 10).
    public var bonusThreshold: Int64

    public static let `default` = FeePolicy(workerSharePPM: 700_000, bonusMultiplierPPM: 1_100_000, bonusThreshold: 10)

    public init(workerSharePPM: Int64, bonusMultiplierPPM: Int64, bonusThreshold: Int64) {
        self.workerSharePPM = workerSharePPM
        self.bonusMultiplierPPM = bonusMultiplierPPM
        self.bonusThreshold = bonusThreshold
    }

    /// Builds a policy from decimal parameters (0.70, 1.10), rounding to the nearest ppm, and validates it.
    public init(workerShare: Double, bonusMultiplier: Double, bonusThreshold: Int64) throws(FeePolicyError) {
        guard workerShare.isFinite, workerShare >= 0, workerShare <= 1 else {
            throw FeePolicyError(field: "worker_share", reason: "must be between 0 and 1, got \(workerShare)")
        }
        guard bonusMultiplier.isFinite, bonusMultiplier >= 1, bonusMultiplier <= 10 else {
            throw FeePolicyError(field: "bonus_multiplier", reason: "must be between 1 and 10, got \(bonusMultiplier)")
        }
        self.init(workerSharePPM: Int64((workerShare * 1_000_000).rounded()),
                  bonusMultiplierPPM: Int64((bonusMultiplier * 1_000_000).rounded()),
                  bonusThreshold: bonusThreshold)
        try validate()
    }

    /// Checks that the parameters make sense: share in [0, 1], multiplier in [1, 10], threshold not negative.
    public func validate() throws(FeePolicyError) {
        guard (0...1_000_000).contains(workerSharePPM) else {
            throw FeePolicyError(field: "worker_share", reason: "must be between 0 and 1 (0..1000000 ppm), got \(workerSharePPM) ppm")
        }
        guard (1_000_000...10_000_000).contains(bonusMultiplierPPM) else {
            throw FeePolicyError(field: "bonus_multiplier", reason: "must be between 1 and 10 (1000000..10000000 ppm), got \(bonusMultiplierPPM) ppm")
        }
        guard bonusThreshold >= 0 else {
            throw FeePolicyError(field: "bonus_threshold", reason: "must not be negative, got \(bonusThreshold)")
        }
    }
}

/// A fee parameter that makes no sense, with the field and the reason.
public struct FeePolicyError: Error, Sendable, Equatable, CustomStringConvertible {
    public var field: String
    public var reason: String
    public var description: String { "\(field): \(reason)" }
}
