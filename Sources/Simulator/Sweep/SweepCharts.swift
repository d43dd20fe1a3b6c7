/// The SVG charts of a sweep's `report.html`: heatmaps over two axes and lines over one.
///
/// With more axes than a chart shows, each cell or line point is the plain average of the point means over the
/// values of the other axes (every point weighs the same): a marginal mean, documented on each chart.
struct SweepCharts {
    let plan: SweepPlan
    let summaries: [SweepPointSummary]
    let criteria: SweepCriteria

    /// A figure a chart shows.
    struct Measure {
        var title: String
        /// The y axis title of a line chart (short: the chart's title says the rest).
        var axisTitle: String
        /// Whether the figure is a share, printed as a percentage.
        var isPercent: Bool
        var format: (Double) -> String
        /// A fixed colour or y range; nil: from the data.
        var domain: (Double, Double)?
        var reference: (value: Double, label: String)?
        var value: (SweepPointSummary) -> Double?
        /// The 95% CI of the point mean, for lines over a single axis.
        var interval: ((SweepPointSummary) -> (Double, Double)?)?
    }

    static func metric(_ name: String, _ title: String, axisTitle: String, domain: (Double, Double)? = nil,
                       reference: (Double, String)? = nil, percent: Bool = true) -> Measure {
        let index = SweepMetrics.index(of: name) ?? 0
        return Measure(title: title, axisTitle: axisTitle, isPercent: percent,
                       format: percent ? { ReportFormat.percent($0, places: 1) } : { ReportFormat.fixed($0, places: 3) },
                       domain: domain, reference: reference.map { (value: $0.0, label: $0.1) },
                       value: { $0.estimates[index].mean },
                       interval: { s in s.estimates[index].ciLow.flatMap { low in s.estimates[index].ciHigh.map { (low, $0) } } })
    }

    var passing: Measure {
        let criteria = self.criteria
        return Measure(title: "share of points that pass both tests", axisTitle: "share passing", isPercent: true, format: { ReportFormat.percent($0, places: 0) },
                       domain: (0, 1), reference: nil,
                       value: { criteria.verdict($0).passes ? 1 : 0 }, interval: nil)
    }

    // MARK: Averaging

    /// The mean of `measure` over the points where axis `a` has value `i` (and axis `b` value `j`).
    private func cell(_ measure: Measure, _ a: Int, _ i: Int, _ b: Int? = nil, _ j: Int? = nil) -> (mean: Double, min: Double, max: Double, count: Int)? {
        var values: [Double] = []
        for s in summaries where s.point.valueIndices[a] == i && (b.map { s.point.valueIndices[$0] == j } ?? true) {
            if let v = measure.value(s), v.isFinite { values.append(v) }
        }
        guard let mean = ReportStats.mean(values), let lo = values.min(), let hi = values.max() else { return nil }
        return (mean, lo, hi, values.count)
    }

    // MARK: Heatmap

    /// Axis `a` up the side (first value at the bottom), axis `b` along the bottom, one coloured cell per pair of
    /// values with the figure written in it.
    func heatmap(_ measure: Measure, rows a: Int, columns b: Int) -> String {
        let axisA = plan.spec.axes[a], axisB = plan.spec.axes[b]
        let rows = axisA.values.count, cols = axisB.values.count
        let left = 128.0, right = 96.0, top = 20.0, bottom = 64.0
        let cellH = min(44.0, max(18.0, 360.0 / Double(rows)))
        let height = top + bottom + cellH * Double(rows)
        let width = 720.0
        let cellW = (width - left - right) / Double(cols)
        var plot = SVGPlot(width: width, height: height, margins: (top, right, bottom, left), xDomain: (0, 1), yDomain: (0, 1))
        var grid: [[Double?]] = []
        for i in 0..<rows { grid.append((0..<cols).map { j in cell(measure, a, i, b, j)?.mean }) }
        let found = grid.flatMap { $0 }.compactMap { $0 }
        let domain = measure.domain ?? (found.min() ?? 0, found.max() ?? 1)
        for i in 0..<rows {
            let y0 = top + cellH * Double(rows - 1 - i)
            for j in 0..<cols {
                let x0 = left + cellW * Double(j)
                let label = "\(axisA.path)=\(SweepAxis.text(axisA.values[i])), \(axisB.path)=\(SweepAxis.text(axisB.values[j]))"
                guard let v = grid[i][j] else {
                    plot.rect(x0: x0, y0: y0, x1: x0 + cellW - 1, y1: y0 + cellH - 1, color: "#EEEEEE", tooltip: label + ": no data")
                    continue
                }
                let t = Self.unit(v, domain)
                plot.rect(x0: x0, y0: y0, x1: x0 + cellW - 1, y1: y0 + cellH - 1, color: Self.viridis(t),
                          tooltip: label + ": " + measure.format(v))
                if cellW >= 34 && cellH >= 16 {
                    plot.text(measure.format(v), x: x0 + cellW / 2, y: y0 + cellH / 2 + 5, color: t < 0.6 ? "#FFFFFF" : ChartColor.ink,
                              size: cellW >= 60 ? 13 : 10)
                }
            }
            plot.text(SweepAxis.text(axisA.values[i]), x: left - 8, y: y0 + cellH / 2 + 5, anchor: "end")
        }
        for j in 0..<cols {
            plot.text(SweepAxis.text(axisB.values[j]), x: left + cellW * (Double(j) + 0.5), y: top + cellH * Double(rows) + 20)
        }
        plot.text(axisB.path.description, x: left + (width - left - right) / 2, y: height - 14)
        let cy = top + cellH * Double(rows) / 2
        plot.raw("<text x=\"18\" y=\"\(SVGPlot.n(cy))\" transform=\"rotate(-90 18 \(SVGPlot.n(cy)))\" text-anchor=\"middle\" fill=\"\(ChartColor.ink)\">\(SVGPlot.escape(axisA.path.description))</text>")
        // The colour bar.
        let barX = width - right + 24, barH = cellH * Double(rows)
        let steps = 24
        for k in 0..<steps {
            let t = Double(k) / Double(steps - 1)
            let y = top + barH * (1 - Double(k + 1) / Double(steps))
            plot.rect(x0: barX, y0: y, x1: barX + 16, y1: y + barH / Double(steps) + 0.5, color: Self.viridis(t))
        }
        plot.text(measure.format(domain.1), x: barX + 20, y: top + 10, anchor: "start", size: 12)
        plot.text(measure.format(domain.0), x: barX + 20, y: top + barH, anchor: "start", size: 12)
        let averaged = plan.spec.axes.count > 2 ? "; each cell averages the points over the other axes" : ""
        return plot.svg(title: "\(measure.title) by \(axisA.path) and \(axisB.path)",
                        description: "Heatmap of the mean \(measure.title)\(averaged).")
    }

    // MARK: Lines

    /// The figure's mean at each value of axis `a`, with a band: the 95% CI when `a` is the only axis, otherwise
    /// the range of the point means over the other axes' values.
    func line(_ measure: Measure, axis a: Int) -> String {
        let axis = plan.spec.axes[a]
        let numeric = axis.values.allSatisfy { $0.doubleValue != nil }
        let xs: [Double] = axis.values.enumerated().map { numeric ? ($0.element.doubleValue ?? 0) : Double($0.offset) }
        let single = plan.spec.axes.count == 1
        var means: [Double?] = [], lows: [Double?] = [], highs: [Double?] = []
        for i in axis.values.indices {
            let c = cell(measure, a, i)
            means.append(c?.mean)
            if single, let s = summaries.first(where: { $0.point.valueIndices[a] == i }), let ci = measure.interval?(s) {
                lows.append(ci.0); highs.append(ci.1)
            } else {
                lows.append(single ? nil : c?.min); highs.append(single ? nil : c?.max)
            }
        }
        var span = (means + lows + highs).compactMap { $0 }
        if let r = measure.reference { span.append(r.value) }
        let yTicks = NiceTicks(lo: measure.domain?.0 ?? (span.min() ?? 0), hi: measure.domain?.1 ?? (span.max() ?? 1), target: 5)
        let lo = xs.min() ?? 0, hi = xs.max() ?? 1
        let pad = hi > lo ? (hi - lo) * 0.04 : 0.5
        var plot = SVGPlot(height: 300, margins: (48, 24, 56, 84), xDomain: (lo - pad, hi + pad), yDomain: (yTicks.lower, yTicks.upper))
        let tickLabel: (Double) -> String = measure.isPercent
            ? { ReportFormat.percent($0, places: max(0, yTicks.decimals - 2)) }
            : { ReportFormat.fixed($0, places: yTicks.decimals) }
        plot.yAxis(yTicks.values, label: tickLabel, title: measure.axisTitle)
        if numeric {
            plot.xAxis(xs, label: { v in axis.values.first { $0.doubleValue == v }.map(SweepAxis.text) ?? "" }, title: axis.path.description)
        } else {
            plot.xAxis(xs, label: { v in SweepAxis.text(axis.values[max(0, min(axis.values.count - 1, Int(v)))]) }, title: axis.path.description)
        }
        // The band as one polygon: along the highs, back along the lows.
        let band = xs.indices.compactMap { i -> (Double, Double, Double)? in
            guard let l = lows[i], let h = highs[i] else { return nil }
            return (xs[i], l, h)
        }
        if band.count >= 2 {
            let upper = band.map { SVGPlot.n(plot.x($0.0)) + "," + SVGPlot.n(plot.y($0.2)) }
            let lower = band.reversed().map { SVGPlot.n(plot.x($0.0)) + "," + SVGPlot.n(plot.y($0.1)) }
            plot.raw("<polygon points=\"\((upper + lower).joined(separator: " "))\" fill=\"\(ChartColor.sky)\" fill-opacity=\"0.3\" stroke=\"none\"/>")
        }
        if let r = measure.reference { plot.referenceLine(at: r.value, label: r.label, color: ChartColor.vermillion) }
        let points = zip(xs, means).map { ($0, $1) }
        plot.line(points, color: ChartColor.blue)
        plot.dots(points, color: ChartColor.blue)
        plot.yAxisLine()
        let bandLabel = single ? "95% confidence interval" : "range over the other axes"
        plot.legend([LegendItem(label: single ? "mean" : "mean over the other axes", color: ChartColor.blue, mark: .line),
                     LegendItem(label: bandLabel, color: ChartColor.sky, mark: .box)])
        return plot.svg(title: "\(measure.title) by \(axis.path)", description: "Mean \(measure.title) at each value of \(axis.path); band: \(bandLabel).")
    }

    // MARK: Colour

    static func unit(_ v: Double, _ domain: (Double, Double)) -> Double {
        let span = domain.1 - domain.0
        guard span > 0 else { return 0.5 }
        return min(1, max(0, (v - domain.0) / span))
    }

    /// Viridis (perceptually uniform, readable in grey and by colour-blind readers), by linear steps between five stops.
    static func viridis(_ t: Double) -> String {
        let stops: [(Double, Double, Double)] = [(68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37)]
        let x = min(1, max(0, t)) * Double(stops.count - 1)
        let i = min(stops.count - 2, Int(x))
        let f = x - Double(i)
        func mix(_ a: Double, _ b: Double) -> Int { Int((a + (b - a) * f).rounded()) }
        let (r0, g0, b0) = stops[i], (r1, g1, b1) = stops[i + 1]
        return "#" + [mix(r0, r1), mix(g0, g1), mix(b0, b1)].map { v in
            let hex = String(v, radix: 16, uppercase: true)
            return hex.count == 1 ? "0" + hex : hex
        }.joined()
    }
}
