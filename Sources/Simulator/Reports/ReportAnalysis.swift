import JSON

/// Figures for one group of workers (all of them, or one persona).
struct WorkerGroupFigures {
    var name: String
    var workers: Int64 = 0
    var completedJobs: Int64 = 0
    var earnedMsat: Int64 = 0
    var owedMsat: Int64 = 0
    var bonusPayouts: Int64 = 0
    var answered: Int64 = 0
    var correct: Int64 = 0
    var aboveThreshold: Int64 = 0
    var reachedBonus: Int64 = 0
    var earnings: [Double] = []

    var meanEarned: Double? { ReportStats.mean(earnings) }
    var medianEarned: Double? { ReportStats.median(earnings) }
    var gini: Double? { ReportStats.gini(earnings) }
    var top10Share: Double? { ReportStats.topShare(earnings, percent: 10) }
    var accuracy: Double? { answered > 0 ? Double(correct) / Double(answered) : nil }
}

/// The end-of-run figures derived from the streamed aggregates, the final workers and the run summary; the
/// single source for `summary.json`, `summary.md` and `report.html`.
struct ReportAnalysis {
    let aggregates: ReportAggregates
    let workers: [WorkerRecord]
    let summary: RunSummary
    let bonusThreshold: Int64
    let scenario: String

    let allWorkers: WorkerGroupFigures
    /// Per persona, sorted by persona name.
    let personas: [WorkerGroupFigures]

    init(aggregates: ReportAggregates, workers: [WorkerRecord], summary: RunSummary, bonusThreshold: Int64, scenario: String) {
        self.aggregates = aggregates
        self.workers = workers
        self.summary = summary
        self.bonusThreshold = bonusThreshold
        self.scenario = scenario
        var all = WorkerGroupFigures(name: "all")
        var byPersona: [String: WorkerGroupFigures] = [:]
        for w in workers {
            ReportAnalysis.add(w, to: &all, threshold: bonusThreshold)
            ReportAnalysis.add(w, to: &byPersona[w.persona, default: WorkerGroupFigures(name: w.persona)], threshold: bonusThreshold)
        }
        allWorkers = all
        personas = byPersona.keys.sorted().compactMap { byPersona[$0] }
    }

    private static func add(_ w: WorkerRecord, to group: inout WorkerGroupFigures, threshold: Int64) {
        group.workers += 1
        group.completedJobs &+= w.completedJobs
        group.earnedMsat &+= w.earnedMsat
        group.owedMsat &+= w.owedMsat
        group.bonusPayouts &+= w.bonusPayouts
        group.answered &+= w.answered
        group.correct &+= w.correct
        if w.reputationScore > threshold { group.aboveThreshold += 1 }
        if w.reachedBonusAtMs != nil { group.reachedBonus += 1 }
        group.earnings.append(Double(w.earnedMsat))
    }

    // MARK: Derived figures

    var platformFeeGrossMsat: Int64 { summary.platformFeeMsat &+ summary.routingFeeMsat }

    /// Budgets of completed tasks: from the streamed tasks, else from the timeline's last cumulative figure.
    var releasedBudgetMsat: Int64 {
        if aggregates.tasks.tasks > 0 { return aggregates.releasedBudgetMsat }
        return aggregates.timeline.last?.cumulativeReleasedBudgetMsat ?? 0
    }

    var completionRate: Double? {
        summary.tasksCreated > 0 ? Double(summary.tasksCompleted) / Double(summary.tasksCreated) : nil
    }

    var meanResolutionMs: Double? { summary.meanTimeToResolutionMs ?? aggregates.resolution.mean }
    var medianResolutionMs: Double? { summary.medianTimeToResolutionMs ?? aggregates.resolutionMedian.estimate }

    var ledgerComponents: [(String, Int64)] {
        [("settled", summary.workerEarningsMsat), ("owed", summary.owedPayoutsMsat),
         ("platform net", summary.platformFeeMsat), ("routing", summary.routingFeeMsat),
         ("refunds", summary.refundsMsat), ("escrow", summary.escrowMsat)]
    }

    var ledgerComponentSum: Int64 { ledgerComponents.reduce(0) { $0 &+ $1.1 } }

    var ledgerVerdict: String { summary.ledgerBalanced ? "BALANCED" : "BROKEN" }

    /// Final mean reputation score over the workers.
    var finalMeanScore: Double? { ReportStats.mean(workers.map { Double($0.reputationScore) }) }

    var finalShareAbove: Double? {
        allWorkers.workers > 0 ? Double(allWorkers.aboveThreshold) / Double(allWorkers.workers) : nil
    }

    /// Workers that became bonus-eligible, by the time they did (then by name).
    var crossings: [WorkerRecord] {
        workers.filter { $0.reachedBonusAtMs != nil }.sorted {
            let a = $0.reachedBonusAtMs ?? 0, b = $1.reachedBonusAtMs ?? 0
            return a != b ? a < b : $0.name < $1.name
        }
    }

    /// Workers by tier, in the order new, trusted, expert, then any other tier alphabetically.
    var tiers: [(String, Int64)] {
        var counts: [String: Int64] = [:]
        for w in workers { counts[w.tier, default: 0] += 1 }
        let known = ["new", "trusted", "expert"]
        let others = counts.keys.filter { !known.contains($0) }.sorted()
        return (known + others).compactMap { tier in counts[tier].map { (tier, $0) } }
    }

    // MARK: summary.json

    func summaryJSON() -> JSONValue {
        var o: [String: JSONValue] = [:]
        func money(_ key: String, _ msat: Int64) {
            o[key + "_msat"] = .int(msat)
            o[key + "_sats"] = .double(Double(msat) / 1000)
        }
        func number(_ value: Double?) -> JSONValue { value.map { .double($0) } ?? .null }

        o["scenario"] = .string(summary.scenario)
        o["seed"] = Int64(exactly: summary.seed).map { .int($0) } ?? .string(String(summary.seed))
        o["duration_ms"] = .int(summary.durationMs)
        o["events_dispatched"] = .int(summary.eventsDispatched)
        o["requests"] = .int(summary.requests)
        o["tasks_created"] = .int(summary.tasksCreated)
        o["tasks_completed"] = .int(summary.tasksCompleted)
        o["tasks_expired"] = .int(summary.tasksExpired)
        o["tasks_in_flight"] = .int(summary.tasksInFlight)
        money("volume", summary.volumeMsat)
        money("platform_fee", summary.platformFeeMsat)
        money("routing_fee", summary.routingFeeMsat)
        money("worker_earnings", summary.workerEarningsMsat)
        money("owed_payouts", summary.owedPayoutsMsat)
        money("refunds", summary.refundsMsat)
        money("escrow", summary.escrowMsat)
        o["effective_take_rate"] = number(summary.effectiveTakeRate)
        o["payouts_settled"] = .int(summary.payoutsSettled)
        o["payouts_failed"] = .int(summary.payoutsFailed)
        o["payout_retries"] = .int(summary.payoutRetries)
        o["claims_abandoned"] = .int(summary.claimsAbandoned)
        o["submissions_rejected"] = .int(summary.submissionsRejected)
        o["answer_accuracy"] = number(summary.answerAccuracy)
        o["mean_time_to_resolution_ms"] = number(summary.meanTimeToResolutionMs)
        o["median_time_to_resolution_ms"] = number(summary.medianTimeToResolutionMs)
        o["workers_above_threshold_at_end"] = .int(summary.workersAboveThresholdAtEnd)
        o["workers"] = .int(summary.workers)
        o["ledger_balanced"] = .bool(summary.ledgerBalanced)
        money("ledger_paid_budgets", summary.ledgerPaidBudgetsMsat)
        money("ledger_accounted", summary.ledgerAccountedMsat)

        // Beyond RunSummary: parameters and breakdowns the reports compute.
        o["bonus_threshold"] = .int(bonusThreshold)
        o["ledger"] = .string(ledgerVerdict)
        money("platform_fee_gross", platformFeeGrossMsat)
        money("released_budget", releasedBudgetMsat)
        o["completion_rate"] = number(completionRate)

        o["worker_earnings"] = .object([
            "mean_msat": number(allWorkers.meanEarned),
            "median_msat": number(allWorkers.medianEarned),
            "gini": number(allWorkers.gini),
            "top_10_percent_share": number(allWorkers.top10Share),
        ])

        var personaObject: [String: JSONValue] = [:]
        for p in personas {
            personaObject[p.name] = .object([
                "workers": .int(p.workers),
                "completed_jobs": .int(p.completedJobs),
                "earned_msat": .int(p.earnedMsat),
                "earned_sats": .double(Double(p.earnedMsat) / 1000),
                "owed_msat": .int(p.owedMsat),
                "mean_earned_msat": number(p.meanEarned),
                "median_earned_msat": number(p.medianEarned),
                "bonus_payouts": .int(p.bonusPayouts),
                "answered": .int(p.answered),
                "correct": .int(p.correct),
                "accuracy": number(p.accuracy),
                "workers_above_threshold": .int(p.aboveThreshold),
                "workers_reached_bonus": .int(p.reachedBonus),
            ])
        }
        o["worker_personas"] = .object(personaObject)

        func groupJSON(_ g: TaskGroup) -> JSONValue {
            .object([
                "tasks": .int(g.tasks), "completed": .int(g.completed), "expired": .int(g.expired),
                "in_flight": .int(g.inFlight), "other": .int(g.other), "budget_msat": .int(g.budgetMsat),
                "answered": .int(g.answered), "correct": .int(g.correct), "accuracy": number(g.accuracy),
            ])
        }
        o["requester_personas"] = .object(aggregates.byRequesterPersona.mapValues(groupJSON))
        o["task_types"] = .object(aggregates.byTaskType.mapValues(groupJSON))
        o["task_outcomes"] = .object(aggregates.taskStatus.mapValues { .int($0) })
        o["payout_outcomes"] = .object(aggregates.payoutStatus.mapValues { .int($0) })

        o["latency"] = .object([
            "time_to_resolution_p90_ms": number(aggregates.resolutionP90.estimate),
            "time_to_first_claim_mean_ms": number(aggregates.firstClaim.mean),
            "time_to_first_claim_median_ms": number(aggregates.firstClaimMedian.estimate),
        ])

        o["reputation"] = .object([
            "start_mean_score": number(aggregates.timeline.first?.meanScore),
            "start_share_above_threshold": number(aggregates.timeline.first?.shareAboveThreshold),
            "end_mean_score": number(finalMeanScore),
            "end_share_above_threshold": number(finalShareAbove),
            "workers_reached_bonus": .int(allWorkers.reachedBonus),
            "first_reached_bonus_at_ms": crossings.first?.reachedBonusAtMs.map { .int($0) } ?? .null,
        ])
        return .object(o)
    }
}
