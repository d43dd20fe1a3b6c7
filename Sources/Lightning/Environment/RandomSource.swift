import Synchronization

/// A source of random bytes. Everything that needs randomness (ids, preimages, keys) takes one of these.
public protocol RandomSource: Sendable {
    func nextUInt64() -> UInt64
}

extension RandomSource {
    /// `count` random bytes.
    public func bytes(_ count: Int) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(count + 8)
        while out.count < count {
            var v = nextUInt64()
            for _ in 0..<8 { out.append(UInt8(truncatingIfNeeded: v)); v >>= 8 }
        }
        out.removeLast(out.count - count)
        return out
    }

    /// A uniform integer in `0..<bound` (bound > 0), without modulo bias.
    public func uniform(_ bound: UInt64) -> UInt64 {
        precondition(bound > 0, "uniform(_:) needs a positive bound")
        let limit = UInt64.max - UInt64.max % bound
        while true {
            let v = nextUInt64()
            if v < limit { return v % bound }
        }
    }

    /// A uniform double in [0, 1).
    public func unitDouble() -> Double { Double(nextUInt64() >> 11) * 0x1.0p-53 }

    /// Lower-case hex id text of `byteCount` random bytes.
    public func hexID(_ byteCount: Int) -> String { Hex.encode(bytes(byteCount)) }
}

/// SplitMix64: tiny, fast and good enough to seed and to drive a simulation; the same seed gives the same stream.
public struct SplitMix64: Sendable {
    public var state: UInt64
    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A seeded, thread-safe random source for simulations and tests.
public final class SeededRandom: RandomSource {
    private let generator: Mutex<SplitMix64>

    public init(seed: UInt64) { generator = Mutex(SplitMix64(seed: seed)) }

    /// An independent stream derived from a parent seed and a label (e.g. an agent's name).
    public convenience init(seed: UInt64, stream label: String) {
        var mix = SplitMix64(seed: seed ^ fnv1a64(label))
        self.init(seed: mix.next())
    }

    public func nextUInt64() -> UInt64 { generator.withLock { $0.next() } }
}

/// Operating-system entropy through OpenSSL; used only by `simrun serve` and live adapters.
public struct SystemRandom: RandomSource {
    public init() {}
    public func nextUInt64() -> UInt64 {
        let b = SystemEntropy.bytes(8) ?? []
        var v: UInt64 = 0
        for x in b { v = v << 8 | UInt64(x) }
        return v
    }
}

extension SplitMix64 {
    /// A stream for `label` (an agent's name) derived from a scenario seed: the same pair gives the same stream,
    /// and different labels give independent ones.
    public static func stream(seed: UInt64, label: String) -> SplitMix64 {
        var mix = SplitMix64(seed: seed ^ fnv1a64(label))
        _ = mix.next()
        return SplitMix64(seed: mix.next())
    }

    /// A uniform double in [0, 1) from the top 53 bits.
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// True with probability `p` (clamped to [0, 1]).
    public mutating func chance(_ p: Double) -> Bool { p >= 1 || (p > 0 && unit() < p) }

    /// A uniform integer in `range`, without modulo bias.
    public mutating func uniform(_ range: ClosedRange<Int64>) -> Int64 {
        let span = UInt64(bitPattern: range.upperBound &- range.lowerBound) &+ 1
        if span == 0 { return Int64(bitPattern: next()) }
        let limit = UInt64.max - UInt64.max % span
        var v = next()
        while v >= limit { v = next() }
        return range.lowerBound &+ Int64(bitPattern: v % span)
    }

    /// A uniform index in `0..<count` (count > 0; 0 when count is 0).
    public mutating func index(_ count: Int) -> Int {
        count <= 1 ? 0 : Int(uniform(0...Int64(count - 1)))
    }
}

/// FNV-1a (64-bit) of a label's UTF-8 bytes: how every per-agent random stream mixes its name into the seed.
public func fnv1a64(_ label: String) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in label.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
    return h
}
