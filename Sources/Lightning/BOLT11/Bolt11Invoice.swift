/// The `ln` + currency prefix of an invoice's human-readable part.
public enum Bolt11Network: String, Sendable, CaseIterable, Hashable {
    /// Bitcoin mainnet.
    case bitcoin = "lnbc"
    /// Bitcoin testnet.
    case testnet = "lntb"
    /// Bitcoin signet.
    case signet = "lntbs"
    /// Bitcoin regtest.
    case regtest = "lnbcrt"
    /// Simnet.
    case simnet = "lnsb"
}

/// One hop of an `r` route hint: the channel from `publicKey`'s node toward the payee.
public struct Bolt11RouteHop: Sendable, Hashable {
    /// 33-byte node id of the channel's start.
    public var publicKey: [UInt8]
    /// The short channel id (block height << 40 | tx index << 16 | output index).
    public var shortChannelID: UInt64
    /// Base fee in millisatoshis.
    public var feeBaseMsat: UInt32
    /// Proportional fee in millionths.
    public var feeProportionalMillionths: UInt32
    /// CLTV expiry delta of the channel.
    public var cltvExpiryDelta: UInt16

    /// A hop from its parts.
    public init(publicKey: [UInt8], shortChannelID: UInt64, feeBaseMsat: UInt32, feeProportionalMillionths: UInt32, cltvExpiryDelta: UInt16) {
        self.publicKey = publicKey
        self.shortChannelID = shortChannelID
        self.feeBaseMsat = feeBaseMsat
        self.feeProportionalMillionths = feeProportionalMillionths
        self.cltvExpiryDelta = cltvExpiryDelta
    }

    /// The short channel id as `block x tx x output`.
    public var shortChannelIDString: String {
        "\(shortChannelID >> 40)x\((shortChannelID >> 16) & 0xff_ffff)x\(shortChannelID & 0xffff)"
    }

    /// Size of one hop on the wire.
    static let byteCount = 51
}

/// An `f` on-chain fallback: version 0...16 (witness program), 17 (P2PKH hash) or 18 (P2SH hash).
public struct Bolt11Fallback: Sendable, Hashable {
    /// The 5-bit version.
    public var version: UInt8
    /// The witness program or 20-byte hash.
    public var program: [UInt8]

    /// A fallback from its version and program.
    public init(version: UInt8, program: [UInt8]) {
        self.version = version
        self.program = program
    }
}

/// The `9` feature vector, kept as its big-endian 5-bit words; bit 0 is the last word's lowest bit.
public struct Bolt11Features: Sendable, Hashable {
    /// The 5-bit words as in the invoice.
    public var words: [UInt8]

    /// Features from raw 5-bit words.
    public init(words: [UInt8]) { self.words = words }

    /// The minimal feature vector with exactly `bits` set.
    public init(bits: [Int]) {
        let top = bits.filter { $0 >= 0 }.max() ?? -1
        var w = [UInt8](repeating: 0, count: top < 0 ? 0 : top / 5 + 1)
        for b in bits where b >= 0 { w[w.count - 1 - b / 5] |= UInt8(1 << (b % 5)) }
        self.words = w
    }

    /// True when feature bit `bit` is set.
    public func isSet(_ bit: Int) -> Bool {
        guard bit >= 0, bit / 5 < words.count else { return false }
        return (words[words.count - 1 - bit / 5] >> UInt8(bit % 5)) & 1 == 1
    }

    /// All set bits, ascending.
    public var setBits: [Int] {
        var out = [Int]()
        for (i, w) in words.reversed().enumerated() {
            for j in 0..<5 where (w >> UInt8(j)) & 1 == 1 { out.append(i * 5 + j) }
        }
        return out
    }

    /// Bits this implementation understands in invoices (BOLT #9): var_onion_optin, payment_secret, basic_mpp, payment_metadata.
    public static let knownBits: Set<Int> = [8, 9, 14, 15, 16, 17, 48, 49]

    /// The lowest set even bit that is not known, if any (such an invoice must be refused).
    public var firstUnknownRequiredBit: Int? {
        setBits.first { $0 % 2 == 0 && !Self.knownBits.contains($0) }
    }
}

/// One tagged field of an invoice, in the order it appears.
public enum Bolt11Field: Sendable, Hashable {
    /// `p`: the 32-byte payment hash.
    case paymentHash([UInt8])
    /// `s`: the 32-byte payment secret.
    case paymentSecret([UInt8])
    /// `d`: the UTF-8 description.
    case description(String)
    /// `h`: SHA-256 of the (long) description.
    case descriptionHash([UInt8])
    /// `x`: seconds after the timestamp until expiry.
    case expiry(UInt64)
    /// `c`: min_final_cltv_expiry_delta.
    case minFinalCLTVExpiry(UInt64)
    /// `n`: the payee's 33-byte node id.
    case payeeNodeKey([UInt8])
    /// `f`: an on-chain fallback address of a known version.
    case fallback(Bolt11Fallback)
    /// `r`: one private route (one or more hops).
    case routeHint([Bolt11RouteHop])
    /// `9`: feature bits.
    case features(Bolt11Features)
    /// `m`: payment metadata.
    case metadata([UInt8])
    /// Any other field (unknown tag, unknown fallback version, or a skipped field), kept as raw 5-bit words.
    case unknown(tag: UInt8, words: [UInt8])

    /// Tag values (5-bit) of the known fields.
    public enum Tag {
        /// `p`.
        public static let paymentHash: UInt8 = 1
        /// `r`.
        public static let routeHint: UInt8 = 3
        /// `9`.
        public static let features: UInt8 = 5
        /// `x`.
        public static let expiry: UInt8 = 6
        /// `f`.
        public static let fallback: UInt8 = 9
        /// `d`.
        public static let description: UInt8 = 13
        /// `s`.
        public static let paymentSecret: UInt8 = 16
        /// `n`.
        public static let payeeNodeKey: UInt8 = 19
        /// `h`.
        public static let descriptionHash: UInt8 = 23
        /// `c`.
        public static let minFinalCLTVExpiry: UInt8 = 24
        /// `m`.
        public static let metadata: UInt8 = 27
    }

    /// The field's 5-bit type.
    public var tag: UInt8 {
        switch self {
        case .paymentHash: return Tag.paymentHash
        case .paymentSecret: return Tag.paymentSecret
        case .description: return Tag.description
        case .descriptionHash: return Tag.descriptionHash
        case .expiry: return Tag.expiry
        case .minFinalCLTVExpiry: return Tag.minFinalCLTVExpiry
        case .payeeNodeKey: return Tag.payeeNodeKey
        case .fallback: return Tag.fallback
        case .routeHint: return Tag.routeHint
        case .features: return Tag.features
        case .metadata: return Tag.metadata
        case .unknown(let tag, _): return tag
        }
    }

    /// The field's type as its bech32 letter (`p`, `s`, `d`, …).
    public var tagCharacter: Character { Bolt11Field.character(for: tag) }

    /// The bech32 letter for a 5-bit tag.
    static func character(for tag: UInt8) -> Character {
        Character(Unicode.Scalar(Bech32.charset[Int(tag & 31)]))
    }
}

/// The signature part of a decoded invoice and the key it belongs to.
public struct Bolt11Signature: Sendable, Hashable {
    /// R || S, 64 bytes, as found in the invoice (possibly high-S).
    public var signature64: [UInt8]
    /// The recovery id, 0...3.
    public var recoveryID: Int
    /// SHA-256 of hrp bytes || data words as padded bytes: the message that was signed.
    public var signingHash: [UInt8]
    /// The payee's 33-byte node id: the `n` field (verified) or the key recovered from the signature.
    public var payeePublicKey: [UInt8]
}

/// A BOLT #11 invoice: prefix, amount, timestamp and ordered tagged fields; `signature` is set by decoding.
public struct Bolt11Invoice: Sendable, Hashable {
    /// Which chain the invoice is for.
    public var network: Bolt11Network
    /// The requested amount, or nil for "any amount".
    public var amount: MilliSats?
    /// Creation time, unix seconds (35 bits).
    public var timestamp: UInt64
    /// Tagged fields in invoice order (encoding emits them in this order).
    public var fields: [Bolt11Field]
    /// The signature and payee key; nil on invoices built in code, set by `Bolt11.decode`.
    public internal(set) var signature: Bolt11Signature?

    /// An unsigned invoice from its parts, fields emitted in the given order.
    public init(network: Bolt11Network, amount: MilliSats?, timestamp: UInt64, fields: [Bolt11Field]) {
        self.network = network
        self.amount = amount
        self.timestamp = timestamp
        self.fields = fields
        self.signature = nil
    }

    /// An unsigned invoice with the usual fields in the order p, s, d (or h), x, c, 9, m.
    public init(network: Bolt11Network, amount: MilliSats?, timestamp: UInt64,
                paymentHash: [UInt8], paymentSecret: [UInt8],
                description: String? = nil, descriptionHash: [UInt8]? = nil,
                expiry: UInt64? = nil, minFinalCLTVExpiry: UInt64? = nil,
                features: Bolt11Features? = nil, metadata: [UInt8]? = nil) {
        var f: [Bolt11Field] = [.paymentHash(paymentHash), .paymentSecret(paymentSecret)]
        if let description { f.append(.description(description)) }
        if let descriptionHash { f.append(.descriptionHash(descriptionHash)) }
        if let expiry { f.append(.expiry(expiry)) }
        if let minFinalCLTVExpiry { f.append(.minFinalCLTVExpiry(minFinalCLTVExpiry)) }
        if let features { f.append(.features(features)) }
        if let metadata { f.append(.metadata(metadata)) }
        self.init(network: network, amount: amount, timestamp: timestamp, fields: f)
    }

    /// The same invoice without signature information (what was encoded).
    public var unsigned: Bolt11Invoice {
        var copy = self
        copy.signature = nil
        return copy
    }

    /// The first payment hash.
    public var paymentHash: [UInt8]? {
        for case .paymentHash(let v) in fields { return v }
        return nil
    }

    /// The first payment secret.
    public var paymentSecret: [UInt8]? {
        for case .paymentSecret(let v) in fields { return v }
        return nil
    }

    /// The description (d field), if present.
    public var description: String? {
        for case .description(let v) in fields { return v }
        return nil
    }

    /// The description hash (h field), if present.
    public var descriptionHash: [UInt8]? {
        for case .descriptionHash(let v) in fields { return v }
        return nil
    }

    /// Expiry in seconds after `timestamp`; 3600 when there is no x field.
    public var expiry: UInt64 {
        for case .expiry(let v) in fields { return v }
        return 3600
    }

    /// min_final_cltv_expiry_delta; 18 when there is no c field.
    public var minFinalCLTVExpiry: UInt64 {
        for case .minFinalCLTVExpiry(let v) in fields { return v }
        return 18
    }

    /// The n field, if present.
    public var payeeNodeKey: [UInt8]? {
        for case .payeeNodeKey(let v) in fields { return v }
        return nil
    }

    /// Known-version fallbacks, most preferred first.
    public var fallbacks: [Bolt11Fallback] {
        fields.compactMap { if case .fallback(let v) = $0 { return v } else { return nil } }
    }

    /// Route hints, one array of hops per r field, most preferred first.
    public var routeHints: [[Bolt11RouteHop]] {
        fields.compactMap { if case .routeHint(let v) = $0 { return v } else { return nil } }
    }

    /// The feature vector, if present.
    public var features: Bolt11Features? {
        for case .features(let v) in fields { return v }
        return nil
    }

    /// Payment metadata (m field), if present.
    public var metadata: [UInt8]? {
        for case .metadata(let v) in fields { return v }
        return nil
    }

    /// The payee node id: verified n field or recovered key on decoded invoices, else the n field.
    public var payeePublicKey: [UInt8]? { signature?.payeePublicKey ?? payeeNodeKey }

    /// The signed message hash, on decoded invoices.
    public var signingHash: [UInt8]? { signature?.signingHash }

    /// Unix time after which the invoice must not be paid (timestamp + expiry, saturating).
    public var expiresAt: UInt64 {
        let (v, o) = timestamp.addingReportingOverflow(expiry)
        return o ? UInt64.max : v
    }

    /// True when `now` (unix seconds) is past the expiry.
    public func isExpired(at now: UInt64) -> Bool { now > expiresAt }

    /// True when the invoice commits to `text`: equal to the d field, or hashing to the h field.
    public func commits(toDescription text: String) -> Bool {
        if let d = description { return d == text }
        if let h = descriptionHash { return Hash.constantTimeEqual(Hash.sha256(Array(text.utf8)), h) }
        return false
    }
}
