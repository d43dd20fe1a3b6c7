import JSON

/// The `sweep` block: axes by JSON path, grid or zip, seeds per point.
///
/// Only the block's own shape is checked here. Whether a path names a real field, and whether every point's
/// values make a valid scenario, is checked by `SweepPlan`, which sets the values on the document and runs the
/// loader on each point.
extension ScenarioDecoder {
    static let sweepKeys = ["mode", "seeds", "axes", "common_random_numbers"]
    static let axisKeys = ["path", "values", "from", "to", "step"]
    /// Most replicates per point.
    static let maxSeeds: Int64 = 100_000
    /// Most values on one axis.
    static let maxAxisValues = 10_000
    /// Most runs in one sweep (points x seeds).
    static let maxSweepRuns = 10_000_000

    func sweep(_ value: JSONValue, _ path: JSONPath) -> SweepSpec? {
        guard let f = reader.object(value, at: path, keys: Self.sweepKeys) else { return nil }
        let mark = reader.problems.count
        let mode = reader.field(f, "mode") { self.reader.choice($0, $1, SweepMode.self) } ?? .grid
        let seeds = reader.field(f, "seeds") { self.reader.integer($0, $1, .atLeast(1, cap: Self.maxSeeds)) } ?? 1
        let common = reader.field(f, "common_random_numbers", reader.bool) ?? false
        let axes = reader.field(f, "axes", required: true) { value, axesPath -> [SweepAxis]? in
            guard let elements = self.reader.array(value, axesPath) else { return nil }
            let parsed = elements.enumerated().map { self.axis($0.element, axesPath.appending($0.offset)) }
            return parsed.contains { $0 == nil } ? nil : parsed.compactMap { $0 }
        }
        guard reader.problems.count == mark, let axes else { return nil }

        let axesPath = path.appending("axes")
        var firstByPath: [SweepPath: Int] = [:]
        for (index, axis) in axes.enumerated() {
            if let earlier = firstByPath[axis.path] {
                reader.report(axesPath.appending(index).appending("path"),
                              "duplicate axis path \(ScenarioReader.quoted(axis.path.description)) (also at \(axesPath.appending(earlier)))")
            } else {
                firstByPath[axis.path] = index
            }
        }
        if mode == .zip, let first = axes.first {
            for (index, axis) in axes.enumerated() where axis.values.count != first.values.count {
                reader.report(axesPath.appending(index),
                              "must have as many values as \(axesPath.appending(0)) (\(first.values.count)) in zip mode, got \(axis.values.count)")
            }
        }
        guard reader.problems.count == mark else { return nil }
        let spec = SweepSpec(mode: mode, seeds: Int(seeds), axes: axes, commonRandomNumbers: common)
        let points = spec.pointCount
        let (runs, overflow) = points.multipliedReportingOverflow(by: spec.seeds)
        if overflow || runs > Self.maxSweepRuns {
            reader.report(path, "must describe at most \(Self.maxSweepRuns) runs (points x seeds), got \(overflow ? "more" : "\(points) x \(spec.seeds) = \(runs)")")
            return nil
        }
        return spec
    }

    private func axis(_ value: JSONValue, _ path: JSONPath) -> SweepAxis? {
        guard let f = reader.object(value, at: path, keys: Self.axisKeys) else { return nil }
        let mark = reader.problems.count
        let sweepPath = reader.field(f, "path", required: true) { value, valuePath -> SweepPath? in
            guard let text = self.reader.string(value, valuePath) else { return nil }
            guard let parsed = SweepPath(text) else {
                self.reader.report(valuePath, "must be a path like market.worker_share or resolvers[0].count, got \(ScenarioReader.quoted(text))")
                return nil
            }
            if case .key(let root)? = parsed.components.first, root == "sweep" || root == "seed" {
                self.reader.report(valuePath, root == "seed"
                    ? "cannot sweep the seed: each run's seed comes from the scenario's seed, the point and the replicate (set seeds)"
                    : "cannot sweep the sweep block itself")
                return nil
            }
            return parsed
        }
        let ranged = ["from", "to", "step"].filter { reader.has(f, $0) }
        let values: [JSONValue]?
        if reader.has(f, "values") {
            if let extra = ranged.first {
                reader.report(path.appending(extra), "give either values or from/to/step, not both")
                return nil
            }
            values = reader.field(f, "values") { value, valuesPath -> [JSONValue]? in
                guard let list = self.reader.array(value, valuesPath, nonEmpty: true) else { return nil }
                guard list.count <= Self.maxAxisValues else {
                    self.reader.report(valuesPath, "must have at most \(Self.maxAxisValues) values, got \(list.count)")
                    return nil
                }
                for (index, element) in list.enumerated() where element.isNull {
                    self.reader.report(valuesPath.appending(index), "must not be null")
                }
                return list
            }
        } else if ranged.isEmpty {
            reader.report(path.appending("values"), "required field is missing (or give from, to and step)")
            values = nil
        } else {
            values = range(f, path)
        }
        guard reader.problems.count == mark, let sweepPath, let values else { return nil }
        return SweepAxis(path: sweepPath, values: values)
    }

    /// `{"from", "to", "step"}` as the list of values it covers.
    private func range(_ f: ScenarioReader.Fields, _ path: JSONPath) -> [JSONValue]? {
        let limits = ScenarioReader.Limits<Double>.caps(-1e15, 1e15)
        let number: (JSONValue, JSONPath) -> JSONValue? = { value, valuePath in
            self.reader.number(value, valuePath, limits).map { _ in value }
        }
        let from = reader.field(f, "from", required: true, number)
        let to = reader.field(f, "to", required: true, number)
        let step = reader.field(f, "step", required: true, number)
        guard let from, let to, let step, let a = from.doubleValue, let b = to.doubleValue, let s = step.doubleValue else { return nil }
        guard s > 0 else {
            reader.report(path.appending("step"), "must be greater than 0, got \(step.serializedString())")
            return nil
        }
        guard b >= a else {
            reader.report(path.appending("to"), "must be at least from (\(from.serializedString())), got \(to.serializedString())")
            return nil
        }
        guard (b - a) / s < Double(Self.maxAxisValues) else {
            reader.report(path.appending("step"), "must give at most \(Self.maxAxisValues) values from \(from.serializedString()) to \(to.serializedString()), got \(step.serializedString())")
            return nil
        }
        return SweepSpec.range(from: from, to: to, step: step)
    }
}
