/// Why a bech32 string or a bit-group conversion was rejected.
public enum Bech32Error: Error, Equatable, Sendable, CustomStringConvertible {
    /// A character outside printable US-ASCII (33...126) at this offset.
    case characterOutOfRange(position: Int)
    /// Upper- and lower-case letters mixed in one string.
    case mixedCase
    /// No `1` separating the human-readable part from the data.
    case missingSeparator
    /// The human-readable part is empty.
    case emptyHRP
    /// The human-readable part is longer than BIP-173's 83 characters.
    case hrpTooLong(Int)
    /// Fewer than six data characters after the separator, so no room for a checksum.
    case checksumTooShort
    /// A data character that is not in the bech32 alphabet, at this offset.
    case invalidDataCharacter(position: Int)
    /// The six-character checksum does not match.
    case invalidChecksum
    /// A value does not fit in the group size it claims (e.g. a 5-bit word above 31).
    case valueOutOfRange(UInt8)
    /// Leftover bits after regrouping are too many or not zero.
    case invalidPadding

    /// A human-readable explanation naming what is wrong.
    public var description: String {
        switch self {
        case .characterOutOfRange(let p): return "bech32: character at offset \(p) is outside printable ASCII"
        case .mixedCase: return "bech32: string mixes upper and lower case"
        case .missingSeparator: return "bech32: no '1' separator between human-readable part and data"
        case .emptyHRP: return "bech32: human-readable part is empty"
        case .hrpTooLong(let n): return "bech32: human-readable part has \(n) characters, more than 83"
        case .checksumTooShort: return "bech32: data part is shorter than the 6-character checksum"
        case .invalidDataCharacter(let p): return "bech32: character at offset \(p) is not in the bech32 alphabet"
        case .invalidChecksum: return "bech32: checksum does not match"
        case .valueOutOfRange(let v): return "bech32: value \(v) does not fit in the source group size"
        case .invalidPadding: return "bech32: non-zero or excess padding bits"
        }
    }
}

/// BIP-173 bech32 (not bech32m), without the 90-character limit so that it fits Lightning invoices.
public enum Bech32 {
    /// The 32-character data alphabet, indexed by 5-bit value.
    static let charset: [UInt8] = Array("qpzry9x8gf2tvdw0s3jn54khce6mua7l".utf8)

    /// Maps an ASCII byte to its 5-bit value, or -1 when it is not in the alphabet (lower case only).
    static let reverse: [Int8] = {
        var table = [Int8](repeating: -1, count: 128)
        for (i, c) in charset.enumerated() { table[Int(c)] = Int8(i) }
        return table
    }()

    private static let generator: [UInt32] = [0x3b6a_57b2, 0x2650_8e6d, 0x1ea1_19fa, 0x3d42_33dd, 0x2a14_62b3]

    @inline(__always)
    private static func polymodStep(_ chk: UInt32, _ value: UInt8) -> UInt32 {
        let top = chk >> 25
        var c = ((chk & 0x1ff_ffff) << 5) ^ UInt32(value)
        for i in 0..<5 where (top >> UInt32(i)) & 1 == 1 { c ^= generator[i] }
        return c
    }

    /// The BCH checksum state over the expanded hrp and the 5-bit words.
    private static func polymod(hrp: [UInt8], words: [UInt8]) -> UInt32 {
        var chk: UInt32 = 1
        for c in hrp { chk = polymodStep(chk, c >> 5) }
        chk = polymodStep(chk, 0)
        for c in hrp { chk = polymodStep(chk, c & 31) }
        for w in words { chk = polymodStep(chk, w) }
        return chk
    }

    /// Encodes `hrp` and 5-bit `words` as a lower-case bech32 string with checksum.
    public static func encode(hrp: String, words: [UInt8]) throws(Bech32Error) -> String {
        let h = Array(hrp.utf8).map { (c: UInt8) -> UInt8 in
            (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z")) ? c + 32 : c
        }
        guard !h.isEmpty else { throw .emptyHRP }
        guard h.count <= 83 else { throw .hrpTooLong(h.count) }
        for (i, c) in h.enumerated() where c < 33 || c > 126 { throw .characterOutOfRange(position: i) }
        for w in words where w > 31 { throw .valueOutOfRange(w) }
        var chk = polymod(hrp: h, words: words)
        for _ in 0..<6 { chk = polymodStep(chk, 0) }
        chk ^= 1
        var out = h
        out.reserveCapacity(h.count + 1 + words.count + 6)
        out.append(UInt8(ascii: "1"))
        for w in words { out.append(charset[Int(w)]) }
        for i in 0..<6 { out.append(charset[Int((chk >> UInt32(5 * (5 - i))) & 31)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes a bech32 string (all lower or all upper case) into its lower-case hrp and 5-bit words, checksum removed.
    public static func decode(_ text: String) throws(Bech32Error) -> (hrp: String, words: [UInt8]) {
        let bytes = Array(text.utf8)
        var hasLower = false, hasUpper = false
        for (i, c) in bytes.enumerated() {
            guard c >= 33 && c <= 126 else { throw .characterOutOfRange(position: i) }
            if c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z") { hasLower = true }
            if c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z") { hasUpper = true }
        }
        if hasLower && hasUpper { throw .mixedCase }
        guard let sep = bytes.lastIndex(of: UInt8(ascii: "1")) else { throw .missingSeparator }
        guard sep > 0 else { throw .emptyHRP }
        guard sep <= 83 else { throw .hrpTooLong(sep) }
        guard bytes.count - sep - 1 >= 6 else { throw .checksumTooShort }
        let lower = bytes.map { (c: UInt8) -> UInt8 in
            (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z")) ? c + 32 : c
        }
        let hrp = Array(lower[0..<sep])
        var words = [UInt8]()
        words.reserveCapacity(lower.count - sep - 1)
        for i in (sep + 1)..<lower.count {
            let v = reverse[Int(lower[i])]
            guard v >= 0 else { throw .invalidDataCharacter(position: i) }
            words.append(UInt8(v))
        }
        guard polymod(hrp: hrp, words: words) == 1 else { throw .invalidChecksum }
        words.removeLast(6)
        return (String(decoding: hrp, as: UTF8.self), words)
    }

    /// Regroups `values` of `fromBits` bits each into groups of `toBits` bits (BIP-173 `convertbits`).
    /// With `pad`, a final partial group is zero-padded; without, leftover bits must be fewer than `fromBits` and zero.
    public static func convertBits(_ values: [UInt8], fromBits: Int, toBits: Int, pad: Bool) throws(Bech32Error) -> [UInt8] {
        var acc: UInt32 = 0
        var bits = 0
        let maxv: UInt32 = (1 << UInt32(toBits)) - 1
        var out = [UInt8]()
        out.reserveCapacity((values.count * fromBits + toBits - 1) / toBits)
        for v in values {
            guard UInt32(v) >> UInt32(fromBits) == 0 else { throw .valueOutOfRange(v) }
            acc = ((acc << UInt32(fromBits)) | UInt32(v)) & 0xffff
            bits += fromBits
            while bits >= toBits {
                bits -= toBits
                out.append(UInt8((acc >> UInt32(bits)) & maxv))
            }
        }
        if pad {
            if bits > 0 { out.append(UInt8((acc << UInt32(toBits - bits)) & maxv)) }
        } else if bits >= fromBits || (acc << UInt32(toBits - bits)) & maxv != 0 {
            throw .invalidPadding
        }
        return out
    }

    /// Bytes as 5-bit words, zero-padding the last word.
    public static func words(fromBytes bytes: [UInt8]) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity((bytes.count * 8 + 4) / 5)
        var acc: UInt32 = 0
        var bits = 0
        for b in bytes {
            acc = (acc << 8) | UInt32(b)
            bits += 8
            while bits >= 5 {
                bits -= 5
                out.append(UInt8((acc >> UInt32(bits)) & 31))
            }
            acc &= (1 << UInt32(bits)) - 1
        }
        if bits > 0 { out.append(UInt8((acc << UInt32(5 - bits)) & 31)) }
        return out
    }

    /// 5-bit words as bytes, zero-padding the last byte (the form BOLT #11 signs); words must be below 32.
    public static func bytesPadded(fromWords words: [UInt8]) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity((words.count * 5 + 7) / 8)
        var acc: UInt32 = 0
        var bits = 0
        for w in words {
            acc = (acc << 5) | UInt32(w & 31)
            bits += 5
            if bits >= 8 {
                bits -= 8
                out.append(UInt8((acc >> UInt32(bits)) & 0xff))
            }
            acc &= (1 << UInt32(bits)) - 1
        }
        if bits > 0 { out.append(UInt8((acc << UInt32(8 - bits)) & 0xff)) }
        return out
    }

    /// 5-bit words as bytes, requiring the leftover (fewer than 5) bits to be zero.
    public static func bytes(fromWords words: [UInt8]) throws(Bech32Error) -> [UInt8] {
        try convertBits(words, fromBits: 5, toBits: 8, pad: false)
    }
}
