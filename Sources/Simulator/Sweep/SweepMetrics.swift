/// One headline figure of a run, as a column of `runs.csv` and a metric of `aggregate.csv`.
public struct SweepMetric: Sendable, Equatable {
    /// How the figure is written.
    public enum Kind: Sendable, Equatable {
        /// A whole number (msat, counts).
        case integer
        /// A ratio in [0, 1], six decimals.
        case ratio
        /// A quantity with three decimals (mean msat, milliseconds).
        case amount
        /// `true`/`false` (aggregated as the share of runs where it is true).
        case flag
    }

    /// The column name.
    public var name: String
    /// How it is written.
    public var kind: Kind
    /// What it means, for the reports.
    public var meaning: String

    /// The decimals it is written with.
    var places: Int {
        switch kind {
        case .integer, .flag: return 0
        case .ratio: return 6
        case .amount: return 3
        }
    }

    /// The figure as a CSV field; "" when missing.
    func text(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "" }
        switch kind {
        case .flag: return value != 0 ? "true" : "false"
        case .integer: return ReportFormat.fixed(value, places: 0)
        default: return ReportFormat.fixed(value, places: places)
        }
    }

    /// A CSV field back as a figure: `.some(nil)` for an empty field (missing), nil when the field is malformed.
    func parse(_ field: String) -> Double?? {
        if field.isEmpty { return .some(nil) }
        switch kind {
        case .flag:
            if field == "true" { return .some(1) }
            if field == "false" { return .some(0) }
            return nil
        default:
            guard let value = Double(field), value.isFinite else { return nil }
            return .some(value)
        }
    }
}

/// The headline figures of one run: the columns after the axes in `runs.csv`.
public enum SweepMetrics {
    /// Every figure, in column order.
    public static let all: [SweepMetric] = [
        SweepMetric(name: "platform_revenue_msat", kind: .integer, meaning: "platform fees net of routing fees"),
        SweepMetric(name: "effective_take_rate", kind: .ratio,
                    meaning: "platform fee (gross of routing) / budgets released to workers"),
        SweepMetric(name: "worker_earnings_mean_msat", kind: .amount, meaning: "mean settled earnings per worker"),
        SweepMetric(name: "worker_earnings_median_msat", kind: .amount, meaning: "median settled earnings per worker"),
        SweepMetric(name: "worker_earnings_gini", kind: .ratio, meaning: "Gini coefficient of settled earnings"),
        SweepMetric(name: "worker_earnings_top10_share", kind: .ratio, meaning: "share of earnings held by the top 10% of workers"),
        SweepMetric(name: "share_above_threshold_end", kind: .ratio,
                    meaning: "share of workers bonus-eligible (score above the threshold) at the end"),
        SweepMetric(name: "top10_bonus_eligible_share", kind: .ratio,
                    meaning: "share of the top 10% earners (at least one worker) who are bonus-eligible at the end"),
        SweepMetric(name: "bonus_payout_share", kind: .ratio, meaning: "share of payouts paid with the bonus multiplier"),
        SweepMetric(name: "completion_rate", kind: .ratio, meaning: "tasks completed / tasks created"),
        SweepMetric(name: "mean_time_to_resolution_ms", kind: .amount, meaning: "mean virtual time from creation to completion"),
        SweepMetric(name: "answer_accuracy", kind: .ratio, meaning: "correct / scored answers"),
        SweepMetric(name: "payout_failure_rate", kind: .ratio, meaning: "payouts failed / payouts settled or failed"),
        SweepMetric(name: "tasks_created", kind: .integer, meaning: "tasks created"),
        SweepMetric(name: "ledger_balanced", kind: .flag, meaning: "whether the ledger balanced (share of runs in aggregates)"),
    ]

    /// The index of a metric in `all`.
    public static func index(of name: String) -> Int? { all.firstIndex { $0.name == name } }

    /// The figures of a finished run, in the order of `all`; nil where a figure is undefined (e.g. no payouts).
    public static func figures(of result: RunResult) -> [Double?] {
        let s = result.summary
        let earnings = result.workers.map { Double($0.earnedMsat) }
        let ranked = result.workers.sorted { $0.earnedMsat != $1.earnedMsat ? $0.earnedMsat > $1.earnedMsat : $0.name < $1.name }
        let topCount = max(1, Int((Double(ranked.count) * 0.1).rounded(.up)))
        let top = ranked.prefix(topCount)
        let bonusPayouts = result.workers.reduce(Int64(0)) { $0 + $1.bonusPayouts }
        let decidedPayouts = s.payoutsSettled + s.payoutsFailed
        func ratio(_ a: Int64, _ b: Int64) -> Double? { b > 0 ? Double(a) / Double(b) : nil }
        let completedJobs = result.workers.reduce(Int64(0)) { $0 + $1.completedJobs }
        return [
            Double(s.platformFeeMsat),
            s.effectiveTakeRate,
            ReportStats.mean(earnings),
            ReportStats.median(earnings),
            ReportStats.gini(earnings),
            ReportStats.topShare(earnings, percent: 10),
            ratio(s.workersAboveThresholdAtEnd, s.workers),
            top.isEmpty ? nil : Double(top.filter(\.bonusEligible).count) / Double(top.count),
            ratio(bonusPayouts, completedJobs),
            ratio(s.tasksCompleted, s.tasksCreated),
            s.meanTimeToResolutionMs,
            s.answerAccuracy,
            ratio(s.payoutsFailed, decidedPayouts),
            Double(s.tasksCreated),
            s.ledgerBalanced ? 1 : 0,
        ]
    }
}
