/// The SVG charts of `report.html`, each a `<figure>` keyed by the id the document places it with.
struct ReportCharts {
    let analysis: ReportAnalysis

    func all() -> [String: String] {
        [
            "reputation": reputation(),
            "take-rate": takeRate(),
            "earnings": earnings(),
            "outcomes": outcomes(),
        ]
    }

    private var timeline: [TimelineRow] { analysis.aggregates.timeline }

    /// A figure of one or more titled charts; the titles are HTML so they wrap on narrow screens.
    private func figure(_ charts: [(title: String, svg: String)], caption: String) -> String {
        var out = "<figure>\n"
        for chart in charts {
            out += "<div class=\"chart-title\">\(SVGPlot.escape(chart.title))</div>\n<div class=\"chart\">" + chart.svg + "</div>\n"
        }
        return out + "<figcaption>\(SVGPlot.escape(caption))</figcaption>\n</figure>"
    }

    private func placeholder(_ title: String, _ message: String) -> String {
        var plot = SVGPlot(height: 120, xDomain: (0, 1), yDomain: (0, 1))
        plot.text(message, x: 360, y: 66, color: ChartColor.grey)
        return plot.svg(title: title, description: message)
    }

    // MARK: Time axes

    /// The time span covered by the timeline: from the first bucket's start to the last bucket's end.
    private var timeSpan: (Double, Double) {
        let start = Double(timeline.first?.bucketStartMs ?? 0)
        let end = Double(timeline.last?.bucketEndMs ?? 1)
        return (min(0, start), max(end, start + 1))
    }

    private func timeAxis(_ plot: inout SVGPlot) {
        let (start, end) = timeSpan
        let unit = TimeUnit.forSpan(ms: end - start)
        let ticks = NiceTicks(lo: start / unit.msPerUnit, hi: end / unit.msPerUnit, target: 6)
        let values = ticks.values.map { $0 * unit.msPerUnit }.filter { $0 >= start - 1e-6 && $0 <= end + 1e-6 }
        plot.xAxis(values, label: { ReportFormat.fixed($0 / unit.msPerUnit, places: ticks.decimals) },
                   title: "time since start (\(unit.name))")
    }

    // MARK: (1) Reputation drift

    func reputation() -> String {
        let title = "Reputation drift over time"
        guard !timeline.isEmpty else {
            return figure([(title, placeholder(title, "No timeline rows were recorded."))], caption: title)
        }
        let threshold = Double(analysis.bonusThreshold)
        let maxScore = timeline.map(\.meanScore).max() ?? 0
        let scoreTicks = NiceTicks(lo: 0, hi: max(threshold * 1.15, maxScore * 1.05, 1), target: 5)
        var scorePlot = SVGPlot(height: 300, xDomain: timeSpan, yDomain: (scoreTicks.lower, scoreTicks.upper))
        scorePlot.yAxis(scoreTicks.values, label: { ReportFormat.fixed($0, places: scoreTicks.decimals) }, title: "mean score")
        timeAxis(&scorePlot)
        scorePlot.referenceLine(at: threshold, label: "bonus threshold (above \(analysis.bonusThreshold))", color: ChartColor.vermillion, leading: true)
        scorePlot.line(timeline.map { (Double($0.bucketEndMs), $0.meanScore) }, color: ChartColor.blue)
        scorePlot.yAxisLine()
        scorePlot.legend([LegendItem(label: "mean reputation score of workers", color: ChartColor.blue, mark: .line),
                          LegendItem(label: "bonus threshold", color: ChartColor.vermillion, mark: .dashed)])

        var sharePlot = SVGPlot(height: 300, xDomain: timeSpan, yDomain: (0, 1))
        let shareTicks = [0, 0.25, 0.5, 0.75, 1.0]
        sharePlot.yAxis(shareTicks, label: { ReportFormat.percent($0, places: 0) }, title: "share of workers")
        timeAxis(&sharePlot)
        sharePlot.line(timeline.map { (Double($0.bucketEndMs), $0.shareAboveThreshold) }, color: ChartColor.green)
        sharePlot.yAxisLine()
        sharePlot.legend([LegendItem(label: "share of workers above the threshold (bonus-eligible)", color: ChartColor.green, mark: .line)])

        let first = timeline.first?.meanScore ?? 0
        let last = timeline.last?.meanScore ?? 0
        return figure([
            ("Mean reputation score over time", scorePlot.svg(title: "Mean reputation score over time",
                          description: "Mean worker score at the end of each bucket, from \(ReportFormat.fixed(first, places: 2)) to \(ReportFormat.fixed(last, places: 2)), against the bonus threshold \(analysis.bonusThreshold).")),
            ("Share of workers above the bonus threshold over time",
             sharePlot.svg(title: "Share of workers above the bonus threshold over time",
                           description: "From \(ReportFormat.percent(timeline.first?.shareAboveThreshold)) to \(ReportFormat.percent(timeline.last?.shareAboveThreshold)).")),
        ], caption: "Reputation drift: mean score and the share of workers earning the bonus, at the end of each timeline bucket.")
    }

    // MARK: (2) Take rate

    func takeRate() -> String {
        let title = "Effective platform take rate over time"
        let perBucket = timeline.map { (Double($0.bucketStartMs + $0.bucketEndMs) / 2, $0.takeRate) }
        let cumulative = timeline.map { (Double($0.bucketEndMs), $0.cumulativeTakeRate) }
        let values = (perBucket.compactMap(\.1) + cumulative.compactMap(\.1)).filter(\.isFinite)
        guard !values.isEmpty else {
            return figure([(title, placeholder(title, "No budget was released, so there is no take rate to show."))], caption: title)
        }
        let ticks = NiceTicks(lo: min(0.20, values.min() ?? 0.2), hi: max(0.32, values.max() ?? 0.32), target: 6)
        var plot = SVGPlot(height: 340, xDomain: timeSpan, yDomain: (ticks.lower, ticks.upper))
        plot.yAxis(ticks.values, label: { ReportFormat.percent($0, places: max(0, ticks.decimals - 2)) }, title: "platform fee / released budget")
        timeAxis(&plot)
        plot.referenceLine(at: 0.30, label: "30%: no bonus", color: ChartColor.grey)
        plot.referenceLine(at: 0.23, label: "23%: every payout with bonus", color: ChartColor.grey, below: true)
        plot.dots(perBucket, color: ChartColor.orange)
        plot.line(cumulative, color: ChartColor.blue)
        plot.yAxisLine()
        plot.legend([LegendItem(label: "per bucket", color: ChartColor.orange, mark: .dot),
                     LegendItem(label: "cumulative", color: ChartColor.blue, mark: .line),
                     LegendItem(label: "reference", color: ChartColor.grey, mark: .dashed)])
        let end = timeline.last(where: { $0.cumulativeTakeRate != nil })?.cumulativeTakeRate
        return figure([(title, plot.svg(title: title, description: "Cumulative take rate at the end: \(ReportFormat.percent(end, places: 2))."))],
                      caption: "The platform's effective take rate: gross platform fee over the budgets released in each bucket (dots) and since the start (line). It falls from 30% towards 23% as more payouts carry the bonus.")
    }

    // MARK: (3) Earnings distribution

    func earnings() -> String {
        let title = "Distribution of worker earnings"
        let earned = analysis.workers.map { Double($0.earnedMsat) / 1000 }
        guard !earned.isEmpty else {
            return figure([(title, placeholder(title, "No workers."))], caption: title)
        }
        // Histogram with round bin edges.
        let maxEarned = earned.max() ?? 0
        let edges = NiceTicks(lo: 0, hi: max(maxEarned, 1), target: 10)
        let binCount = max(1, Int(((edges.upper - edges.lower) / edges.step).rounded()))
        var counts = [Int](repeating: 0, count: binCount)
        for value in earned {
            var bin = Int(((value - edges.lower) / edges.step).rounded(.down))
            bin = max(0, min(binCount - 1, bin))
            counts[bin] += 1
        }
        let countTicks = NiceTicks(lo: 0, hi: Double(max(1, counts.max() ?? 1)) * 1.1, target: 5)
        let integerTicks = countTicks.values.filter { $0 == $0.rounded() }
        var histogram = SVGPlot(height: 320, xDomain: (edges.lower, edges.upper), yDomain: (0, countTicks.upper))
        histogram.yAxis(integerTicks, label: { ReportFormat.fixed($0, places: 0) }, title: "workers")
        for (bin, count) in counts.enumerated() where count > 0 {
            let lo = edges.lower + Double(bin) * edges.step
            let x0 = histogram.x(lo) + 1
            let x1 = histogram.x(lo + edges.step) - 1
            let tip = "\(count) worker\(count == 1 ? "" : "s") earned \(ReportFormat.fixed(lo, places: edges.decimals))–\(ReportFormat.fixed(lo + edges.step, places: edges.decimals)) sats"
            histogram.rect(x0: x0, y0: histogram.y(0), x1: x1, y1: histogram.y(Double(count)), color: ChartColor.blue, tooltip: tip)
            if binCount <= 24 {
                histogram.text(String(count), x: (x0 + x1) / 2, y: histogram.y(Double(count)) - 6, size: 13)
            }
        }
        let edgeLabels = edges.values.count > 8 ? stride(from: 0, to: edges.values.count, by: 2).map { edges.values[$0] } : edges.values
        histogram.xAxis(edgeLabels, label: { edges.decimals > 0 ? ReportFormat.fixed($0, places: edges.decimals)
                                                                : ReportFormat.grouped(Int64($0.rounded())) },
                        title: "earned (sats, settled)")
        histogram.yAxisLine()
        histogram.legend([LegendItem(label: "workers per earnings bin (\(ReportFormat.fixed(edges.step, places: edges.decimals)) sats wide)",
                                     color: ChartColor.blue, mark: .box)])

        // Lorenz curve.
        let points = ReportStats.lorenzCurve(earned, maxPoints: 200)
        var lorenz = SVGPlot(width: 720, height: 460, margins: (48, 170, 56, 68), xDomain: (0, 1), yDomain: (0, 1))
        let pct = [0, 0.25, 0.5, 0.75, 1.0]
        lorenz.yAxis(pct, label: { ReportFormat.percent($0, places: 0) }, title: "share of earnings")
        lorenz.xAxis(pct, label: { ReportFormat.percent($0, places: 0) }, title: "share of workers, poorest first")
        let area = points.map { "\(SVGPlot.n(lorenz.x($0.0))),\(SVGPlot.n(lorenz.y($0.1)))" }
        lorenz.raw("<polygon points=\"\(SVGPlot.n(lorenz.x(0))),\(SVGPlot.n(lorenz.y(0))) \(area.joined(separator: " ")) \(SVGPlot.n(lorenz.x(1))),\(SVGPlot.n(lorenz.y(0)))\" fill=\"\(ChartColor.sky)\" fill-opacity=\"0.25\"/>")
        lorenz.line([(0, 0), (1, 1)], color: ChartColor.grey, width: 1.5, dashed: true)
        lorenz.line(points.map { ($0.0, Optional($0.1)) }, color: ChartColor.blue)
        lorenz.yAxisLine()
        let gini = analysis.allWorkers.gini
        lorenz.text("Gini " + (gini.map { ReportFormat.fixed($0, places: 3) } ?? "n/a"), x: lorenz.right + 16, y: lorenz.top + 20, anchor: "start", size: 16, weight: "600")
        lorenz.text("top 10% hold " + ReportFormat.percent(analysis.allWorkers.top10Share), x: lorenz.right + 16, y: lorenz.top + 44, anchor: "start")
        lorenz.legend([LegendItem(label: "Lorenz curve", color: ChartColor.blue, mark: .line),
                       LegendItem(label: "perfect equality", color: ChartColor.grey, mark: .dashed)])

        return figure([
            ("Histogram of workers' settled earnings",
             histogram.svg(title: "Histogram of workers' settled earnings", description: "\(earned.count) workers, from 0 to \(ReportFormat.fixed(maxEarned, places: 3)) sats.")),
            ("Lorenz curve of workers' earnings",
             lorenz.svg(title: "Lorenz curve of workers' earnings", description: "Gini coefficient \(gini.map { ReportFormat.fixed($0, places: 3) } ?? "n/a").")),
        ], caption: "Worker earnings: how many workers earned how much (top), and how concentrated earnings are (bottom; the further the curve sags below the diagonal, the more unequal).")
    }

    // MARK: (4) Task outcomes

    func outcomes() -> String {
        let s = analysis.summary
        let parts: [(String, Int64, String)] = [
            ("completed", s.tasksCompleted, ChartColor.green),
            ("expired", s.tasksExpired, ChartColor.vermillion),
            ("in flight", s.tasksInFlight, ChartColor.sky),
        ]
        let total = parts.reduce(0) { $0 + max(0, $1.1) }
        var bar = SVGPlot(height: 150, margins: (48, 24, 44, 24), xDomain: (0, Double(max(1, total))), yDomain: (0, 1))
        var offset = 0.0
        for (name, value, color) in parts where value > 0 {
            let x0 = bar.x(offset), x1 = bar.x(offset + Double(value))
            bar.rect(x0: x0, y0: bar.y(0.85), x1: x1, y1: bar.y(0.15), color: color, tooltip: "\(name): \(value)")
            if x1 - x0 > 60 {
                bar.text(ReportFormat.grouped(value), x: (x0 + x1) / 2, y: (bar.y(0.5)) + 6, color: "#ffffff", size: 16, weight: "600")
            }
            offset += Double(value)
        }
        if total == 0 { bar.text("No tasks were created.", x: 360, y: 80, color: ChartColor.grey) }
        bar.text("\(ReportFormat.grouped(total)) tasks", x: bar.left, y: bar.bottom + 28, anchor: "start", color: ChartColor.grey)
        bar.legend(parts.map { LegendItem(label: "\($0.0) \(ReportFormat.grouped($0.1)) (\(ReportFormat.percent(total > 0 ? Double($0.1) / Double(total) : nil)))", color: $0.2, mark: .box) })
        let barSVG = bar.svg(title: "Task outcomes at the end of the run",
                             description: parts.map { "\($0.0) \($0.1)" }.joined(separator: ", "))

        guard !timeline.isEmpty else {
            return figure([("Task outcomes at the end of the run", barSVG)], caption: "Task outcomes at the end of the run.")
        }
        let series: [(String, KeyPath<TimelineRow, Int64>, String)] = [
            ("created", \.tasksCreated, ChartColor.blue),
            ("completed", \.tasksCompleted, ChartColor.green),
            ("expired", \.tasksExpired, ChartColor.vermillion),
        ]
        let maxValue = timeline.map { max($0.tasksCreated, $0.tasksCompleted, $0.tasksExpired) }.max() ?? 0
        let ticks = NiceTicks(lo: 0, hi: Double(max(1, maxValue)) * 1.08, target: 5)
        var flows = SVGPlot(height: 340, xDomain: timeSpan, yDomain: (0, ticks.upper))
        flows.yAxis(ticks.values.filter { $0 == $0.rounded() }, label: { ReportFormat.fixed($0, places: 0) }, title: "tasks per bucket")
        timeAxis(&flows)
        if timeline.count <= 60 {
            for row in timeline {
                let x0 = flows.x(Double(row.bucketStartMs)), x1 = flows.x(Double(row.bucketEndMs))
                let gap = min(12, (x1 - x0) * 0.1)
                let width = (x1 - x0 - 2 * gap) / Double(series.count)
                for (index, item) in series.enumerated() {
                    let value = row[keyPath: item.1]
                    guard value > 0 else { continue }
                    let bx = x0 + gap + Double(index) * width
                    flows.rect(x0: bx, y0: flows.y(0), x1: bx + max(1, width - 1), y1: flows.y(Double(value)), color: item.2,
                               tooltip: "\(item.0): \(value) in \(ReportFormat.duration(ms: row.bucketStartMs))–\(ReportFormat.duration(ms: row.bucketEndMs))")
                }
            }
        } else {
            for item in series {
                flows.line(timeline.map { (Double($0.bucketStartMs + $0.bucketEndMs) / 2, Double($0[keyPath: item.1])) }, color: item.2, width: 2)
            }
        }
        flows.yAxisLine()
        flows.legend(series.map { LegendItem(label: "\($0.0) per bucket", color: $0.2, mark: timeline.count <= 60 ? .box : .line) })
        return figure([("Task outcomes at the end of the run", barSVG),
                       ("Tasks created, completed and expired per bucket",
                        flows.svg(title: "Tasks created, completed and expired per bucket", description: "\(timeline.count) buckets."))],
                      caption: "Task outcomes: the end state of every task (top) and the flow of tasks per timeline bucket (bottom).")
    }
}
