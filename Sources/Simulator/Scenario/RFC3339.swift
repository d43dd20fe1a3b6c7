import Lightning

/// Parses `start_time`: RFC 3339 in UTC, `YYYY-MM-DDTHH:MM:SS[.fraction]Z`, without Foundation's formatters.
enum RFC3339 {
    /// The instant, or why the text is not one (a short phrase to append to the reason).
    static func parse(_ text: String) -> Result<Instant, RFC3339Error> {
        let b = Array(text.utf8)
        func digits(_ range: Range<Int>) -> Int64? {
            guard range.upperBound <= b.count else { return nil }
            var value: Int64 = 0
            for i in range {
                guard b[i] >= 0x30, b[i] <= 0x39 else { return nil }
                value = value * 10 + Int64(b[i] - 0x30)
            }
            return value
        }
        guard b.count >= 20,
              let year = digits(0..<4), b[4] == UInt8(ascii: "-"),
              let month = digits(5..<7), b[7] == UInt8(ascii: "-"),
              let day = digits(8..<10), b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t"),
              let hour = digits(11..<13), b[13] == UInt8(ascii: ":"),
              let minute = digits(14..<16), b[16] == UInt8(ascii: ":"),
              let second = digits(17..<19)
        else { return .failure(.syntax) }
        var i = 19
        var millis: Int64 = 0
        if b[i] == UInt8(ascii: ".") {
            i += 1
            var fractionDigits = 0
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 {
                if fractionDigits < 3 { millis = millis * 10 + Int64(b[i] - 0x30) }
                fractionDigits += 1
                i += 1
            }
            guard fractionDigits > 0 else { return .failure(.syntax) }
            for _ in fractionDigits..<max(fractionDigits, 3) { millis *= 10 }
        }
        guard i < b.count else { return .failure(.syntax) }
        if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            // A numeric offset: only a zero offset is UTC.
            guard i + 6 == b.count, digits(i + 1..<i + 3) == 0, b[i + 3] == UInt8(ascii: ":"), digits(i + 4..<i + 6) == 0 else {
                return .failure(digits(i + 1..<i + 3) != nil ? .notUTC : .syntax)
            }
        } else {
            guard b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z"), i + 1 == b.count else { return .failure(.syntax) }
        }
        guard (1...12).contains(month) else { return .failure(.field("month \(month) is out of range")) }
        let isLeap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let monthDays: [Int64] = [31, isLeap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard day >= 1, day <= monthDays[Int(month - 1)] else {
            return .failure(.field("day \(day) is out of range for \(text.prefix(7))"))
        }
        guard hour <= 23 else { return .failure(.field("hour \(hour) is out of range")) }
        guard minute <= 59 else { return .failure(.field("minute \(minute) is out of range")) }
        guard second <= 59 else { return .failure(.field("second \(second) is out of range")) }
        // Days from civil (Howard Hinnant's algorithm).
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        let ms = ((days * 86_400 + hour * 3600 + minute * 60 + second) * 1000) + millis
        return .success(Instant(milliseconds: ms))
    }
}

/// Why a `start_time` text was rejected.
enum RFC3339Error: Error, Equatable {
    /// Not of the form `YYYY-MM-DDTHH:MM:SS[.fraction]Z`.
    case syntax
    /// A non-zero UTC offset.
    case notUTC
    /// Well formed, but a field is out of range.
    case field(String)
}
