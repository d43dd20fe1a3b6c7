/// BOLT #11 invoice encoding (signing) and decoding (verifying).
///
// Reader policy (current BOLT #11 text, 2026-03):
// - rejected: bad bech32 (checksum, mixed case, separator), unknown prefix, bad amount (non-digit, bad multiplier,
//   pico not ending in 0, leading zero, zero, above 21M BTC), data too short for timestamp + signature, truncated
//   fields, p/h/s/n of the wrong length (the pre-2025 "skip" rule is available via `skippingWrongLengthFields`),
//   non-zero padding in byte fields, non-UTF-8 d, non-minimal x/c/9, r not a multiple of 51 bytes, recovery id > 3,
//   failed recovery, n present but the signature does not verify against it or is high-S, missing p or s, neither
//   or both of d/h, a repeated single-valued field (p s d h x c n 9 m), an unknown even feature bit.
// - accepted and kept raw (`.unknown`) for lossless re-encoding: unknown tags, f with version 19...31 or odd bits.
// - accepted: high-S signatures when there is no n field (recovery), unknown odd feature bits.
// The writer applies the same field rules, so everything `encode` emits, `decode` accepts.
public enum Bolt11 {
    /// Words in the timestamp.
    static let timestampWords = 7
    /// Words in the 65-byte signature.
    static let signatureWords = 104

    // MARK: Encoding

    /// Encodes and signs `invoice` with `signingKey`, emitting its fields in order; the result is lower case.
    /// Throws if the invoice breaks a writer rule (missing or duplicate p/s, not exactly one of d/h, bad lengths, …).
    public static func encode(_ invoice: Bolt11Invoice, signingKey: NodeKey) throws(Bolt11Error) -> String {
        try checkSemantics(invoice.fields)
        if let n = invoice.payeeNodeKey, n != signingKey.publicKey { throw .payeeKeyMismatch }
        let hrp = try humanReadablePart(invoice)
        var words = try dataWords(invoice)
        let hash = signingHash(hrp: hrp, words: words)
        let sig: (signature64: [UInt8], recoveryID: Int)
        do {
            sig = try signingKey.signRecoverable(messageHash32: hash)
        } catch {
            throw .signingFailed(error)
        }
        words.append(contentsOf: Bech32.words(fromBytes: sig.signature64 + [UInt8(sig.recoveryID)]))
        do {
            return try Bech32.encode(hrp: hrp, words: words)
        } catch {
            throw .bech32(error)
        }
    }

    /// The human-readable part: network prefix plus amount.
    static func humanReadablePart(_ invoice: Bolt11Invoice) throws(Bolt11Error) -> String {
        guard let amount = invoice.amount else { return invoice.network.rawValue }
        return invoice.network.rawValue + (try Bolt11Amount.encode(amount))
    }

    /// Timestamp and tagged fields as 5-bit words (everything before the signature).
    static func dataWords(_ invoice: Bolt11Invoice) throws(Bolt11Error) -> [UInt8] {
        guard invoice.timestamp < (1 << 35) else { throw .timestampOutOfRange(invoice.timestamp) }
        var words = [UInt8]()
        words.reserveCapacity(timestampWords + invoice.fields.count * 60)
        for i in (0..<timestampWords).reversed() { words.append(UInt8((invoice.timestamp >> UInt64(5 * i)) & 31)) }
        for field in invoice.fields {
            let data = try fieldWords(field)
            guard data.count <= 1023 else { throw .fieldTooLong(tag: field.tagCharacter, words: data.count) }
            words.append(field.tag)
            words.append(UInt8(data.count >> 5))
            words.append(UInt8(data.count & 31))
            words.append(contentsOf: data)
        }
        return words
    }

    /// A field's data as 5-bit words, checking the sizes a writer must respect.
    static func fieldWords(_ field: Bolt11Field) throws(Bolt11Error) -> [UInt8] {
        let t = field.tagCharacter
        switch field {
        case .paymentHash(let b), .paymentSecret(let b), .descriptionHash(let b):
            guard b.count == 32 else { throw .invalidFieldLength(tag: t, length: (b.count * 8 + 4) / 5) }
            return Bech32.words(fromBytes: b)
        case .payeeNodeKey(let b):
            guard b.count == 33 else { throw .invalidFieldLength(tag: t, length: (b.count * 8 + 4) / 5) }
            return Bech32.words(fromBytes: b)
        case .description(let s):
            return Bech32.words(fromBytes: Array(s.utf8))
        case .metadata(let b):
            return Bech32.words(fromBytes: b)
        case .expiry(let v), .minFinalCLTVExpiry(let v):
            return minimalWords(v)
        case .fallback(let f):
            guard f.version <= 18 else { throw .invalidField(tag: t, reason: "fallback version \(f.version) is not 0...18") }
            return [f.version] + Bech32.words(fromBytes: f.program)
        case .routeHint(let hops):
            guard !hops.isEmpty else { throw .invalidField(tag: t, reason: "route hint has no hops") }
            var bytes = [UInt8]()
            bytes.reserveCapacity(hops.count * Bolt11RouteHop.byteCount)
            for hop in hops {
                guard hop.publicKey.count == 33 else { throw .invalidField(tag: t, reason: "hop public key is not 33 bytes") }
                bytes.append(contentsOf: hop.publicKey)
                appendBigEndian(&bytes, hop.shortChannelID, count: 8)
                appendBigEndian(&bytes, UInt64(hop.feeBaseMsat), count: 4)
                appendBigEndian(&bytes, UInt64(hop.feeProportionalMillionths), count: 4)
                appendBigEndian(&bytes, UInt64(hop.cltvExpiryDelta), count: 2)
            }
            return Bech32.words(fromBytes: bytes)
        case .features(let f):
            guard f.words.allSatisfy({ $0 < 32 }) else { throw .invalidField(tag: t, reason: "feature word above 31") }
            return f.words
        case .unknown(let tag, let w):
            guard tag < 32, w.allSatisfy({ $0 < 32 }) else { throw .invalidField(tag: t, reason: "raw field has a value above 31") }
            return w
        }
    }

    private static func minimalWords(_ v: UInt64) -> [UInt8] {
        var out = [UInt8]()
        var x = v
        while x > 0 {
            out.append(UInt8(x & 31))
            x >>= 5
        }
        return out.reversed()
    }

    private static func appendBigEndian(_ bytes: inout [UInt8], _ v: UInt64, count: Int) {
        for i in (0..<count).reversed() { bytes.append(UInt8((v >> UInt64(8 * i)) & 0xff)) }
    }

    /// SHA-256 of the hrp's UTF-8 bytes followed by the data words packed into bytes (zero-padded).
    static func signingHash(hrp: String, words: [UInt8]) -> [UInt8] {
        var preimage = Array(hrp.utf8)
        preimage.append(contentsOf: Bech32.bytesPadded(fromWords: words))
        return Hash.sha256(preimage)
    }

    // MARK: Decoding

    /// Decodes and verifies an invoice (either case, optional `lightning:` prefix).
    /// With `skippingWrongLengthFields`, p/h/s/n fields of the wrong length are kept as `.unknown` and ignored
    /// (the pre-2025 reader rule); by default they are rejected as the current BOLT #11 text requires.
    public static func decode(_ text: String, skippingWrongLengthFields: Bool = false) throws(Bolt11Error) -> Bolt11Invoice {
        var s = Substring(text)
        while let c = s.first, c.isWhitespace { s.removeFirst() }
        while let c = s.last, c.isWhitespace { s.removeLast() }
        if s.utf8.count >= 10, s.prefix(10).lowercased() == "lightning:" { s = s.dropFirst(10) }

        let hrp: String
        let all: [UInt8]
        do {
            (hrp, all) = try Bech32.decode(String(s))
        } catch {
            throw .bech32(error)
        }
        let (network, amount) = try parseHumanReadablePart(hrp)
        guard all.count >= timestampWords + signatureWords else { throw .tooShort(words: all.count) }

        let dataEnd = all.count - signatureWords
        var timestamp: UInt64 = 0
        for i in 0..<timestampWords { timestamp = timestamp << 5 | UInt64(all[i]) }

        var fields = [Bolt11Field]()
        var i = timestampWords
        while i < dataEnd {
            guard dataEnd - i >= 3 else { throw .truncatedField(tag: Bolt11Field.character(for: all[i])) }
            let tag = all[i]
            let length = Int(all[i + 1]) << 5 | Int(all[i + 2])
            i += 3
            guard dataEnd - i >= length else { throw .truncatedField(tag: Bolt11Field.character(for: tag)) }
            let data = Array(all[i..<(i + length)])
            i += length
            fields.append(try parseField(tag: tag, data: data, skippingWrongLength: skippingWrongLengthFields))
        }

        // Signature: 64 bytes R || S plus the recovery id, 520 bits exactly.
        let sigBytes = Bech32.bytesPadded(fromWords: Array(all[dataEnd...]))
        let signature64 = Array(sigBytes[0..<64])
        let recoveryID = Int(sigBytes[64])
        guard recoveryID <= 3 else { throw .invalidRecoveryID(recoveryID) }
        let hash = signingHash(hrp: hrp, words: Array(all[0..<dataEnd]))

        var invoice = Bolt11Invoice(network: network, amount: amount, timestamp: timestamp, fields: fields)
        let payee: [UInt8]
        if let n = invoice.payeeNodeKey {
            // A valid n field: verify against it (libsecp256k1 rejects high-S here, as BOLT #11 requires).
            guard NodeKey.verify(signature64: signature64, messageHash32: hash, publicKey: n) else { throw .signatureMismatch }
            payee = n
        } else {
            guard let recovered = NodeKey.recoverPublicKey(signature64: signature64, recoveryID: recoveryID, messageHash32: hash) else {
                throw .signatureRecoveryFailed
            }
            payee = recovered
        }
        try checkSemantics(fields)
        invoice.signature = Bolt11Signature(signature64: signature64, recoveryID: recoveryID, signingHash: hash, payeePublicKey: payee)
        return invoice
    }

    /// Splits the hrp into network and amount.
    static func parseHumanReadablePart(_ hrp: String) throws(Bolt11Error) -> (Bolt11Network, MilliSats?) {
        let u = hrp.utf8
        let digitStart = u.firstIndex { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") } ?? u.endIndex
        let prefix = String(hrp[hrp.startIndex..<digitStart])
        guard let network = Bolt11Network(rawValue: prefix) else { throw .unknownPrefix(prefix) }
        let amount = try Bolt11Amount.decode(hrp[digitStart...])
        return (network, amount)
    }

    /// Interprets one tagged field; unknown tags and fallback versions stay raw.
    static func parseField(tag: UInt8, data: [UInt8], skippingWrongLength: Bool) throws(Bolt11Error) -> Bolt11Field {
        let t = Bolt11Field.character(for: tag)
        func bytes() throws(Bolt11Error) -> [UInt8] {
            do {
                return try Bech32.bytes(fromWords: data)
            } catch {
                throw .invalidField(tag: t, reason: "non-zero padding bits")
            }
        }
        func fixed(_ words: Int) throws(Bolt11Error) -> [UInt8]? {
            guard data.count == words else {
                if skippingWrongLength { return nil }
                throw .invalidFieldLength(tag: t, length: data.count)
            }
            return try bytes()
        }
        func minimalInteger() throws(Bolt11Error) -> UInt64 {
            if data.first == 0 { throw .nonMinimalField(tag: t) }
            // 13 words hold 65 bits; the top one must be clear.
            guard data.count < 13 || (data.count == 13 && data[0] < 16) else { throw .invalidField(tag: t, reason: "value does not fit in 64 bits") }
            return data.reduce(UInt64(0)) { $0 << 5 | UInt64($1) }
        }
        switch tag {
        case Bolt11Field.Tag.paymentHash:
            return try fixed(52).map { .paymentHash($0) } ?? .unknown(tag: tag, words: data)
        case Bolt11Field.Tag.paymentSecret:
            return try fixed(52).map { .paymentSecret($0) } ?? .unknown(tag: tag, words: data)
        case Bolt11Field.Tag.descriptionHash:
            return try fixed(52).map { .descriptionHash($0) } ?? .unknown(tag: tag, words: data)
        case Bolt11Field.Tag.payeeNodeKey:
            return try fixed(53).map { .payeeNodeKey($0) } ?? .unknown(tag: tag, words: data)
        case Bolt11Field.Tag.description:
            guard let s = String(validating: try bytes(), as: UTF8.self) else {
                throw .invalidField(tag: t, reason: "description is not valid UTF-8")
            }
            return .description(s)
        case Bolt11Field.Tag.metadata:
            return .metadata(try bytes())
        case Bolt11Field.Tag.expiry:
            return .expiry(try minimalInteger())
        case Bolt11Field.Tag.minFinalCLTVExpiry:
            return .minFinalCLTVExpiry(try minimalInteger())
        case Bolt11Field.Tag.features:
            if data.first == 0 { throw .nonMinimalField(tag: t) }
            return .features(Bolt11Features(words: data))
        case Bolt11Field.Tag.fallback:
            // Unknown versions (19...31), empty fields and odd bit lengths are skipped but kept raw.
            guard let version = data.first, version <= 18,
                  let program = try? Bech32.bytes(fromWords: Array(data.dropFirst())) else {
                return .unknown(tag: tag, words: data)
            }
            return .fallback(Bolt11Fallback(version: version, program: program))
        case Bolt11Field.Tag.routeHint:
            let b = try bytes()
            guard !b.isEmpty, b.count % Bolt11RouteHop.byteCount == 0 else {
                throw .invalidField(tag: t, reason: "route hint is \(b.count) bytes, not a positive multiple of 51")
            }
            var hops = [Bolt11RouteHop]()
            hops.reserveCapacity(b.count / Bolt11RouteHop.byteCount)
            var o = 0
            while o < b.count {
                hops.append(Bolt11RouteHop(
                    publicKey: Array(b[o..<(o + 33)]),
                    shortChannelID: bigEndian(b, o + 33, 8),
                    feeBaseMsat: UInt32(bigEndian(b, o + 41, 4)),
                    feeProportionalMillionths: UInt32(bigEndian(b, o + 45, 4)),
                    cltvExpiryDelta: UInt16(bigEndian(b, o + 49, 2))))
                o += Bolt11RouteHop.byteCount
            }
            return .routeHint(hops)
        default:
            return .unknown(tag: tag, words: data)
        }
    }

    private static func bigEndian(_ b: [UInt8], _ offset: Int, _ count: Int) -> UInt64 {
        var v: UInt64 = 0
        for i in offset..<(offset + count) { v = v << 8 | UInt64(b[i]) }
        return v
    }

    /// Rules on the set of fields shared by reader and writer: exactly one p and s, exactly one of d/h,
    /// no repeated single-valued field, no unknown required feature.
    static func checkSemantics(_ fields: [Bolt11Field]) throws(Bolt11Error) {
        var counts = [Int](repeating: 0, count: 32)
        for f in fields {
            if case .unknown = f { continue }
            counts[Int(f.tag)] += 1
        }
        let single: [UInt8] = [Bolt11Field.Tag.paymentHash, Bolt11Field.Tag.paymentSecret, Bolt11Field.Tag.description,
                               Bolt11Field.Tag.descriptionHash, Bolt11Field.Tag.expiry, Bolt11Field.Tag.minFinalCLTVExpiry,
                               Bolt11Field.Tag.payeeNodeKey, Bolt11Field.Tag.features, Bolt11Field.Tag.metadata]
        for tag in single where counts[Int(tag)] > 1 { throw .duplicateField(tag: Bolt11Field.character(for: tag)) }
        if counts[Int(Bolt11Field.Tag.paymentHash)] == 0 { throw .missingField(tag: "p") }
        if counts[Int(Bolt11Field.Tag.paymentSecret)] == 0 { throw .missingField(tag: "s") }
        let d = counts[Int(Bolt11Field.Tag.description)], h = counts[Int(Bolt11Field.Tag.descriptionHash)]
        if d == 0 && h == 0 { throw .missingDescription }
        if d > 0 && h > 0 { throw .descriptionAndHash }
        for case .features(let f) in fields {
            if let bit = f.firstUnknownRequiredBit { throw .unknownRequiredFeature(bit: bit) }
        }
    }
}
