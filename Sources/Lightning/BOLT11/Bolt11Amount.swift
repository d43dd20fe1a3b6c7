/// The amount in an invoice's human-readable part: digits and an optional multiplier (m, u, n, p) of bitcoin.
enum Bolt11Amount {
    private static let msatPerBTC: Int64 = 100_000_000_000

    /// The shortest text for `amount`: the largest unit (BTC, m, u, n, p) giving an integer.
    static func encode(_ amount: MilliSats) throws(Bolt11Error) -> String {
        let msat = amount.rawValue
        guard msat > 0, msat <= MilliSats.maxSupply.rawValue else { throw .invalidAmount(String(msat) + " msat") }
        if msat % msatPerBTC == 0 { return String(msat / msatPerBTC) }
        if msat % 100_000_000 == 0 { return String(msat / 100_000_000) + "m" }
        if msat % 100_000 == 0 { return String(msat / 100_000) + "u" }
        if msat % 100 == 0 { return String(msat / 100) + "n" }
        // 1 msat = 10 pico-BTC; appending a digit avoids overflow near 21M BTC.
        return String(msat) + "0p"
    }

    /// Parses the amount text (possibly empty for "any amount") into millisatoshis.
    static func decode(_ text: Substring) throws(Bolt11Error) -> MilliSats? {
        if text.isEmpty { return nil }
        var digits = Array(text.utf8)
        var multiplier: UInt8? = nil
        if let last = digits.last, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(last) {
            multiplier = last
            digits.removeLast()
        }
        guard !digits.isEmpty else { throw .invalidAmount(String(text)) }
        for d in digits where !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(d) { throw .invalidAmount(String(text)) }
        guard digits[0] != UInt8(ascii: "0") else { throw .invalidAmount(String(text)) }
        let unit: Int64
        switch multiplier {
        case nil: unit = msatPerBTC
        case UInt8(ascii: "m"): unit = 100_000_000
        case UInt8(ascii: "u"): unit = 100_000
        case UInt8(ascii: "n"): unit = 100
        case UInt8(ascii: "p"):
            guard digits.last == UInt8(ascii: "0") else { throw .subMillisatoshiAmount(String(text)) }
            digits.removeLast()
            unit = 1
            if digits.isEmpty { throw .invalidAmount(String(text)) }
        default: throw .invalidMultiplier(String(text))
        }
        var value: Int64 = 0
        for d in digits {
            let (a, o1) = value.multipliedReportingOverflow(by: 10)
            let (b, o2) = a.addingReportingOverflow(Int64(d - UInt8(ascii: "0")))
            guard !o1, !o2 else { throw .invalidAmount(String(text)) }
            value = b
        }
        let (msat, o) = value.multipliedReportingOverflow(by: unit)
        guard !o, msat > 0, msat <= MilliSats.maxSupply.rawValue else { throw .invalidAmount(String(text)) }
        return MilliSats(rawValue: msat)
    }
}
