// Locale-independent, deterministic text for numbers, money, times and durations in reports.
//
// Nothing here uses `String(format:)`, `NumberFormatter` or `DateFormatter`: their output depends on the
// platform's C library and locale, and reports must be byte-identical everywhere.

/// Deterministic formatting of numbers, money and virtual times for CSV, Markdown, JSON and SVG output.
public enum ReportFormat {
    /// `value` with exactly `places` decimals (0...9), rounded half away from zero; "" for NaN and infinities.
    ///
    /// Negative zero and values that round to zero print without a sign ("0.000000").
    public static func fixed(_ value: Double, places: Int) -> String {
        guard value.isFinite else { return "" }
        let places = max(0, min(9, places))
        var scale: Double = 1
        for _ in 0..<places { scale *= 10 }
        let scaled = (value * scale).rounded(.toNearestOrAwayFromZero)
        // Beyond 2^53 the scaled value has no fractional digits left to print; fall back to Swift's
        // shortest round-trip form, which is locale-independent too.
        guard abs(scaled) < 9.0e15 else { return "\(value)" }
        let units = Int64(scaled)
        if units == 0 { return places == 0 ? "0" : "0." + String(repeating: "0", count: places) }
        let negative = units < 0
        let magnitude = units.magnitude
        let divisor = UInt64(scale)
        let whole = magnitude / divisor
        let fraction = magnitude % divisor
        var text = negative ? "-" : ""
        text += String(whole)
        if places > 0 {
            let digits = String(fraction)
            text += "." + String(repeating: "0", count: places - digits.count) + digits
        }
        return text
    }

    /// An integer with `,` between groups of three digits ("1,234,567").
    public static func grouped(_ value: Int64) -> String {
        let digits = String(value.magnitude)
        var out = value < 0 ? "-" : ""
        let count = digits.count
        for (index, ch) in digits.enumerated() {
            if index > 0 && (count - index) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return out
    }

    /// Millisatoshis as sats with up to three decimals, exact (integer arithmetic): 1234567 -> "1234.567".
    public static func sats(_ msat: Int64) -> String {
        let negative = msat < 0
        let magnitude = msat.magnitude
        let whole = magnitude / 1000
        let fraction = magnitude % 1000
        var text = negative ? "-" : ""
        text += String(whole)
        if fraction != 0 {
            var digits = String(fraction)
            digits = String(repeating: "0", count: 3 - digits.count) + digits
            while digits.hasSuffix("0") { digits.removeLast() }
            text += "." + digits
        }
        return text
    }

    /// Millisatoshis as grouped sats without a unit: 1234567 -> "1,234.567".
    public static func satsGrouped(_ msat: Int64) -> String {
        let plain = sats(msat)
        let negative = plain.hasPrefix("-")
        let body = negative ? String(plain.dropFirst()) : plain
        let parts = body.split(separator: ".", maxSplits: 1).map(String.init)
        let whole = grouped(Int64(parts[0]) ?? 0)
        let text = parts.count > 1 ? whole + "." + parts[1] : whole
        return (negative ? "-" : "") + text
    }

    /// Millisatoshis as grouped sats for people: 1234567 -> "1,234.567 sats".
    public static func satsLabel(_ msat: Int64) -> String {
        satsGrouped(msat) + " sats"
    }

    /// A ratio as a percentage with `places` decimals ("27.5%"); "n/a" for nil or non-finite values.
    public static func percent(_ ratio: Double?, places: Int = 1) -> String {
        guard let ratio, ratio.isFinite else { return "n/a" }
        return fixed(ratio * 100, places: places) + "%"
    }

    /// A virtual duration for people: "850 ms", "42.0 s", "12m 05s", "3h 07m", "2d 04h".
    public static func duration(ms: Double?) -> String {
        guard let ms, ms.isFinite else { return "n/a" }
        let negative = ms < 0
        let value = abs(ms)
        let sign = negative ? "-" : ""
        if value < 1000 { return sign + fixed(value, places: 0) + " ms" }
        if value < 60_000 { return sign + fixed(value / 1000, places: 1) + " s" }
        let totalSeconds = Int64((value / 1000).rounded(.toNearestOrAwayFromZero))
        if totalSeconds < 3600 {
            return sign + "\(totalSeconds / 60)m " + twoDigits(totalSeconds % 60) + "s"
        }
        let totalMinutes = Int64((value / 60_000).rounded(.toNearestOrAwayFromZero))
        if totalMinutes < 48 * 60 {
            return sign + "\(totalMinutes / 60)h " + twoDigits(totalMinutes % 60) + "m"
        }
        let totalHours = Int64((value / 3_600_000).rounded(.toNearestOrAwayFromZero))
        return sign + "\(totalHours / 24)d " + twoDigits(totalHours % 24) + "h"
    }

    /// A virtual duration given in integer milliseconds; see `duration(ms:)`.
    public static func duration(ms: Int64?) -> String {
        duration(ms: ms.map(Double.init))
    }

    /// UTC ISO 8601 time with milliseconds ("2026-01-01T00:05:00.000Z") for `epochMs` since 1970-01-01.
    public static func iso8601(epochMs: Int64) -> String {
        let msPerDay: Int64 = 86_400_000
        var days = epochMs / msPerDay
        var msOfDay = epochMs % msPerDay
        if msOfDay < 0 { msOfDay += msPerDay; days -= 1 }
        let (year, month, day) = civilFromDays(days)
        let hours = msOfDay / 3_600_000
        let minutes = (msOfDay / 60_000) % 60
        let seconds = (msOfDay / 1000) % 60
        let millis = msOfDay % 1000
        let yearText = year >= 0 && year < 10000 ? pad(year, 4) : String(year)
        return yearText + "-" + twoDigits(month) + "-" + twoDigits(day) + "T" + twoDigits(hours) + ":"
            + twoDigits(minutes) + ":" + twoDigits(seconds) + "." + pad(millis, 3) + "Z"
    }

    /// Days since 1970-01-01 to a proleptic Gregorian (year, month, day) (Howard Hinnant's algorithm).
    static func civilFromDays(_ daysSinceEpoch: Int64) -> (Int64, Int64, Int64) {
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    static func twoDigits(_ value: Int64) -> String { pad(value, 2) }

    static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
