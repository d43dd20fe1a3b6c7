/// One parameter point's figures over its replicates.
public struct SweepPointSummary: Sendable {
    /// The point.
    public var point: SweepPoint
    /// Rows (replicates) found for it.
    public var runs: Int
    /// For each metric of `SweepMetrics.all`, its estimate over the replicates.
    public var estimates: [SweepEstimate]

    /// The estimate of the metric named `name`.
    public func estimate(_ name: String) -> SweepEstimate? {
        SweepMetrics.index(of: name).map { estimates[$0] }
    }
}

/// The question the fee sweep answers, with the rule that decides each point.
///
/// A point **keeps the take** when the lower end of the 95% confidence interval of its mean effective take rate is
/// at least `minTakeRate` (so the mean take is below 25% with probability under 2.5%); with a single replicate there
/// is no interval and the mean decides. The bonus **reaches the best workers** when the point pays a bonus at all
/// (multiplier above 1) and, on average over the replicates, at least `minTopEarnersEligible` of the top 10% earners
/// are bonus-eligible (score above the threshold) at the end of the run.
public struct SweepCriteria: Sendable, Equatable {
    /// The platform's effective take the point must keep; 0.25.
    public var minTakeRate = 0.25
    /// The share of the top-decile earners who must end bonus-eligible; 0.5.
    public var minTopEarnersEligible = 0.5

    /// The default rule.
    public init() {}

    /// The verdict for one point.
    public func verdict(_ summary: SweepPointSummary) -> SweepVerdict {
        let take = summary.estimate("effective_take_rate")
        let takeBound = take?.ciLow ?? take?.mean
        let eligible = summary.estimate("top10_bonus_eligible_share")?.mean
        let paysBonus = summary.point.scenario.market.bonusMultiplierPPM > 1_000_000
        return SweepVerdict(takeBound: takeBound, keepsTake: (takeBound ?? -1) >= minTakeRate - 1e-12,
                            topEarnersEligible: eligible, paysBonus: paysBonus,
                            bonusReachesBest: paysBonus && (eligible ?? -1) >= minTopEarnersEligible - 1e-12)
    }
}

/// How one point fares against `SweepCriteria`.
public struct SweepVerdict: Sendable, Equatable {
    /// The figure the take is judged by: the CI lower bound (or the mean with one replicate).
    public var takeBound: Double?
    /// Whether `takeBound` is at least the minimum take.
    public var keepsTake: Bool
    /// Mean share of the top 10% earners who end bonus-eligible.
    public var topEarnersEligible: Double?
    /// Whether the multiplier is above 1.
    public var paysBonus: Bool
    /// Whether the point pays a bonus and enough of the top earners end eligible for it.
    public var bonusReachesBest: Bool
    /// Both.
    public var passes: Bool { keepsTake && bonusReachesBest }
}

/// The per-point summaries of a sweep's rows.
public enum SweepAnalysis {
    /// One summary per point, in point order (points without rows have n = 0).
    public static func summaries(_ plan: SweepPlan, rows: [SweepRow]) -> [SweepPointSummary] {
        var byPoint = [[SweepRow]](repeating: [], count: plan.points.count)
        for row in rows.sorted(by: { $0.run < $1.run }) where byPoint.indices.contains(row.point) {
            byPoint[row.point].append(row)
        }
        return plan.points.map { point in
            let replicates = byPoint[point.index]
            let estimates = SweepMetrics.all.indices.map { m in SweepEstimate(replicates.map { $0.figures[m] }) }
            return SweepPointSummary(point: point, runs: replicates.count, estimates: estimates)
        }
    }

    /// `aggregate.csv`: one tidy row per (point, metric) with n, mean, sd and the 95% confidence interval.
    public static func aggregateCSV(_ plan: SweepPlan, _ summaries: [SweepPointSummary]) -> String {
        let columns = ["point"] + plan.axisColumns + ["metric", "n", "mean", "sd", "ci95_low", "ci95_high", "ci95_half_width"]
        var out = columns.map(CSVWriter.escape).joined(separator: ",") + "\n"
        for summary in summaries {
            let prefix = ([String(summary.point.index)] + summary.point.values.map(SweepAxis.text)).map(CSVWriter.escape)
            for (metric, e) in zip(SweepMetrics.all, summary.estimates) {
                let places = metric.kind == .ratio || metric.kind == .flag ? 6 : 3
                func f(_ v: Double?) -> String { v.map { ReportFormat.fixed($0, places: places) } ?? "" }
                let fields = prefix + [metric.name, String(e.n), f(e.mean), f(e.sd), f(e.ciLow), f(e.ciHigh), f(e.halfWidth)]
                out += fields.joined(separator: ",") + "\n"
            }
        }
        return out
    }
}
