/// Deterministic draws from common distributions.
///
/// Everything is built from `next()`, integer arithmetic, IEEE basic operations and `PortableMath`, never
/// from the standard library's `random(in:using:)` (whose algorithm may change between Swift releases) or
/// the C library's transcendental functions (which differ between platforms). Parameters that make no
/// sense (negative means, NaN) yield documented fallbacks rather than traps.
extension Xoshiro256StarStar {
    /// A uniform double in [0, 1): the top 53 bits of one draw, scaled by 2⁻⁵³.
    @inlinable
    public mutating func unit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A uniform integer in `range`, without modulo bias (Lemire's multiply-and-reject method).
    public mutating func uniform(_ range: ClosedRange<Int64>) -> Int64 {
        let width = UInt64(bitPattern: range.upperBound &- range.lowerBound)
        if width == UInt64.max { return Int64(bitPattern: next()) }
        let bound = width &+ 1
        var product = next().multipliedFullWidth(by: bound)
        if product.low < bound {
            let threshold = (0 &- bound) % bound
            while product.low < threshold {
                product = next().multipliedFullWidth(by: bound)
            }
        }
        return range.lowerBound &+ Int64(bitPattern: product.high)
    }

    /// A uniform double in [min, max) (the bounds may come in either order; equal bounds return that value).
    public mutating func uniformDouble(min: Double, max: Double) -> Double {
        let low = Swift.min(min, max)
        let high = Swift.max(min, max)
        let value = low + (high - low) * unit()
        // Rounding can land exactly on `high` when the span is tiny relative to the bounds.
        return value < high ? value : low
    }

    /// True with probability `p`; p <= 0 (or NaN) is never true, p >= 1 always. Consumes one draw either way.
    public mutating func bernoulli(_ p: Double) -> Bool {
        unit() < p
    }

    /// An exponential variate with the given mean, by inverse CDF: -mean·ln(1 - u), u in [0, 1).
    ///
    /// `1 - u` lies in (0, 1], so the logarithm is finite; the largest possible value is about 36.7 × mean.
    /// A non-positive or NaN mean returns 0.
    public mutating func exponential(mean: Double) -> Double {
        let u = unit()
        guard mean > 0 else { return 0 }
        return -mean * PortableMath.log(1.0 - u)
    }

    /// The delay in whole milliseconds until the next arrival of a Poisson process with `ratePerHour`
    /// arrivals per hour (exponential inter-arrival times, rounded to the nearest millisecond).
    ///
    /// Returns nil when the rate is not positive and finite: such a process never fires.
    public mutating func poissonArrivalDelay(ratePerHour: Double) -> Int64? {
        guard ratePerHour > 0, ratePerHour.isFinite else { return nil }
        let delay = exponential(mean: 3_600_000.0 / ratePerHour)
        return Self.clampedInt64(delay.rounded(.toNearestOrAwayFromZero))
    }

    /// A standard normal variate (mean 0, variance 1) by Marsaglia's polar method.
    ///
    /// Each call consumes a variable number of draws and discards the second variate of the pair, so the
    /// stream's position depends only on the number of calls made, never on hidden cached state.
    public mutating func normal() -> Double {
        while true {
            let x = 2.0 * unit() - 1.0
            let y = 2.0 * unit() - 1.0
            let s = x * x + y * y
            if s > 0 && s < 1 {
                return x * (-2.0 * PortableMath.log(s) / s).squareRoot()
            }
        }
    }

    /// A normal variate with the given mean and standard deviation.
    public mutating func normal(mean: Double, standardDeviation: Double) -> Double {
        mean + standardDeviation * normal()
    }

    /// A log-normal variate: `median · e^(sigma·Z)` with Z standard normal, so half the draws fall below
    /// `median`. A negative sigma is treated as its absolute value.
    public mutating func lognormal(median: Double, sigma: Double) -> Double {
        median * PortableMath.exp(abs(sigma) * normal())
    }

    /// An index chosen with probability proportional to its weight.
    ///
    /// Negative, NaN and infinite weights count as 0. Returns nil when no weight is positive (including an
    /// empty array) or when the weights' sum overflows; never returns the index of a zero weight.
    public mutating func weightedIndex(weights: [Double]) -> Int? {
        var total = 0.0
        var lastPositive: Int? = nil
        for (index, weight) in weights.enumerated() where Self.usable(weight) {
            total += weight
            lastPositive = index
        }
        guard let fallback = lastPositive, total > 0, total.isFinite else { return nil }
        let target = unit() * total
        var cumulative = 0.0
        for (index, weight) in weights.enumerated() where Self.usable(weight) {
            cumulative += weight
            if target < cumulative { return index }
        }
        // Only reachable when rounding leaves `cumulative` a hair below `target`.
        return fallback
    }

    @inline(__always)
    private static func usable(_ weight: Double) -> Bool {
        weight > 0 && weight.isFinite
    }

    /// Converts a whole-valued double to Int64 without trapping: out-of-range values saturate, NaN gives 0.
    internal static func clampedInt64(_ value: Double) -> Int64 {
        if value.isNaN { return 0 }
        if value >= 0x1p63 { return Int64.max }
        if value < -0x1p63 { return Int64.min }
        return Int64(value)
    }
}
