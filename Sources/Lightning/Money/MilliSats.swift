/// An amount of bitcoin in millisatoshis (1 sat = 1000 msat). Money is never floating point.
public struct MilliSats: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// The amount in millisatoshis.
    public var rawValue: Int64

    /// 21 million BTC, the most that can ever exist, in msat.
    public static let maxSupply = MilliSats(rawValue: 21_000_000 * 100_000_000 * 1000)
    public static let zero = MilliSats(rawValue: 0)

    public init(rawValue: Int64) { self.rawValue = rawValue }
    public init(_ msat: Int64) { self.rawValue = msat }

    /// An amount in whole satoshis, or nil if it would overflow.
    public static func sats(_ sats: Int64) -> MilliSats? {
        let (v, o) = sats.multipliedReportingOverflow(by: 1000)
        return o ? nil : MilliSats(rawValue: v)
    }

    /// Whole satoshis, rounded down.
    public var wholeSats: Int64 { rawValue / 1000 }

    /// True when the amount is a whole number of satoshis.
    public var isWholeSats: Bool { rawValue % 1000 == 0 }

    /// Satoshis as a decimal string with up to three fractional digits ("70", "0.77"); for display only.
    public var satsString: String {
        let sign = rawValue < 0 ? "-" : ""
        let m = rawValue.magnitude
        let whole = m / 1000, frac = m % 1000
        if frac == 0 { return "\(sign)\(whole)" }
        var f = String(frac)
        while f.count < 3 { f = "0" + f }
        while f.hasSuffix("0") { f.removeLast() }
        return "\(sign)\(whole).\(f)"
    }

    public var description: String { "\(rawValue) msat" }

    public static func < (a: MilliSats, b: MilliSats) -> Bool { a.rawValue < b.rawValue }
    public static func + (a: MilliSats, b: MilliSats) -> MilliSats { MilliSats(rawValue: a.rawValue + b.rawValue) }
    public static func - (a: MilliSats, b: MilliSats) -> MilliSats { MilliSats(rawValue: a.rawValue - b.rawValue) }
    public static func += (a: inout MilliSats, b: MilliSats) { a.rawValue += b.rawValue }
    public static func -= (a: inout MilliSats, b: MilliSats) { a.rawValue -= b.rawValue }

    public init(from decoder: Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(Int64.self)
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }
}
