/// Aperture's L402 macaroon identifier: version (UInt16 big-endian, 0) ‖ payment hash (32) ‖ token id (32).
public struct L402Identifier: Sendable, Equatable, Hashable {
    /// The only identifier version defined by Aperture.
    public static let latestVersion: UInt16 = 0
    /// Encoded size of a version 0 identifier.
    public static let encodedSize = 66

    /// The identifier version (always 0 here).
    public let version: UInt16
    /// The invoice payment hash whose preimage unlocks this L402.
    public let paymentHash: [UInt8]
    /// The unique token id (Aperture uses it to look up the root key).
    public let tokenId: [UInt8]

    /// A version 0 identifier; both parts must be 32 bytes.
    public init(paymentHash: [UInt8], tokenId: [UInt8]) throws(L402IdentifierError) {
        guard paymentHash.count == 32 else { throw .badPaymentHashLength(paymentHash.count) }
        guard tokenId.count == 32 else { throw .badTokenIdLength(tokenId.count) }
        self.version = L402Identifier.latestVersion
        self.paymentHash = paymentHash
        self.tokenId = tokenId
    }

    /// Decodes the 66-byte version 0 layout; rejects other versions and lengths.
    public init(decoding bytes: [UInt8]) throws(L402IdentifierError) {
        guard bytes.count >= 2 else { throw .tooShort(bytes.count) }
        let version = UInt16(bytes[0]) << 8 | UInt16(bytes[1])
        guard version == 0 else { throw .unknownVersion(version) }
        guard bytes.count == L402Identifier.encodedSize else { throw .badLength(bytes.count) }
        self.version = version
        self.paymentHash = Array(bytes[2..<34])
        self.tokenId = Array(bytes[34..<66])
    }

    /// The 66-byte encoding used as the macaroon identifier.
    public func encoded() -> [UInt8] {
        [UInt8(version >> 8), UInt8(version & 0xff)] + paymentHash + tokenId
    }

    /// Hex of the token id, as Aperture prints it.
    public var tokenIdHex: String { Hex.encode(tokenId) }

    /// True when SHA-256 of `preimage` equals the payment hash (constant-time compare).
    public func isPaid(byPreimage preimage: [UInt8]) -> Bool {
        Hash.constantTimeEqual(Hash.sha256(preimage), paymentHash)
    }
}

/// Why an L402 identifier could not be built or decoded.
public enum L402IdentifierError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Fewer than 2 bytes, so not even a version.
    case tooShort(Int)
    /// A version other than 0.
    case unknownVersion(UInt16)
    /// A version 0 identifier that is not exactly 66 bytes.
    case badLength(Int)
    /// A payment hash that is not 32 bytes.
    case badPaymentHashLength(Int)
    /// A token id that is not 32 bytes.
    case badTokenIdLength(Int)

    /// A human-readable message saying what is wrong.
    public var description: String {
        switch self {
        case .tooShort(let n): return "L402 identifier is \(n) bytes, too short to hold a version"
        case .unknownVersion(let v): return "unknown L402 identifier version \(v)"
        case .badLength(let n): return "L402 identifier is \(n) bytes, expected 66"
        case .badPaymentHashLength(let n): return "payment hash is \(n) bytes, expected 32"
        case .badTokenIdLength(let n): return "token id is \(n) bytes, expected 32"
        }
    }
}
