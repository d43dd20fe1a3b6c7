// A very small SVG plotting kit for the HTML report: linear scales, "nice" ticks, axes, lines, bars, a legend.
// Coordinates are printed with fixed decimals so the same data always gives the same bytes.

/// Colours that stay distinguishable for the common forms of colour blindness (Okabe and Ito).
enum ChartColor {
    static let blue = "#0072B2"
    static let orange = "#E69F00"
    static let green = "#009E73"
    static let vermillion = "#D55E00"
    static let sky = "#56B4E9"
    static let purple = "#CC79A7"
    static let yellow = "#F0E442"
    static let grey = "#7F7F7F"
    static let ink = "#222222"
    static let grid = "#E3E3E3"
}

/// Maps a data interval onto a pixel interval.
struct LinearScale {
    var domain: (Double, Double)
    var range: (Double, Double)

    func callAsFunction(_ value: Double) -> Double {
        let span = domain.1 - domain.0
        guard span != 0 else { return (range.0 + range.1) / 2 }
        return range.0 + (value - domain.0) / span * (range.1 - range.0)
    }
}

/// Round tick positions covering an interval.
struct NiceTicks {
    var lower: Double
    var upper: Double
    var step: Double
    var values: [Double]

    /// Ticks at 1, 2, 2.5 or 5 times a power of ten, about `target` of them, spanning [lo, hi] (widened to ticks).
    init(lo: Double, hi: Double, target: Int = 5) {
        var lo = lo.isFinite ? lo : 0
        var hi = hi.isFinite ? hi : 1
        if hi < lo { swap(&lo, &hi) }
        if hi == lo {
            if lo == 0 {
                hi = 1
            } else {
                let pad = abs(lo) * 0.1
                lo -= pad
                hi += pad
            }
        }
        let raw = (hi - lo) / Double(max(1, target))
        var magnitude = 1.0
        while magnitude * 10 <= raw { magnitude *= 10 }
        while magnitude > raw { magnitude /= 10 }
        var step = magnitude
        for factor in [1.0, 2.0, 2.5, 5.0, 10.0] where magnitude * factor >= raw {
            step = magnitude * factor
            break
        }
        let first = (lo / step).rounded(.down)
        let last = (hi / step).rounded(.up)
        lower = first * step
        upper = last * step
        self.step = step
        var values: [Double] = []
        var index = first
        while index <= last + 0.5 && values.count < 100 {
            let value = index * step
            values.append(abs(value) < step * 1e-9 ? 0 : value)
            index += 1
        }
        self.values = values
    }

    /// Decimals needed to print the ticks without losing their step.
    var decimals: Int {
        var places = 0
        var scaled = step
        while places < 6 && abs(scaled - scaled.rounded()) > 1e-9 * max(1, abs(scaled)) {
            scaled *= 10
            places += 1
        }
        return places
    }
}

/// How virtual milliseconds are shown on a time axis.
struct TimeUnit {
    var msPerUnit: Double
    var name: String

    /// Minutes up to two hours, hours up to two days, days beyond.
    static func forSpan(ms: Double) -> TimeUnit {
        if ms <= 2 * 3_600_000 { return TimeUnit(msPerUnit: 60_000, name: "min") }
        if ms <= 48 * 3_600_000 { return TimeUnit(msPerUnit: 3_600_000, name: "h") }
        return TimeUnit(msPerUnit: 86_400_000, name: "d")
    }
}

/// One legend entry.
struct LegendItem {
    enum Mark { case line, dashed, dot, box }
    var label: String
    var color: String
    var mark: Mark
}

/// An SVG chart being drawn: a frame with a plot area, scales and a growing body of elements.
struct SVGPlot {
    let width: Double
    let height: Double
    let left: Double
    let right: Double
    let top: Double
    let bottom: Double
    var x: LinearScale
    var y: LinearScale
    private(set) var body = ""

    /// A `width` x `height` chart whose plot area leaves the given margins; scales map data to that area.
    init(width: Double = 720, height: Double = 340, margins: (top: Double, right: Double, bottom: Double, left: Double) =
         (48, 24, 56, 68), xDomain: (Double, Double), yDomain: (Double, Double)) {
        self.width = width
        self.height = height
        self.top = margins.top
        self.right = width - margins.right
        self.bottom = height - margins.bottom
        self.left = margins.left
        x = LinearScale(domain: xDomain, range: (margins.left, width - margins.right))
        y = LinearScale(domain: yDomain, range: (height - margins.bottom, margins.top))
    }

    static func n(_ value: Double) -> String { ReportFormat.fixed(value, places: 1) }

    static func escape(_ text: String) -> String {
        var out = ""
        for ch in text.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    mutating func raw(_ element: String) {
        body += element + "\n"
    }

    // MARK: Axes

    /// Horizontal grid lines and labels at `ticks` on the left axis, with a rotated axis title.
    mutating func yAxis(_ ticks: [Double], label: (Double) -> String, title: String) {
        for tick in ticks {
            let py = y(tick)
            raw("<line x1=\"\(SVGPlot.n(left))\" y1=\"\(SVGPlot.n(py))\" x2=\"\(SVGPlot.n(right))\" y2=\"\(SVGPlot.n(py))\" stroke=\"\(ChartColor.grid)\" stroke-width=\"1\"/>")
            raw("<text x=\"\(SVGPlot.n(left - 8))\" y=\"\(SVGPlot.n(py + 5))\" text-anchor=\"end\" fill=\"\(ChartColor.ink)\">\(SVGPlot.escape(label(tick)))</text>")
        }
        let cy = (top + bottom) / 2
        raw("<text x=\"16\" y=\"\(SVGPlot.n(cy))\" transform=\"rotate(-90 16 \(SVGPlot.n(cy)))\" text-anchor=\"middle\" fill=\"\(ChartColor.ink)\">\(SVGPlot.escape(title))</text>")
    }

    /// The bottom axis line with tick marks and labels at `ticks`, and its title below.
    mutating func xAxis(_ ticks: [Double], label: (Double) -> String, title: String) {
        raw("<line x1=\"\(SVGPlot.n(left))\" y1=\"\(SVGPlot.n(bottom))\" x2=\"\(SVGPlot.n(right))\" y2=\"\(SVGPlot.n(bottom))\" stroke=\"\(ChartColor.ink)\" stroke-width=\"1\"/>")
        for tick in ticks {
            let px = x(tick)
            raw("<line x1=\"\(SVGPlot.n(px))\" y1=\"\(SVGPlot.n(bottom))\" x2=\"\(SVGPlot.n(px))\" y2=\"\(SVGPlot.n(bottom + 6))\" stroke=\"\(ChartColor.ink)\" stroke-width=\"1\"/>")
            raw("<text x=\"\(SVGPlot.n(px))\" y=\"\(SVGPlot.n(bottom + 22))\" text-anchor=\"middle\" fill=\"\(ChartColor.ink)\">\(SVGPlot.escape(label(tick)))</text>")
        }
        raw("<text x=\"\(SVGPlot.n((left + right) / 2))\" y=\"\(SVGPlot.n(height - 10))\" text-anchor=\"middle\" fill=\"\(ChartColor.ink)\">\(SVGPlot.escape(title))</text>")
    }

    /// The left axis line (drawn after the data so it stays on top).
    mutating func yAxisLine() {
        raw("<line x1=\"\(SVGPlot.n(left))\" y1=\"\(SVGPlot.n(top))\" x2=\"\(SVGPlot.n(left))\" y2=\"\(SVGPlot.n(bottom))\" stroke=\"\(ChartColor.ink)\" stroke-width=\"1\"/>")
    }

    // MARK: Marks

    /// A line through the points; a nil value breaks the line into separate runs.
    mutating func line(_ points: [(Double, Double?)], color: String, width: Double = 2.5, dashed: Bool = false) {
        var run: [String] = []
        func emit() {
            if run.count == 1 {
                // A lone point would be invisible as a polyline.
                let parts = run[0].split(separator: ",")
                raw("<circle cx=\"\(parts[0])\" cy=\"\(parts[1])\" r=\"\(SVGPlot.n(width))\" fill=\"\(color)\"/>")
            } else if run.count > 1 {
                let dash = dashed ? " stroke-dasharray=\"7 5\"" : ""
                raw("<polyline points=\"\(run.joined(separator: " "))\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"\(SVGPlot.n(width))\" stroke-linejoin=\"round\" stroke-linecap=\"round\"\(dash)/>")
            }
            run = []
        }
        for (px, py) in points {
            if let py, py.isFinite {
                run.append(SVGPlot.n(x(px)) + "," + SVGPlot.n(y(py)))
            } else {
                emit()
            }
        }
        emit()
    }

    /// Dots at the points; nil values are skipped.
    mutating func dots(_ points: [(Double, Double?)], color: String, radius: Double = 3.5) {
        for (px, py) in points {
            guard let py, py.isFinite else { continue }
            raw("<circle cx=\"\(SVGPlot.n(x(px)))\" cy=\"\(SVGPlot.n(y(py)))\" r=\"\(SVGPlot.n(radius))\" fill=\"\(color)\" fill-opacity=\"0.75\"/>")
        }
    }

    /// A horizontal reference line across the plot at data value `value`, labelled at its right end (or its left
    /// end with `leading`), above the line (or below it with `below`).
    mutating func referenceLine(at value: Double, label: String, color: String, leading: Bool = false, below: Bool = false) {
        let py = y(value)
        raw("<line x1=\"\(SVGPlot.n(left))\" y1=\"\(SVGPlot.n(py))\" x2=\"\(SVGPlot.n(right))\" y2=\"\(SVGPlot.n(py))\" stroke=\"\(color)\" stroke-width=\"1.5\" stroke-dasharray=\"4 4\"/>")
        let labelX = leading ? left + 6 : right - 4
        let labelY = below ? py + 18 : py - 6
        raw("<text x=\"\(SVGPlot.n(labelX))\" y=\"\(SVGPlot.n(labelY))\" text-anchor=\"\(leading ? "start" : "end")\" fill=\"\(color)\" font-size=\"14\">\(SVGPlot.escape(label))</text>")
    }

    /// A rectangle in pixel coordinates, with a tooltip.
    mutating func rect(x0: Double, y0: Double, x1: Double, y1: Double, color: String, tooltip: String? = nil) {
        let minX = min(x0, x1), minY = min(y0, y1)
        let w = abs(x1 - x0), h = abs(y1 - y0)
        let title = tooltip.map { "<title>\(SVGPlot.escape($0))</title>" } ?? ""
        raw("<rect x=\"\(SVGPlot.n(minX))\" y=\"\(SVGPlot.n(minY))\" width=\"\(SVGPlot.n(w))\" height=\"\(SVGPlot.n(h))\" fill=\"\(color)\">\(title)</rect>")
    }

    /// Text at a pixel position.
    mutating func text(_ content: String, x px: Double, y py: Double, anchor: String = "middle", color: String = ChartColor.ink,
                       size: Int? = nil, weight: String? = nil) {
        let sizeAttr = size.map { " font-size=\"\($0)\"" } ?? ""
        let weightAttr = weight.map { " font-weight=\"\($0)\"" } ?? ""
        raw("<text x=\"\(SVGPlot.n(px))\" y=\"\(SVGPlot.n(py))\" text-anchor=\"\(anchor)\" fill=\"\(color)\"\(sizeAttr)\(weightAttr)>\(SVGPlot.escape(content))</text>")
    }

    /// A legend in one row above the plot area, starting at its left edge; wraps to a second row when needed.
    mutating func legend(_ items: [LegendItem]) {
        var px = left
        var py = 22.0
        for item in items {
            // Rough width: about 8 px per character at 15 px, plus the mark and a gap.
            let itemWidth = 34 + Double(item.label.count) * 8.2 + 18
            if px + itemWidth > width - 8 && px > left {
                px = left
                py += 20
            }
            switch item.mark {
            case .line:
                raw("<line x1=\"\(SVGPlot.n(px))\" y1=\"\(SVGPlot.n(py - 5))\" x2=\"\(SVGPlot.n(px + 26))\" y2=\"\(SVGPlot.n(py - 5))\" stroke=\"\(item.color)\" stroke-width=\"3\"/>")
            case .dashed:
                raw("<line x1=\"\(SVGPlot.n(px))\" y1=\"\(SVGPlot.n(py - 5))\" x2=\"\(SVGPlot.n(px + 26))\" y2=\"\(SVGPlot.n(py - 5))\" stroke=\"\(item.color)\" stroke-width=\"2\" stroke-dasharray=\"4 4\"/>")
            case .dot:
                raw("<circle cx=\"\(SVGPlot.n(px + 13))\" cy=\"\(SVGPlot.n(py - 5))\" r=\"4.5\" fill=\"\(item.color)\"/>")
            case .box:
                raw("<rect x=\"\(SVGPlot.n(px + 5))\" y=\"\(SVGPlot.n(py - 13))\" width=\"16\" height=\"16\" fill=\"\(item.color)\"/>")
            }
            raw("<text x=\"\(SVGPlot.n(px + 32))\" y=\"\(SVGPlot.n(py))\" fill=\"\(ChartColor.ink)\">\(SVGPlot.escape(item.label))</text>")
            px += itemWidth
        }
    }

    /// The finished `<svg>` element: scales to its container's width (viewBox + width 100%), with an
    /// accessible title and description.
    func svg(title: String, description: String) -> String {
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(SVGPlot.n(width)) \(SVGPlot.n(height))\" width=\"100%\" role=\"img\" "
        out += "font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif\" font-size=\"15\">\n"
        out += "<title>\(SVGPlot.escape(title))</title>\n<desc>\(SVGPlot.escape(description))</desc>\n"
        out += body
        out += "</svg>"
        return out
    }
}
