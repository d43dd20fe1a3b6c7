import JSON

/// How a sweep combines its axes into parameter points.
public enum SweepMode: String, Sendable, Equatable, CaseIterable {
    /// Every combination of the axes' values (the first axis varies slowest).
    case grid
    /// The axes' value lists side by side: point i takes value i of every axis (all lists have one length).
    case zip
}

/// One swept parameter: a JSON path into the scenario document and the values it takes, in order.
public struct SweepAxis: Sendable, Equatable {
    /// Where the value goes, e.g. `market.worker_share` or `resolvers[0].count`.
    public var path: SweepPath
    /// The values, in the order they are swept; never empty.
    public var values: [JSONValue]

    /// Creates an axis.
    public init(path: SweepPath, values: [JSONValue]) {
        self.path = path
        self.values = values
    }

    /// The axis's column in `runs.csv` and `aggregate.csv`: the path with dots and brackets turned into underscores
    /// (`resolvers[0].count` -> `resolvers_0_count`).
    public var column: String { path.column }

    /// A value as it appears in the CSV files and reports: numbers in their shortest exact form, strings as they
    /// are (as a JSON literal when they hold control characters), anything else as compact JSON.
    public static func text(_ value: JSONValue) -> String {
        switch value {
        case .string(let s):
            return s.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F } ? value.serializedString() : s
        default:
            return value.serializedString()
        }
    }
}

/// The scenario's optional `sweep` block (`docs/scenarios.md`): parameter axes, how they combine, and how many
/// Monte Carlo replicates run at each point.
public struct SweepSpec: Sendable, Equatable {
    /// Full grid or zipped lists.
    public var mode: SweepMode
    /// Replicates (seeds) per parameter point; >= 1.
    public var seeds: Int
    /// The swept parameters, in the order of the file; may be empty (a plain Monte Carlo of the scenario).
    public var axes: [SweepAxis]
    /// When true, replicate r uses the same seed at every point (common random numbers: differences between points
    /// are measured on the same random draws); when false (the default) every (point, replicate) has its own seed.
    public var commonRandomNumbers: Bool

    /// Creates a sweep description.
    public init(mode: SweepMode = .grid, seeds: Int = 1, axes: [SweepAxis] = [], commonRandomNumbers: Bool = false) {
        self.mode = mode
        self.seeds = seeds
        self.axes = axes
        self.commonRandomNumbers = commonRandomNumbers
    }

    /// The number of parameter points: the product of the axes' lengths (grid) or their common length (zip);
    /// 1 without axes.
    public var pointCount: Int {
        guard let first = axes.first else { return 1 }
        switch mode {
        case .grid:
            var product = 1
            for axis in axes {
                let (next, overflow) = product.multipliedReportingOverflow(by: axis.values.count)
                product = overflow ? Int.max : next
            }
            return product
        case .zip:
            return first.values.count
        }
    }

    /// For each point in order, the index of the value each axis takes.
    ///
    /// Grid points run like an odometer with the last axis fastest, so point 0 is every axis's first value and
    /// the first axis changes slowest; zipped point i takes value i of every axis.
    public func pointValueIndices() -> [[Int]] {
        guard !axes.isEmpty else { return [[]] }
        switch mode {
        case .zip:
            return (0..<pointCount).map { i in axes.map { _ in i } }
        case .grid:
            var result: [[Int]] = []
            result.reserveCapacity(pointCount)
            var current = axes.map { _ in 0 }
            while true {
                result.append(current)
                var axis = axes.count - 1
                while axis >= 0 {
                    current[axis] += 1
                    if current[axis] < axes[axis].values.count { break }
                    current[axis] = 0
                    axis -= 1
                }
                if axis < 0 { return result }
            }
        }
    }

    /// The values of `from`, `from + step`, ... up to `to` (inclusive, with a tolerance of a billionth of a step).
    ///
    /// Integers when all three are integers; otherwise decimals rounded to 10 places, so `0.6 + 0.05` is 0.65 and
    /// not 0.6499999999999999.
    public static func range(from: JSONValue, to: JSONValue, step: JSONValue) -> [JSONValue] {
        if case .int(let a) = from, case .int(let b) = to, case .int(let s) = step, s > 0, b >= a {
            return stride(from: a, through: b, by: Int(s)).map { .int($0) }
        }
        guard let a = from.doubleValue, let b = to.doubleValue, let s = step.doubleValue, s > 0, b >= a else { return [] }
        let count = Int(((b - a) / s + 1e-9).rounded(.down)) + 1
        return (0..<count).map { i in .double(((a + Double(i) * s) * 1e10).rounded() / 1e10) }
    }
}
