/// A worker's standing, shown on its profile.
public enum Tier: String, Sendable, Codable, CaseIterable {
    /// Score 0-2 by default.
    case new
    /// Score 3-10 by default.
    case trusted
    /// Score above 10 by default: bonus-eligible.
    case expert
}

/// What moves a worker's score.
public enum ReputationEvent: String, Sendable, Codable {
    case completed, abandoned, rejected
}

/// The reputation rules of SPEC section 4; every number is configurable per scenario.
public struct ReputationRules: Sendable, Equatable, Codable {
    public var completedDelta: Int64
    public var abandonedDelta: Int64
    public var rejectedDelta: Int64
    /// Scores never go below this.
    public var floor: Int64
    /// Lowest score of the `trusted` tier.
    public var trustedFrom: Int64
    /// Scores strictly above this are `expert`.
    public var expertAbove: Int64

    public static let `default` = ReputationRules(completedDelta: 1, abandonedDelta: -1, rejectedDelta: -2,
                                                  floor: 0, trustedFrom: 3, expertAbove: 10)

    public init(completedDelta: Int64, abandonedDelta: Int64, rejectedDelta: Int64,
                floor: Int64, trustedFrom: Int64, expertAbove: Int64) {
        self.completedDelta = completedDelta
        self.abandonedDelta = abandonedDelta
        self.rejectedDelta = rejectedDelta
        self.floor = floor
        self.trustedFrom = trustedFrom
        self.expertAbove = expertAbove
    }

    /// The score after `event`, never below the floor.
    public func apply(_ event: ReputationEvent, to score: Int64) -> Int64 {
        let delta: Int64
        switch event {
        case .completed: delta = completedDelta
        case .abandoned: delta = abandonedDelta
        case .rejected: delta = rejectedDelta
        }
        let (sum, overflow) = score.addingReportingOverflow(delta)
        return max(floor, overflow ? (delta > 0 ? Int64.max : floor) : sum)
    }

    /// The tier of a score.
    public func tier(of score: Int64) -> Tier {
        if score > expertAbove { return .expert }
        if score >= trustedFrom { return .trusted }
        return .new
    }
}
