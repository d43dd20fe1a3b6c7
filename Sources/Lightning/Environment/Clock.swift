import Foundation
import Synchronization

/// A point in time: integer milliseconds since the Unix epoch. Simulations run on virtual instants.
public struct Instant: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var milliseconds: Int64

    public init(milliseconds: Int64) { self.milliseconds = milliseconds }
    public init(seconds: Int64) { self.milliseconds = seconds * 1000 }

    /// Whole seconds since the epoch, rounded down.
    public var seconds: Int64 { milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000 }

    public func adding(milliseconds ms: Int64) -> Instant { Instant(milliseconds: milliseconds + ms) }
    public func adding(seconds s: Int64) -> Instant { Instant(milliseconds: milliseconds + s * 1000) }

    /// RFC 3339 UTC text with milliseconds, e.g. `2026-12-03T16:23:29.000Z`; computed without Foundation's formatters.
    public var iso8601: String {
        let ms = ((milliseconds % 1000) + 1000) % 1000
        let totalSeconds = (milliseconds - ms) / 1000
        var days = totalSeconds / 86_400
        var rem = totalSeconds % 86_400
        if rem < 0 { rem += 86_400; days -= 1 }
        // Civil-from-days (Howard Hinnant's algorithm).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        var year = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        if month <= 2 { year += 1 }
        // Written as bytes: this runs for every timestamp of every response.
        var out = [UInt8](repeating: UInt8(ascii: "0"), count: 24)
        func put(_ v: Int64, at end: Int, width: Int) {
            var v = v
            for i in stride(from: end, to: end - width, by: -1) {
                out[i] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: v % 10)
                v /= 10
            }
        }
        put(year, at: 3, width: 4); out[4] = UInt8(ascii: "-")
        put(month, at: 6, width: 2); out[7] = UInt8(ascii: "-")
        put(day, at: 9, width: 2); out[10] = UInt8(ascii: "T")
        put(rem / 3600, at: 12, width: 2); out[13] = UInt8(ascii: ":")
        put(rem % 3600 / 60, at: 15, width: 2); out[16] = UInt8(ascii: ":")
        put(rem % 60, at: 18, width: 2); out[19] = UInt8(ascii: ".")
        put(ms, at: 22, width: 3); out[23] = UInt8(ascii: "Z")
        guard (0...9999).contains(year) else {
            return "\(year)-\(month)-\(day)T\(rem / 3600):\(rem % 3600 / 60):\(rem % 60).\(ms)Z"
        }
        return String(decoding: out, as: UTF8.self)
    }

    public var description: String { iso8601 }
    public static func < (a: Instant, b: Instant) -> Bool { a.milliseconds < b.milliseconds }
}

/// The source of "now". Market, Lightning and agents read time only through this.
public protocol Clock: Sendable {
    func now() -> Instant
}

/// A clock that moves only when told to; the simulator's virtual time and the tests' time.
public final class ManualClock: Clock {
    private let current: Mutex<Instant>

    public init(_ start: Instant) { current = Mutex(start) }

    public func now() -> Instant { current.withLock { $0 } }

    /// Sets the time; refuses to go backwards.
    public func set(_ instant: Instant) {
        current.withLock { if instant > $0 { $0 = instant } }
    }

    public func advance(milliseconds: Int64) {
        current.withLock { $0 = $0.adding(milliseconds: max(0, milliseconds)) }
    }
}

/// The wall clock; used only by `simrun serve` and live adapters.
public struct SystemClock: Clock {
    public init() {}
    public func now() -> Instant {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Instant(milliseconds: Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000)
    }
}
