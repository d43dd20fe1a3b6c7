/// One run's row of `runs.csv`: its identity, its figures, and the exact line written.
public struct SweepRow: Sendable, Equatable {
    /// `point * seeds + replicate`.
    public var run: Int
    /// The parameter point.
    public var point: Int
    /// The replicate at that point, from 0.
    public var replicate: Int
    /// The run's seed.
    public var seed: UInt64
    /// The figures in the order of `SweepMetrics.all`, as written (rounded to the column's decimals).
    public var figures: [Double?]
    /// The CSV line, without its newline.
    public var line: String
}

/// The `runs.csv` format: header, writing and reading rows back (for `--resume` and `merge`).
public enum SweepTable {
    /// The columns: `point, replicate, seed`, one per axis, then the figures.
    public static func header(_ plan: SweepPlan) -> [String] {
        ["point", "replicate", "seed"] + plan.axisColumns + SweepMetrics.all.map(\.name)
    }

    /// The header line.
    public static func headerLine(_ plan: SweepPlan) -> String {
        header(plan).map(CSVWriter.escape).joined(separator: ",")
    }

    /// The row of a finished run. Figures are rounded as they are written, so the row read back from the file
    /// is equal to this one.
    public static func row(_ plan: SweepPlan, run: SweepRun, figures: [Double?]) -> SweepRow {
        let point = plan.points[run.point]
        var fields = [String(run.point), String(run.replicate), String(run.seed)]
        fields += point.values.map(SweepAxis.text)
        var written: [Double?] = []
        for (metric, value) in zip(SweepMetrics.all, figures) {
            let text = metric.text(value)
            fields.append(text)
            written.append(metric.parse(text) ?? nil)
        }
        return SweepRow(run: run.index, point: run.point, replicate: run.replicate, seed: run.seed, figures: written,
                        line: fields.map(CSVWriter.escape).joined(separator: ","))
    }

    /// A line of a `runs.csv` file as a row of this plan, or why it is not one: wrong field count, a point or
    /// replicate outside the plan, a seed or axis value that is not the plan's, a malformed figure.
    public static func parse(_ line: String, plan: SweepPlan) -> Result<SweepRow, SweepError> {
        func bad(_ reason: String) -> Result<SweepRow, SweepError> { .failure(SweepError([reason])) }
        guard let fields = splitCSV(line) else { return bad("unbalanced quotes") }
        let axes = plan.spec.axes.count
        let expected = 3 + axes + SweepMetrics.all.count
        guard fields.count == expected else { return bad("has \(fields.count) fields, expected \(expected)") }
        guard let point = Int(fields[0]), plan.points.indices.contains(point) else { return bad("point '\(fields[0])' is not in the sweep") }
        guard let replicate = Int(fields[1]), replicate >= 0 else { return bad("replicate '\(fields[1])' is not a replicate") }
        guard replicate < plan.seeds else { return bad("replicate \(replicate) is beyond the sweep's \(plan.seeds) seeds") }
        let run = plan.run(point * plan.seeds + replicate)
        guard fields[2] == String(run.seed) else {
            return bad("point \(point) replicate \(replicate) has seed \(fields[2]), but this sweep gives it seed \(run.seed)")
        }
        for (i, value) in plan.points[point].values.enumerated() where fields[3 + i] != SweepAxis.text(value) {
            return bad("point \(point) has \(plan.axisColumns[i])=\(fields[3 + i]), but this sweep gives it \(SweepAxis.text(value))")
        }
        var figures: [Double?] = []
        for (i, metric) in SweepMetrics.all.enumerated() {
            guard let value = metric.parse(fields[3 + axes + i]) else {
                return bad("\(metric.name) '\(fields[3 + axes + i])' is not a valid figure")
            }
            figures.append(value)
        }
        return .success(SweepRow(run: run.index, point: point, replicate: replicate, seed: run.seed, figures: figures, line: line))
    }

    /// The fields of one RFC 4180 line (no embedded newlines); nil when a quote is left open.
    static func splitCSV(_ line: String) -> [String]? {
        var fields: [String] = []
        var current = ""
        var quoted = false
        var chars = line.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        while let c = pending ?? chars.next() {
            pending = nil
            if quoted {
                if c == "\"" {
                    if let next = chars.next() {
                        if next == "\"" { current.unicodeScalars.append("\"") } else { quoted = false; pending = next }
                    } else {
                        quoted = false
                    }
                } else {
                    current.unicodeScalars.append(c)
                }
            } else if c == "," {
                fields.append(current)
                current = ""
            } else if c == "\"" && current.isEmpty {
                quoted = true
            } else {
                current.unicodeScalars.append(c)
            }
        }
        guard !quoted else { return nil }
        fields.append(current)
        return fields
    }

    /// The text of a whole `runs.csv` file, rows sorted by (point, replicate).
    public static func text(_ plan: SweepPlan, rows: [SweepRow]) -> String {
        var out = headerLine(plan) + "\n"
        for row in rows.sorted(by: { $0.run < $1.run }) { out += row.line + "\n" }
        return out
    }
}
