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
        func pad(_ v: Int64, _ width: Int) -> String {
            var s = String(v)
            while s.count < width { s = "0" + s }
            return s
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(rem / 3600, 2)):\(pad(rem % 3600 / 60, 2)):\(pad(rem % 60, 2)).\(pad(ms, 3))Z"
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
