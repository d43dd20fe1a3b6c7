/// Why a BOLT #11 invoice could not be decoded or encoded; `description` names the rule broken.
public enum Bolt11Error: Error, Equatable, Sendable, CustomStringConvertible {
    /// The text is not valid bech32 (bad character, mixed case, no separator, bad checksum, …).
    case bech32(Bech32Error)
    /// The human-readable part does not start with a known `ln` + currency prefix.
    case unknownPrefix(String)
    /// The amount is not a positive decimal integer without leading zeros, or is out of range.
    case invalidAmount(String)
    /// The amount is followed by a letter that is not one of the multipliers m, u, n, p.
    case invalidMultiplier(String)
    /// A pico-bitcoin amount whose last digit is not 0 (a fraction of a millisatoshi).
    case subMillisatoshiAmount(String)
    /// The data part cannot hold a timestamp and a 104-word signature.
    case tooShort(words: Int)
    /// The timestamp does not fit in 35 bits.
    case timestampOutOfRange(UInt64)
    /// A tagged field's header or data runs into the signature.
    case truncatedField(tag: Character)
    /// A fixed-length field (p, h, s, n) has the wrong `data_length`.
    case invalidFieldLength(tag: Character, length: Int)
    /// A field's contents are malformed (non-zero padding, bad UTF-8, bad route hint size, …).
    case invalidField(tag: Character, reason: String)
    /// An x, c or 9 field starts with a zero word (non-minimal `data_length`).
    case nonMinimalField(tag: Character)
    /// A field whose data exceeds 1023 words (encoding only).
    case fieldTooLong(tag: Character, words: Int)
    /// A required field (p or s) is missing.
    case missingField(tag: Character)
    /// A field that may appear only once appears more than once.
    case duplicateField(tag: Character)
    /// Neither a description (d) nor a description hash (h) is present.
    case missingDescription
    /// Both a description (d) and a description hash (h) are present.
    case descriptionAndHash
    /// The features field sets an even (required) bit this reader does not know.
    case unknownRequiredFeature(bit: Int)
    /// The recovery id byte is not 0...3.
    case invalidRecoveryID(Int)
    /// No public key can be recovered from the signature.
    case signatureRecoveryFailed
    /// The signature does not verify against the payee key in the n field (including high-S signatures).
    case signatureMismatch
    /// The invoice's n field is not the signing key's public key (encoding only).
    case payeeKeyMismatch
    /// The signing key failed to sign.
    case signingFailed(NodeKeyError)

    /// A human-readable explanation naming what is wrong.
    public var description: String {
        switch self {
        case .bech32(let e): return "invalid invoice encoding: \(e)"
        case .unknownPrefix(let p): return "unknown invoice prefix '\(p)' (expected lnbc, lntb, lntbs, lnbcrt or lnsb)"
        case .invalidAmount(let a): return "invalid amount '\(a)': must be a positive integer without leading zeros, at most 21M BTC"
        case .invalidMultiplier(let a): return "invalid amount '\(a)': multiplier must be one of m, u, n, p"
        case .subMillisatoshiAmount(let a): return "invalid amount '\(a)': pico-bitcoin amount must end in 0 (whole millisatoshis)"
        case .tooShort(let n): return "invoice too short: \(n) data words, need at least 111 (timestamp + signature)"
        case .timestampOutOfRange(let t): return "timestamp \(t) does not fit in 35 bits"
        case .truncatedField(let t): return "tagged field '\(t)' runs past the end of the data"
        case .invalidFieldLength(let t, let n): return "field '\(t)' has data_length \(n), which is not the required length"
        case .invalidField(let t, let r): return "field '\(t)' is malformed: \(r)"
        case .nonMinimalField(let t): return "field '\(t)' has a non-minimal data_length (leading zero word)"
        case .fieldTooLong(let t, let n): return "field '\(t)' has \(n) words, more than 1023"
        case .missingField(let t): return "required field '\(t)' is missing"
        case .duplicateField(let t): return "field '\(t)' appears more than once"
        case .missingDescription: return "invoice has neither a description (d) nor a description hash (h)"
        case .descriptionAndHash: return "invoice has both a description (d) and a description hash (h)"
        case .unknownRequiredFeature(let b): return "invoice requires unknown feature bit \(b)"
        case .invalidRecoveryID(let r): return "signature recovery id \(r) is not in 0...3"
        case .signatureRecoveryFailed: return "no public key can be recovered from the signature"
        case .signatureMismatch: return "signature does not verify against the payee key (n field), or is not low-S"
        case .payeeKeyMismatch: return "the n field is not the signing key's public key"
        case .signingFailed(let e): return "signing failed: \(e)"
        }
    }
}
