import Lightning

/// Which credentials the market accepts.
public enum MarketMode: String, Sendable, Codable, CaseIterable {
    /// Accepts the seed page's `L402 sim_token:sim_valid_preimage` and lets anyone pay from a demo wallet.
    case demo
    /// Accepts only real L402 credentials.
    case strict
}

/// Everything that parameterises one market: rules, timing, limits.
public struct MarketConfiguration: Sendable, Equatable {
    public var mode: MarketMode
    public var fees: FeePolicy
    public var reputation: ReputationRules
    public var timing: MarketTiming
    /// The service name bound into L402 macaroons (`services=<name>:0`).
    public var serviceName: String
    /// The macaroons' location field.
    public var location: String
    /// Smallest and largest budget a task may have, in sats.
    public var minBudgetSats: Int64
    public var maxBudgetSats: Int64
    /// How often a payout is tried before it is marked failed, and the first retry delay (doubling each time).
    public var payoutMaxAttempts: Int64
    public var payoutRetryBaseMs: Int64
    /// The most routing fee the platform pays for one payout: base plus parts per million of the amount.
    public var payoutMaxFeeBaseMsat: Int64
    public var payoutMaxFeePPM: Int64
    /// Whether market events (claims, releases, ...) are kept in the store for the dashboard.
    public var recordEvents: Bool

    public static let `default` = MarketConfiguration()

    public init(mode: MarketMode = .demo, fees: FeePolicy = .default, reputation: ReputationRules = .default,
                timing: MarketTiming = .default, serviceName: String = "prooflayer", location: String = "prooflayer.sim",
                minBudgetSats: Int64 = 1, maxBudgetSats: Int64 = 2_100_000_000_000_000,
                payoutMaxAttempts: Int64 = 5, payoutRetryBaseMs: Int64 = 1_000,
                payoutMaxFeeBaseMsat: Int64 = 1_000, payoutMaxFeePPM: Int64 = 5_000, recordEvents: Bool = true) {
        self.mode = mode
        self.fees = fees
        self.reputation = reputation
        self.timing = timing
        self.serviceName = serviceName
        self.location = location
        self.minBudgetSats = minBudgetSats
        self.maxBudgetSats = maxBudgetSats
        self.payoutMaxAttempts = payoutMaxAttempts
        self.payoutRetryBaseMs = payoutRetryBaseMs
        self.payoutMaxFeeBaseMsat = payoutMaxFeeBaseMsat
        self.payoutMaxFeePPM = payoutMaxFeePPM
        self.recordEvents = recordEvents
    }

    /// The routing fee limit for a payout of `amount`.
    public func maxRoutingFee(for amount: MilliSats) -> MilliSats {
        MilliSats(payoutMaxFeeBaseMsat + Int64((Int128(amount.rawValue) * Int128(payoutMaxFeePPM)) / 1_000_000))
    }
}
