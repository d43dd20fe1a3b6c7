import JSON

/// Small, fast, seedable PRNG (SplitMix64) so random tests are reproducible.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Builds random JSON values (finite doubles only) for round-trip tests.
struct RandomJSON {
    var rng: SplitMix64

    static let specialScalars: [Unicode.Scalar] = [
        "\"", "\\", "/", "\n", "\r", "\t", "\u{0}", "\u{1}", "\u{8}", "\u{C}", "\u{1F}", "\u{7F}",
        "é", "ß", "\u{2028}", "\u{2029}", "\u{FEFF}", "\u{FFFD}", "\u{FFFF}", "😀", "\u{10FFFF}", "\u{212B}",
    ]

    mutating func int(_ upper: Int) -> Int { Int(rng.next() % UInt64(upper)) }

    mutating func string() -> String {
        var scalars = String.UnicodeScalarView()
        for _ in 0..<int(12) {
            switch int(4) {
            case 0:
                scalars.append(Self.specialScalars[int(Self.specialScalars.count)])
            case 1:
                // Any scalar value outside the surrogate range.
                var v = UInt32(truncatingIfNeeded: rng.next() % 0x11_0000)
                if (0xD800...0xDFFF).contains(v) { v -= 0x800 }
                scalars.append(Unicode.Scalar(v) ?? "?")
            default:
                scalars.append(Unicode.Scalar(UInt8(0x20 + int(0x5F))))
            }
        }
        return String(scalars)
    }

    mutating func double() -> Double {
        switch int(4) {
        case 0:
            while true {
                let d = Double(bitPattern: rng.next())
                if d.isFinite { return d }
            }
        case 1: return Double(int(2_000_001) - 1_000_000) / 1000
        case 2: return Double(int(1000))  // integral doubles print as "12.0"
        default: return Double(rng.next() % 1_000_000_007) * 1e-9
        }
    }

    mutating func value(depth: Int) -> JSONValue {
        let kinds = depth > 4 ? 5 : 7
        switch int(kinds) {
        case 0: return .null
        case 1: return .bool(int(2) == 0)
        case 2: return .int(int(2) == 0 ? Int64(bitPattern: rng.next()) : Int64(int(2001)) - 1000)
        case 3: return .double(double())
        case 4: return .string(string())
        case 5: return .array((0..<int(6)).map { _ in value(depth: depth + 1) })
        default:
            var object: [String: JSONValue] = [:]
            for _ in 0..<int(6) { object[string()] = value(depth: depth + 1) }
            return .object(object)
        }
    }
}

extension Array where Element == UInt8 {
    init(text: String) { self = Array(text.utf8) }
}
