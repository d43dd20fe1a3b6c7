import Lightning

/// xoshiro256** (Blackman and Vigna, 2018): a fast, small-state generator with good statistical quality,
/// the simulation's source of randomness.
///
/// Its output depends only on the seed: no global state, no Foundation, no `Double.random`, so a run is
/// reproducible across runs, machines and platforms. Use one stream per agent (`stream(seed:label:)`) so
/// adding an agent does not shift every other agent's draws.
public struct Xoshiro256StarStar: RandomNumberGenerator, Sendable, Equatable {
    @usableFromInline internal var s0: UInt64
    @usableFromInline internal var s1: UInt64
    @usableFromInline internal var s2: UInt64
    @usableFromInline internal var s3: UInt64

    /// A generator whose 256-bit state is four consecutive SplitMix64 outputs from `seed`, as the authors
    /// recommend; every seed, including 0, gives a valid (non-zero) state.
    public init(seed: UInt64) {
        (s0, s1, s2, s3) = Self.expand(seed)
    }

    /// A generator with an explicit state, for reproducing reference vectors. The all-zero state, which
    /// would only ever produce zeros, is replaced by the state of `init(seed: 0)`.
    public init(state: (UInt64, UInt64, UInt64, UInt64)) {
        (s0, s1, s2, s3) = state == (0, 0, 0, 0) ? Self.expand(0) : state
    }

    private static func expand(_ seed: UInt64) -> (UInt64, UInt64, UInt64, UInt64) {
        var mixer = SplitMix64(seed: seed)
        return (mixer.next(), mixer.next(), mixer.next(), mixer.next())
    }

    /// An independent stream for one named consumer (e.g. an agent), derived from the run's seed.
    ///
    /// The label is hashed with FNV-1a 64 and folded into the seed's first SplitMix64 output; the result seeds
    /// the generator through SplitMix64 again, so labels that differ in one character give unrelated streams.
    public static func stream(seed: UInt64, label: String) -> Xoshiro256StarStar {
        var mixer = SplitMix64(seed: seed)
        return Xoshiro256StarStar(seed: mixer.next() ^ fnv1a64(label))
    }

    /// The current state, e.g. to checkpoint a stream.
    public var state: (UInt64, UInt64, UInt64, UInt64) { (s0, s1, s2, s3) }

    /// The next 64 random bits.
    @inlinable
    public mutating func next() -> UInt64 {
        let result = rotateLeft(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotateLeft(s3, 45)
        return result
    }

    @inlinable @inline(__always)
    internal func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 {
        (x << k) | (x >> (64 - k))
    }
}
