/// Descriptive statistics used by the reports. Every function returns nil for an empty sample.
public enum ReportStats {
    /// The arithmetic mean.
    public static func mean(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        var sum = 0.0
        for value in values { sum += value }
        return sum / Double(values.count)
    }

    /// The median: the middle value of the sorted sample, or the mean of the two middle values when the count is even.
    public static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// The Gini coefficient of non-negative values: 0 when all are equal, (n-1)/n when one holds everything.
    ///
    /// Uses `G = 2 * sum(i * x_i) / (n * sum(x)) - (n + 1) / n` over the ascending sample (i from 1).
    /// A sample that sums to zero has no inequality: 0.
    public static func gini(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        var total = 0.0
        var weighted = 0.0
        for (index, value) in sorted.enumerated() {
            total += value
            weighted += Double(index + 1) * value
        }
        guard total > 0 else { return 0 }
        let n = Double(sorted.count)
        return max(0, 2 * weighted / (n * total) - (n + 1) / n)
    }

    /// The share of the total held by the largest `percent`% of the values (at least one value).
    ///
    /// With 10 values and `percent` 10 this is the largest value over the sum. A sample that sums to zero gives 0.
    public static func topShare(_ values: [Double], percent: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted(by: >)
        var total = 0.0
        for value in sorted { total += value }
        guard total > 0 else { return 0 }
        let wanted = (Double(sorted.count) * percent / 100).rounded(.up)
        let count = max(1, min(sorted.count, Int(wanted)))
        var top = 0.0
        for value in sorted.prefix(count) { top += value }
        return top / total
    }

    /// Points of the Lorenz curve: (share of the population, share of the total held by it), ascending,
    /// starting at (0, 0); at most `maxPoints` + 1 points, evenly spaced over the population.
    public static func lorenzCurve(_ values: [Double], maxPoints: Int = 200) -> [(Double, Double)] {
        guard !values.isEmpty else { return [] }
        let sorted = values.sorted()
        var cumulative = [0.0]
        cumulative.reserveCapacity(sorted.count + 1)
        for value in sorted { cumulative.append((cumulative.last ?? 0) + value) }
        let total = cumulative.last ?? 0
        let n = sorted.count
        let steps = max(1, min(n, maxPoints))
        var points: [(Double, Double)] = []
        for step in 0...steps {
            let index = step * n / steps
            let share = total > 0 ? cumulative[index] / total : Double(index) / Double(n)
            points.append((Double(index) / Double(n), share))
        }
        return points
    }

    /// Convenience for integer samples (e.g. msat); see `mean(_:)`.
    public static func mean(_ values: [Int64]) -> Double? { mean(values.map(Double.init)) }
    /// Convenience for integer samples; see `median(_:)`.
    public static func median(_ values: [Int64]) -> Double? { median(values.map(Double.init)) }
    /// Convenience for integer samples; see `gini(_:)`.
    public static func gini(_ values: [Int64]) -> Double? { gini(values.map(Double.init)) }
    /// Convenience for integer samples; see `topShare(_:percent:)`.
    public static func topShare(_ values: [Int64], percent: Double) -> Double? { topShare(values.map(Double.init), percent: percent) }
}

/// A streaming quantile estimate in constant memory: the P² algorithm of Jain and Chlamtac (1985).
///
/// Keeps five markers whatever the number of observations; exact while fewer than five have been seen.
/// Deterministic: the same observations in the same order give the same estimate.
public struct StreamingQuantile: Sendable, Equatable {
    /// The quantile estimated, in (0, 1); 0.5 is the median.
    public let p: Double
    /// The number of observations so far.
    public private(set) var count: Int = 0

    private var heights: [Double] = []
    private var positions: [Double] = [1, 2, 3, 4, 5]
    private var desired: [Double]
    private let increments: [Double]

    /// An estimator of the `p` quantile (clamped to [0.001, 0.999]).
    public init(p: Double) {
        let p = min(0.999, max(0.001, p))
        self.p = p
        desired = [1, 1 + 2 * p, 1 + 4 * p, 3 + 2 * p, 5]
        increments = [0, p / 2, p, (1 + p) / 2, 1]
        heights.reserveCapacity(5)
    }

    /// Adds one observation (non-finite values are ignored).
    public mutating func add(_ x: Double) {
        guard x.isFinite else { return }
        count += 1
        if count <= 5 {
            heights.append(x)
            if count == 5 { heights.sort() }
            return
        }
        // Find the cell k with heights[k] <= x < heights[k+1], stretching the extremes.
        let k: Int
        if x < heights[0] {
            heights[0] = x
            k = 0
        } else if x >= heights[4] {
            heights[4] = x
            k = 3
        } else {
            var cell = 0
            while cell < 3 && x >= heights[cell + 1] { cell += 1 }
            k = cell
        }
        for i in (k + 1)..<5 { positions[i] += 1 }
        for i in 0..<5 { desired[i] += increments[i] }
        for i in 1...3 {
            let d = desired[i] - positions[i]
            if (d >= 1 && positions[i + 1] - positions[i] > 1) || (d <= -1 && positions[i - 1] - positions[i] < -1) {
                let step: Double = d >= 0 ? 1 : -1
                let candidate = parabolic(i, step)
                if heights[i - 1] < candidate && candidate < heights[i + 1] {
                    heights[i] = candidate
                } else {
                    heights[i] = linear(i, step)
                }
                positions[i] += step
            }
        }
    }

    /// The current estimate; nil before any observation. Exact (linear interpolation) below five observations.
    public var estimate: Double? {
        guard count > 0 else { return nil }
        if count < 5 {
            let sorted = heights.sorted()
            let rank = p * Double(sorted.count - 1)
            let lower = Int(rank.rounded(.down))
            let upper = min(sorted.count - 1, lower + 1)
            let fraction = rank - Double(lower)
            return sorted[lower] + (sorted[upper] - sorted[lower]) * fraction
        }
        return heights[2]
    }

    private func parabolic(_ i: Int, _ d: Double) -> Double {
        let n = positions, q = heights
        let left = (n[i] - n[i - 1] + d) * (q[i + 1] - q[i]) / (n[i + 1] - n[i])
        let right = (n[i + 1] - n[i] - d) * (q[i] - q[i - 1]) / (n[i] - n[i - 1])
        return q[i] + d / (n[i + 1] - n[i - 1]) * (left + right)
    }

    private func linear(_ i: Int, _ d: Double) -> Double {
        let j = i + Int(d)
        return heights[i] + d * (heights[j] - heights[i]) / (positions[j] - positions[i])
    }
}
