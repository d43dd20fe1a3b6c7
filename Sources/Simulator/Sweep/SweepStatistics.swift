/// A sample's mean with its standard deviation and 95% confidence interval (Student t).
public struct SweepEstimate: Sendable, Equatable {
    /// The number of (non-missing) observations.
    public var n: Int
    /// The arithmetic mean; nil for an empty sample.
    public var mean: Double?
    /// The sample standard deviation (n - 1 in the denominator); nil below two observations.
    public var sd: Double?
    /// Half the width of the 95% confidence interval of the mean, `t(0.975, n-1) * sd / sqrt(n)`; nil below two
    /// observations.
    public var halfWidth: Double?

    /// The lower end of the 95% confidence interval of the mean.
    public var ciLow: Double? { mean.flatMap { m in halfWidth.map { m - $0 } } }
    /// The upper end of the 95% confidence interval of the mean.
    public var ciHigh: Double? { mean.flatMap { m in halfWidth.map { m + $0 } } }

    /// The estimate for `values` (nil entries, missing figures, are left out).
    public init(_ values: [Double?]) {
        let sample = values.compactMap { $0 }.filter(\.isFinite)
        n = sample.count
        guard !sample.isEmpty else { return }
        var sum = 0.0
        for v in sample { sum += v }
        let m = sum / Double(n)
        mean = m
        guard n >= 2 else { return }
        var squares = 0.0
        for v in sample { squares += (v - m) * (v - m) }
        let s = (squares / Double(n - 1)).squareRoot()
        sd = s
        halfWidth = SweepStatistics.tQuantile975(degreesOfFreedom: n - 1) * s / Double(n).squareRoot()
    }
}

/// The statistics behind `aggregate.csv`.
public enum SweepStatistics {
    /// Exact 97.5% quantiles of Student's t for 1 ... 30 degrees of freedom (to 10 decimals).
    static let t975: [Double] = [
        12.7062047362, 4.3026527297, 3.1824463053, 2.7764451052, 2.5705818356, 2.4469118511, 2.3646242516,
        2.3060041352, 2.2621571628, 2.2281388520, 2.2009851601, 2.1788128297, 2.1603686565, 2.1447866879,
        2.1314495456, 2.1199052992, 2.1098155778, 2.1009220402, 2.0930240544, 2.0859634473, 2.0796138447,
        2.0738730679, 2.0686576104, 2.0638985616, 2.0595385528, 2.0555294386, 2.0518305165, 2.0484071418,
        2.0452296421, 2.0422724563,
    ]

    /// The 97.5% quantile of Student's t with `df` degrees of freedom: the multiplier of the standard error in a
    /// two-sided 95% confidence interval.
    ///
    /// Exact (table) up to 30 degrees of freedom; beyond, the Cornish-Fisher expansion of t around the normal
    /// quantile (Hill 1970, four terms), whose error there is below 1e-7. NaN for `df < 1`.
    public static func tQuantile975(degreesOfFreedom df: Int) -> Double {
        guard df >= 1 else { return .nan }
        if df <= t975.count { return t975[df - 1] }
        let z = 1.959963984540054
        let n = Double(df)
        let z2 = z * z, z3 = z2 * z, z5 = z3 * z2, z7 = z5 * z2, z9 = z7 * z2
        let g1 = (z3 + z) / 4
        let g2 = (5 * z5 + 16 * z3 + 3 * z) / 96
        let g3 = (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / 384
        let g4 = (79 * z9 + 776 * z7 + 1482 * z5 - 1920 * z3 - 945 * z) / 92160
        return z + g1 / n + g2 / (n * n) + g3 / (n * n * n) + g4 / (n * n * n * n)
    }
}
