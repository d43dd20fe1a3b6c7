/// Writes a finished sweep's files: `runs.csv` (sorted), `sweep.json`, `aggregate.csv`, `summary.md` and
/// `report.html`. `simrun sweep` and `simrun merge` both end here, so a merged sweep has the bytes of a
/// single-machine one.
public enum SweepOutput {
    /// Writes every file into `directory`; returns their paths in a fixed order.
    public static func write(_ plan: SweepPlan, rows: [SweepRow], directory: String,
                             criteria: SweepCriteria = SweepCriteria()) throws(SweepError) -> [String] {
        let summaries = SweepAnalysis.summaries(plan, rows: rows)
        let files: [(String, String)] = [
            (SweepFiles.manifest(nil), SweepFiles.manifest(plan, shard: nil).serializedString(pretty: true) + "\n"),
            (SweepFiles.runs(nil), SweepTable.text(plan, rows: rows)),
            ("aggregate.csv", SweepAnalysis.aggregateCSV(plan, summaries)),
        ]
        let blocks = document(plan, summaries: summaries, runs: rows.count, criteria: criteria)
        let charts = self.charts(plan, summaries: summaries, criteria: criteria)
        let all = files + [
            ("summary.md", ReportRenderer.markdown(blocks)),
            ("report.html", ReportRenderer.html(blocks, title: "ProofLayer sweep: \(plan.base.name)", charts: charts)),
        ]
        var paths: [String] = []
        for (name, text) in all {
            let path = SweepFiles.join(directory, name)
            try SweepFiles.writeText(path, text)
            paths.append(path)
        }
        return paths
    }

    // MARK: Charts

    static var measures: [SweepCharts.Measure] {
        [
        SweepCharts.metric("effective_take_rate", "effective take rate", axisTitle: "take rate", reference: (0.25, "25%")),
        SweepCharts.metric("top10_bonus_eligible_share", "top-10% earners bonus-eligible", axisTitle: "share eligible", domain: (0, 1)),
        SweepCharts.metric("share_above_threshold_end", "workers above the threshold at the end", axisTitle: "share of workers", domain: (0, 1)),
        SweepCharts.metric("worker_earnings_gini", "Gini of worker earnings", axisTitle: "Gini", percent: false),
        ]
    }

    static func charts(_ plan: SweepPlan, summaries: [SweepPointSummary], criteria: SweepCriteria) -> [String: String] {
        let charts = SweepCharts(plan: plan, summaries: summaries, criteria: criteria)
        var out: [String: String] = [:]
        let axes = plan.spec.axes.count
        let heatMeasures = [charts.passing] + measures
        for a in 0..<axes {
            for b in (a + 1)..<max(a + 1, axes) {
                for (k, m) in heatMeasures.enumerated() {
                    out["heat-\(a)-\(b)-\(k)"] = figure(charts.heatmap(m, rows: a, columns: b),
                                                        title: "\(m.title): \(plan.spec.axes[a].path) x \(plan.spec.axes[b].path)")
                }
            }
            for (k, m) in measures.enumerated() {
                out["line-\(a)-\(k)"] = figure(charts.line(m, axis: a), title: "\(m.title) by \(plan.spec.axes[a].path)")
            }
        }
        return out
    }

    private static func figure(_ svg: String, title: String) -> String {
        "<figure>\n<div class=\"chart-title\">\(SVGPlot.escape(title))</div>\n<div class=\"chart\">\(svg)</div>\n</figure>"
    }

    // MARK: The document

    static func percent(_ v: Double?) -> String { ReportFormat.percent(v, places: 1) }

    /// `27.9% [27.5%, 28.3%]`.
    static func withInterval(_ e: SweepEstimate?) -> String {
        guard let e, let mean = e.mean else { return "n/a" }
        guard let low = e.ciLow, let high = e.ciHigh else { return percent(mean) }
        return "\(percent(mean)) [\(percent(low)), \(percent(high))]"
    }

    static func document(_ plan: SweepPlan, summaries: [SweepPointSummary], runs: Int, criteria: SweepCriteria) -> [ReportBlock] {
        var blocks: [ReportBlock] = [.heading(level: 1, "Sweep: \(plan.base.name)")]
        if !plan.base.description.isEmpty { blocks.append(.paragraph([.text(plan.base.description)])) }
        let spec = plan.spec
        var facts: [[ReportInline]] = [
            [.text("\(plan.points.count) parameter points (\(spec.axes.isEmpty ? "no axes" : spec.mode.rawValue)) x \(spec.seeds) seeds = \(plan.runCount) runs; \(runs) rows.")],
        ]
        for axis in spec.axes {
            facts.append([.code(axis.path.description), .text(": " + axis.values.map(SweepAxis.text).joined(separator: ", "))])
        }
        let seedRule = spec.commonRandomNumbers
            ? " and the replicate only (common random numbers: replicate r sees the same draws at every point)."
            : ", the point and the replicate, never from the order runs happen in."
        facts.append([.text("Each run's seed is derived from the scenario's seed (\(plan.base.seed))" + seedRule)])
        facts.append([.text("Scenario hash "), .code(plan.scenarioHash)])
        for note in plan.notes { facts.append([.text(note + ".")]) }
        let ledgerIndex = SweepMetrics.index(of: "ledger_balanced") ?? 0
        let broken = summaries.reduce(0) { total, s in total + s.runs - Int(((s.estimates[ledgerIndex].mean ?? 0) * Double(s.runs)).rounded()) }
        facts.append(broken == 0 ? [.text("Ledger: "), .strong("BALANCED"), .text(" in every run.")]
                                 : [.text("Ledger: "), .strong("BROKEN"), .text(" in \(broken) runs (see ledger_balanced in runs.csv).")])
        blocks.append(.bullets(facts))

        blocks += answer(plan, summaries: summaries, criteria: criteria)

        if spec.axes.count >= 2 {
            blocks.append(.heading(level: 2, "Heatmaps over two axes"))
            blocks.append(.paragraph([.text(spec.axes.count > 2
                ? "Each heatmap shows two axes; every cell is the plain average of the point means over the values of the remaining axes (every point weighs the same), so read it as a marginal effect. The first heatmap of each pair is the share of those points that pass both tests."
                : "Each cell is a point's mean over its seeds. The first heatmap marks the points that pass both tests.")]))
            for a in 0..<spec.axes.count {
                for b in (a + 1)..<spec.axes.count {
                    blocks.append(.heading(level: 3, "\(spec.axes[a].path) x \(spec.axes[b].path)"))
                    for k in 0...measures.count { blocks.append(.chart("heat-\(a)-\(b)-\(k)")) }
                }
            }
        }
        if !spec.axes.isEmpty {
            blocks.append(.heading(level: 2, "Lines over one axis"))
            blocks.append(.paragraph([.text(spec.axes.count == 1
                ? "The mean at each value, with its 95% confidence interval as a band."
                : "The mean at each value of the axis, averaged over the other axes; the band is the range of the point means over the other axes' values (how much they matter).")]))
            for a in 0..<spec.axes.count {
                for k in 0..<measures.count { blocks.append(.chart("line-\(a)-\(k)")) }
            }
        }

        blocks.append(.heading(level: 2, "Every point"))
        blocks.append(.paragraph([.text("Means over the seeds with 95% confidence intervals (Student t); aggregate.csv has every metric with n, sd and the interval.")]))
        var columns = ["point"] + spec.axes.map(\.path.description)
        columns += ["runs", "effective take [95% CI]", "top-10% eligible", "above threshold", "earnings Gini", "completion", "passes"]
        let rows = summaries.map { s -> [String] in
            let v = criteria.verdict(s)
            return [String(s.point.index)] + s.point.values.map(SweepAxis.text) + [
                String(s.runs), withInterval(s.estimate("effective_take_rate")), percent(v.topEarnersEligible),
                percent(s.estimate("share_above_threshold_end")?.mean), ReportFormat.fixed(s.estimate("worker_earnings_gini")?.mean ?? .nan, places: 3),
                percent(s.estimate("completion_rate")?.mean), v.passes ? "yes" : "no",
            ]
        }
        blocks.append(.table(ReportTable(columns: columns, numeric: columns.indices.map { $0 == 0 || $0 > spec.axes.count }, rows: rows)))

        blocks.append(.heading(level: 2, "Files"))
        blocks.append(.bullets([
            [.code("runs.csv"), .text(": one row per run: point, replicate, seed, one column per axis, then "
                + SweepMetrics.all.map(\.name).joined(separator: ", ") + ".")],
            [.code("aggregate.csv"), .text(": one row per (point, metric): n, mean, sd, ci95_low, ci95_high, ci95_half_width. The interval is mean ± t(0.975, n-1) x sd / sqrt(n); a figure missing in a run (no payouts, say) is left out of its n.")],
            [.code("sweep.json"), .text(": the scenario document, its hash and the seeds, which --resume and simrun merge check.")],
        ]))
        blocks.append(.bullets(SweepMetrics.all.map { [.code($0.name), .text(": " + $0.meaning)] }))
        return blocks
    }

    static func answer(_ plan: SweepPlan, summaries: [SweepPointSummary], criteria: SweepCriteria) -> [ReportBlock] {
        var blocks: [ReportBlock] = [.heading(level: 2, "The answer: where the platform keeps \(percent(criteria.minTakeRate)) and the bonus reaches the best workers")]
        blocks.append(.paragraph([
            .strong("Rule."),
            .text(" A point keeps the take when the lower end of the 95% confidence interval of its mean effective take rate (platform fee over released budgets) is at least \(percent(criteria.minTakeRate)), so a mean below it is unlikely (under 2.5%); with one seed the mean decides. The bonus reaches the best workers when the multiplier is above 1 and, on average over the seeds, at least \(ReportFormat.percent(criteria.minTopEarnersEligible, places: 0)) of the top 10% earners of a run end it bonus-eligible (score above the threshold)."),
        ]))
        let verdicts = summaries.map { (s: $0, v: criteria.verdict($0)) }
        let passing = verdicts.filter { $0.v.passes }
        let keep = verdicts.filter { $0.v.keepsTake }.count
        let reach = verdicts.filter { $0.v.bonusReachesBest }.count
        blocks.append(.paragraph([
            .strong("\(passing.count) of \(summaries.count) points pass both tests."),
            .text(" \(keep) keep the take, \(reach) let the bonus reach the best workers."),
        ]))
        var ranges: [[ReportInline]] = []
        for (a, axis) in plan.spec.axes.enumerated() where !passing.isEmpty {
            let used = Set(passing.map { $0.s.point.valueIndices[a] })
            let values = axis.values.indices.filter(used.contains).map { SweepAxis.text(axis.values[$0]) }
            ranges.append([.code(axis.path.description), .text(" among passing points: " + values.joined(separator: ", "))])
        }
        if !ranges.isEmpty { blocks.append(.bullets(ranges)) }
        let columns = plan.spec.axes.map(\.path.description) + ["effective take [95% CI]", "top-10% eligible", "above threshold", "mean earnings (sats)"]
        func row(_ item: (s: SweepPointSummary, v: SweepVerdict)) -> [String] {
            item.s.point.values.map(SweepAxis.text) + [
                withInterval(item.s.estimate("effective_take_rate")), percent(item.v.topEarnersEligible),
                percent(item.s.estimate("share_above_threshold_end")?.mean),
                ReportFormat.fixed((item.s.estimate("worker_earnings_mean_msat")?.mean ?? .nan) / 1000, places: 1),
            ]
        }
        let numeric = columns.indices.map { $0 >= plan.spec.axes.count }
        let axes = plan.spec.axes
        if axes.count >= 2 && !passing.isEmpty && plan.spec.mode == .grid {
            // The frontier: for each setting of the other axes, how far the first axis can go and still pass.
            let lever = axes[0]
            var order: [[Int]] = []
            var best: [[Int]: (s: SweepPointSummary, v: SweepVerdict)] = [:]
            for item in verdicts {
                let key = Array(item.s.point.valueIndices.dropFirst())
                if !order.contains(key) { order.append(key) }
                guard item.v.passes else { continue }
                if let current = best[key], current.s.point.valueIndices[0] >= item.s.point.valueIndices[0] { continue }
                best[key] = item
            }
            let frontierColumns = axes.dropFirst().map(\.path.description)
                + ["highest \(lever.path) that passes", "effective take [95% CI]", "above threshold"]
            let frontier = order.map { key -> [String] in
                let others = zip(axes.dropFirst(), key).map { SweepAxis.text($0.values[$1]) }
                guard let item = best[key] else { return others + ["none", "", ""] }
                return others + [SweepAxis.text(lever.values[item.s.point.valueIndices[0]]), withInterval(item.s.estimate("effective_take_rate")),
                                 percent(item.s.estimate("share_above_threshold_end")?.mean)]
            }
            blocks.append(.paragraph([.text("The frontier: for each setting of the other axes, the highest \(lever.path) that still passes:")]))
            blocks.append(.table(ReportTable(columns: frontierColumns, numeric: frontierColumns.indices.map { $0 >= axes.count - 1 }, rows: frontier)))
        }
        if !passing.isEmpty {
            // Best first: the most generous to workers (lowest take bound still above the bar).
            let ordered = passing.sorted { ($0.v.takeBound ?? 0, $0.s.point.index) < ($1.v.takeBound ?? 0, $1.s.point.index) }
            blocks.append(.paragraph([.text("Passing points, most generous to workers first (lowest take that still clears the bar):")]))
            blocks.append(.table(ReportTable(columns: columns, numeric: numeric, rows: ordered.map(row))))
        } else {
            let near = verdicts.filter { $0.v.bonusReachesBest }.sorted { ($0.v.takeBound ?? -1) > ($1.v.takeBound ?? -1) }.prefix(5)
            if !near.isEmpty {
                blocks.append(.paragraph([.text("No point passes. The bonus-reaching points with the highest take:")]))
                blocks.append(.table(ReportTable(columns: columns, numeric: numeric, rows: near.map(row))))
            }
        }
        return blocks
    }
}
