/// The readable report (`summary.md`, and the text of `report.html`) as blocks.
extension ReportAnalysis {
    /// Rows listed at most in the per-worker and threshold-crossing tables; the CSVs have them all.
    static let listLimit = 20

    func document(htmlEnabled: Bool) -> [ReportBlock] {
        var blocks: [ReportBlock] = []
        blocks.append(.heading(level: 1, "ProofLayer simulation: \(scenario)"))
        blocks.append(.paragraph([.text("Seed \(summary.seed) · duration \(ReportFormat.duration(ms: summary.durationMs)) · "
                                        + "\(ReportFormat.grouped(summary.eventsDispatched)) events dispatched · "
                                        + "\(ReportFormat.grouped(summary.requests)) API requests · bonus above score \(bonusThreshold).")]))
        blocks += headline()
        blocks += fees()
        blocks += earnings()
        blocks += reputation()
        blocks += outcomes()
        blocks += paymentFailures()
        blocks += ledger()
        var files = "Tables: timeline.csv, tasks.csv, payouts.csv, workers.csv; event log: events.ndjson; figures: summary.json"
        files += htmlEnabled ? "; charts: report.html." : "."
        blocks.append(.paragraph([.text(files)]))
        return blocks
    }

    private func count(_ part: Int64, of whole: Int64) -> String {
        ReportFormat.grouped(part) + (whole > 0 ? " (" + ReportFormat.percent(Double(part) / Double(whole)) + ")" : "")
    }

    /// An msat amount given as a Double (a mean or median), as grouped sats without a unit.
    private func sats(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "n/a" }
        return ReportFormat.satsGrouped(Int64(value.rounded(.toNearestOrAwayFromZero)))
    }

    private func sats(_ msat: Int64) -> String { ReportFormat.satsGrouped(msat) }

    // MARK: Sections

    private func headline() -> [ReportBlock] {
        let rows: [[String]] = [
            ["Tasks created", ReportFormat.grouped(summary.tasksCreated)],
            ["Tasks completed", count(summary.tasksCompleted, of: summary.tasksCreated)],
            ["Tasks expired", count(summary.tasksExpired, of: summary.tasksCreated)],
            ["Tasks in flight at the end", count(summary.tasksInFlight, of: summary.tasksCreated)],
            ["Volume (budgets paid)", ReportFormat.satsLabel(summary.volumeMsat)],
            ["Worker earnings (settled)", ReportFormat.satsLabel(summary.workerEarningsMsat)],
            ["Platform fees (net of routing)", ReportFormat.satsLabel(summary.platformFeeMsat)],
            ["Effective take rate", ReportFormat.percent(summary.effectiveTakeRate, places: 2)],
            ["Answer accuracy", ReportFormat.percent(summary.answerAccuracy)],
            ["Median time to resolution", ReportFormat.duration(ms: medianResolutionMs)],
            ["Workers above the bonus threshold", count(summary.workersAboveThresholdAtEnd, of: summary.workers)],
            ["Payouts settled / failed", ReportFormat.grouped(summary.payoutsSettled) + " / " + ReportFormat.grouped(summary.payoutsFailed)],
            ["Ledger", ledgerVerdict],
        ]
        return [.heading(level: 2, "Headline"), .table(ReportTable(columns: ["Figure", "Value"], rows: rows))]
    }

    private func fees() -> [ReportBlock] {
        let released = releasedBudgetMsat
        let bonusShare = aggregates.payouts.payouts > 0 ? Double(aggregates.payouts.bonus) / Double(aggregates.payouts.payouts) : nil
        var rows: [[String]] = [
            ["Budgets paid by requesters", ReportFormat.satsLabel(summary.volumeMsat)],
            ["Budgets released (completed tasks)", ReportFormat.satsLabel(released)],
            ["Platform fees, gross", ReportFormat.satsLabel(platformFeeGrossMsat)],
            ["Routing fees paid by the platform", ReportFormat.satsLabel(summary.routingFeeMsat)],
            ["Platform fees, net of routing", ReportFormat.satsLabel(summary.platformFeeMsat)],
            ["Effective take rate (gross fees / released budgets)", ReportFormat.percent(summary.effectiveTakeRate, places: 2)],
            ["Payouts with the bonus", ReportFormat.grouped(aggregates.payouts.bonus) + " of "
                + ReportFormat.grouped(aggregates.payouts.payouts) + " (" + ReportFormat.percent(bonusShare) + ")"],
            ["Refunds", ReportFormat.satsLabel(summary.refundsMsat)],
            ["Still in escrow", ReportFormat.satsLabel(summary.escrowMsat)],
        ]
        if let first = aggregates.timeline.first(where: { $0.takeRate != nil }), let last = aggregates.timeline.last(where: { $0.takeRate != nil }) {
            rows.append(["Take rate, first bucket with releases", ReportFormat.percent(first.takeRate, places: 2)])
            rows.append(["Take rate, last bucket with releases", ReportFormat.percent(last.takeRate, places: 2)])
        }
        return [
            .heading(level: 2, "Fees and take rate"),
            .paragraph([.text("The platform keeps the budget minus the worker's payout: 30% at the default 70% worker share, "
                              + "23% once a worker's score is above \(bonusThreshold) and the 1.1x bonus applies. "
                              + "Routing fees come out of the platform's share.")]),
            .table(ReportTable(columns: ["Figure", "Value"], rows: rows)),
            .chart("take-rate"),
        ]
    }

    private func earnings() -> [ReportBlock] {
        var blocks: [ReportBlock] = [.heading(level: 2, "Worker earnings")]
        let all = allWorkers
        blocks.append(.table(ReportTable(columns: ["Workers", "Total earned (sats)", "Mean (sats)", "Median (sats)", "Gini", "Top 10% share"],
                                         numeric: [true, true, true, true, true, true], rows: [[
            ReportFormat.grouped(all.workers), sats(all.earnedMsat), sats(all.meanEarned), sats(all.medianEarned),
            all.gini.map { ReportFormat.fixed($0, places: 3) } ?? "n/a", ReportFormat.percent(all.top10Share),
        ]])))
        blocks.append(.paragraph([.text("Gini 0 means every worker earned the same; close to 1, one worker earned everything. "
                                        + "Top 10% share is what the best-paid tenth of workers took home.")]))

        blocks.append(.heading(level: 3, "Per persona"))
        let personaRows = personas.map { p -> [String] in
            [p.name, ReportFormat.grouped(p.workers), ReportFormat.grouped(p.completedJobs), sats(p.earnedMsat),
             sats(p.meanEarned), sats(p.medianEarned), sats(p.owedMsat), ReportFormat.grouped(p.bonusPayouts),
             ReportFormat.percent(p.accuracy), ReportFormat.grouped(p.aboveThreshold)]
        }
        blocks.append(.table(ReportTable(columns: ["Persona", "Workers", "Completed", "Earned (sats)", "Mean (sats)", "Median (sats)", "Owed (sats)",
                                                   "Bonus payouts", "Accuracy", "Above threshold"],
                                         rows: personaRows)))

        let ranked = workers.sorted { $0.earnedMsat != $1.earnedMsat ? $0.earnedMsat > $1.earnedMsat : $0.name < $1.name }
        let shown = ranked.prefix(ReportAnalysis.listLimit)
        let title = ranked.count > shown.count ? "Per worker (top \(shown.count) of \(ranked.count) by earnings)" : "Per worker"
        blocks.append(.heading(level: 3, title))
        let workerRows = shown.map { w -> [String] in
            [w.name, w.persona, String(w.reputationScore), w.tier, ReportFormat.grouped(w.completedJobs), sats(w.earnedMsat),
             sats(w.owedMsat), ReportFormat.grouped(w.bonusPayouts),
             ReportFormat.percent(w.answered > 0 ? Double(w.correct) / Double(w.answered) : nil),
             w.reachedBonusAtMs.map { ReportFormat.duration(ms: $0) } ?? "never"]
        }
        blocks.append(.table(ReportTable(columns: ["Worker", "Persona", "Score", "Tier", "Completed", "Earned (sats)", "Owed (sats)",
                                                   "Bonus payouts", "Accuracy", "Eligible after"],
                                         numeric: [false, false, true, false, true, true, true, true, true, true], rows: workerRows)))
        blocks.append(.chart("earnings"))
        return blocks
    }

    private func reputation() -> [ReportBlock] {
        var blocks: [ReportBlock] = [.heading(level: 2, "Reputation drift")]
        let first = aggregates.timeline.first
        let last = aggregates.timeline.last
        func bucketLabel(_ row: TimelineRow?) -> String {
            guard let row else { return "n/a" }
            return ReportFormat.duration(ms: row.bucketEndMs)
        }
        let rows: [[String]] = [
            ["Mean score", first.map { ReportFormat.fixed($0.meanScore, places: 2) } ?? "n/a",
             last.map { ReportFormat.fixed($0.meanScore, places: 2) } ?? "n/a",
             finalMeanScore.map { ReportFormat.fixed($0, places: 2) } ?? "n/a"],
            ["Workers above \(bonusThreshold)", first.map { ReportFormat.grouped($0.workersAboveThreshold) } ?? "n/a",
             last.map { ReportFormat.grouped($0.workersAboveThreshold) } ?? "n/a", ReportFormat.grouped(allWorkers.aboveThreshold)],
            ["Share above \(bonusThreshold)", first.map { ReportFormat.percent($0.shareAboveThreshold) } ?? "n/a",
             last.map { ReportFormat.percent($0.shareAboveThreshold) } ?? "n/a", ReportFormat.percent(finalShareAbove)],
        ]
        blocks.append(.table(ReportTable(columns: ["", "First bucket", "Last bucket", "End of run"], rows: rows)))
        if first != nil {
            blocks.append(.paragraph([.text("The first timeline bucket ends after \(bucketLabel(first)), the last after \(bucketLabel(last)); "
                                            + "the end-of-run column is computed from the final worker list.")]))
        }

        let tierText = tiers.map { "\($0.0) \(ReportFormat.grouped($0.1))" }.joined(separator: ", ")
        blocks.append(.paragraph([.text("Workers by tier at the end: " + (tierText.isEmpty ? "none" : tierText) + ".")]))

        let crossed = crossings
        if crossed.isEmpty {
            blocks.append(.paragraph([.text("No worker reached the bonus threshold during the run.")]))
        } else {
            let times = crossed.compactMap { $0.reachedBonusAtMs }.map(Double.init)
            blocks.append(.paragraph([.text("\(crossed.count) of \(workers.count) workers became bonus-eligible: the first after "
                                            + ReportFormat.duration(ms: times.first) + ", the median after "
                                            + ReportFormat.duration(ms: ReportStats.median(times)) + ", the last after "
                                            + ReportFormat.duration(ms: times.last) + ".")]))
            let shown = crossed.prefix(ReportAnalysis.listLimit)
            let rows = shown.map { w -> [String] in
                [w.name, w.persona, w.reachedBonusAtMs.map { ReportFormat.duration(ms: $0) } ?? "", String(w.reputationScore)]
            }
            let title = crossed.count > shown.count ? "First \(shown.count) of \(crossed.count) workers to cross the threshold" : "When workers crossed the threshold"
            blocks.append(.heading(level: 3, title))
            blocks.append(.table(ReportTable(columns: ["Worker", "Persona", "Eligible after", "Final score"],
                                             numeric: [false, false, true, true], rows: rows)))
        }
        blocks.append(.chart("reputation"))
        return blocks
    }

    private func outcomes() -> [ReportBlock] {
        var blocks: [ReportBlock] = [.heading(level: 2, "Task outcomes")]
        let a = aggregates
        let rows: [[String]] = [
            ["Completion rate", ReportFormat.percent(completionRate)],
            ["Completed / expired / in flight", ReportFormat.grouped(summary.tasksCompleted) + " / " + ReportFormat.grouped(summary.tasksExpired)
                + " / " + ReportFormat.grouped(summary.tasksInFlight)],
            ["Time to resolution, mean", ReportFormat.duration(ms: meanResolutionMs)],
            ["Time to resolution, median", ReportFormat.duration(ms: medianResolutionMs)],
            ["Time to resolution, 90th percentile (estimate)", ReportFormat.duration(ms: a.resolutionP90.estimate)],
            ["Time to first claim, mean", ReportFormat.duration(ms: a.firstClaim.mean)],
            ["Time to first claim, median (estimate)", ReportFormat.duration(ms: a.firstClaimMedian.estimate)],
            ["Answer accuracy against ground truth", ReportFormat.percent(summary.answerAccuracy)
                + (a.tasks.answered > 0 ? " of " + ReportFormat.grouped(a.tasks.answered) + " scored" : "")],
            ["Mean confidence of accepted answers", a.confidence.mean.map { ReportFormat.fixed($0, places: 3) } ?? "n/a"],
            ["Claims abandoned", ReportFormat.grouped(summary.claimsAbandoned)],
            ["Submissions rejected", ReportFormat.grouped(summary.submissionsRejected)],
            ["Tasks reopened at least once", ReportFormat.grouped(a.reopenedTasks)],
        ]
        blocks.append(.table(ReportTable(columns: ["Figure", "Value"], rows: rows)))

        func groupRows(_ groups: [String: TaskGroup]) -> [[String]] {
            groups.keys.sorted().compactMap { key in
                groups[key].map { g in
                    [key, ReportFormat.grouped(g.tasks), ReportFormat.grouped(g.completed), ReportFormat.grouped(g.expired),
                     ReportFormat.grouped(g.inFlight), ReportFormat.percent(g.completionRate), ReportFormat.percent(g.accuracy),
                     sats(g.budgetMsat)]
                }
            }
        }
        let columns = ["Tasks", "Completed", "Expired", "In flight", "Completion", "Accuracy", "Budgets (sats)"]
        if !a.byTaskType.isEmpty {
            blocks.append(.heading(level: 3, "By task type"))
            blocks.append(.table(ReportTable(columns: ["Task type"] + columns, rows: groupRows(a.byTaskType))))
        }
        if !a.byRequesterPersona.isEmpty {
            blocks.append(.heading(level: 3, "By requester persona"))
            blocks.append(.table(ReportTable(columns: ["Requester persona"] + columns, rows: groupRows(a.byRequesterPersona))))
        }
        blocks.append(.chart("outcomes"))
        return blocks
    }

    private func paymentFailures() -> [ReportBlock] {
        let p = aggregates.payouts
        let failureRate = p.payouts > 0 ? Double(p.failed) / Double(p.payouts) : nil
        let rows: [[String]] = [
            ["Payouts recorded", ReportFormat.grouped(p.payouts)],
            ["Settled", ReportFormat.grouped(summary.payoutsSettled)],
            ["Failed for good", ReportFormat.grouped(summary.payoutsFailed) + " (" + ReportFormat.percent(failureRate) + " of recorded)"],
            ["Still pending", ReportFormat.grouped(p.pending)],
            ["Retries", ReportFormat.grouped(summary.payoutRetries)],
            ["Owed to workers (pending or failed)", ReportFormat.satsLabel(summary.owedPayoutsMsat)],
            ["Routing fees", ReportFormat.satsLabel(summary.routingFeeMsat)],
        ]
        var blocks: [ReportBlock] = [.heading(level: 2, "Payment failures"), .table(ReportTable(columns: ["Figure", "Value"], rows: rows))]
        let owing = aggregates.payoutsByPersona.keys.sorted().compactMap { key -> [String]? in
            guard let g = aggregates.payoutsByPersona[key], g.failed + g.pending > 0 else { return nil }
            return [key, ReportFormat.grouped(g.failed), ReportFormat.grouped(g.pending), sats(g.owedMsat)]
        }
        if !owing.isEmpty {
            blocks.append(.table(ReportTable(columns: ["Worker persona", "Failed", "Pending", "Owed (sats)"], rows: owing)))
        }
        return blocks
    }

    private func ledger() -> [ReportBlock] {
        let s = summary
        let numbers = ReportFormat.grouped(s.ledgerPaidBudgetsMsat) + " = "
            + ledgerComponents.map { ReportFormat.grouped($0.1) }.joined(separator: " + ") + " msat"
        var blocks: [ReportBlock] = [
            .heading(level: 2, "Ledger invariant"),
            .paragraph([.code("paid budgets = settled + owed + platform net + routing + refunds + escrow")]),
            .paragraph([.code(numbers), .text(" → "), .strong(ledgerVerdict)]),
        ]
        var notes: [String] = []
        if s.ledgerPaidBudgetsMsat != s.ledgerAccountedMsat {
            notes.append("Paid budgets " + ReportFormat.grouped(s.ledgerPaidBudgetsMsat) + " msat, accounted "
                         + ReportFormat.grouped(s.ledgerAccountedMsat) + " msat: off by "
                         + ReportFormat.grouped(s.ledgerPaidBudgetsMsat &- s.ledgerAccountedMsat) + " msat.")
        }
        if ledgerComponentSum != s.ledgerAccountedMsat {
            notes.append("The components above add up to " + ReportFormat.grouped(ledgerComponentSum)
                         + " msat, not the accounted " + ReportFormat.grouped(s.ledgerAccountedMsat) + " msat.")
        }
        if !notes.isEmpty { blocks.append(.bullets(notes.map { [.text($0)] })) }
        return blocks
    }
}
