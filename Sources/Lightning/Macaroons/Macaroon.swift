/// A macaroon bearer credential (libmacaroons / pymacaroons / go-macaroon compatible HMAC chain).
public struct Macaroon: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// One caveat: first-party when `verificationId` is nil; third-party fields are preserved but not discharged.
    public struct Caveat: Sendable, Equatable, Hashable {
        /// The caveat identifier (for a first-party caveat, its predicate bytes).
        public var identifier: [UInt8]
        /// The third-party verification key id (`vid`), nil for a first-party caveat.
        public var verificationId: [UInt8]?
        /// The third-party location (`cl`), nil when absent.
        public var location: String?

        /// A caveat from its raw fields.
        public init(identifier: [UInt8], verificationId: [UInt8]? = nil, location: String? = nil) {
            self.identifier = identifier
            self.verificationId = verificationId
            self.location = location
        }

        /// True for a first-party caveat (one without a verification id).
        public var isFirstParty: Bool { verificationId == nil }

        /// The identifier as UTF-8 text, or nil if it is not valid UTF-8.
        public var predicate: String? { String(validating: identifier, as: UTF8.self) }
    }

    /// The location hint (not covered by the signature).
    public var location: String
    /// The identifier, from which the minter finds the root key.
    public var identifier: [UInt8]
    /// Caveats in the order they were added.
    public var caveats: [Caveat]
    /// The HMAC-SHA256 chain signature (32 bytes for a well-formed macaroon).
    public var signature: [UInt8]

    /// A macaroon from its raw parts, as parsed or stored; nothing is recomputed.
    public init(location: String, identifier: [UInt8], caveats: [Caveat], signature: [UInt8]) {
        self.location = location
        self.identifier = identifier
        self.caveats = caveats
        self.signature = signature
    }

    /// Mints a macaroon: signature = HMAC(HMAC("macaroons-key-generator", rootKey), identifier).
    public init(rootKey: [UInt8], identifier: [UInt8], location: String = "") {
        self.location = location
        self.identifier = identifier
        self.caveats = []
        self.signature = Hash.hmacSHA256(key: Macaroon.derivedKey(rootKey), message: identifier)
    }

    /// Mints a macaroon whose identifier is the UTF-8 of `identifier`.
    public init(rootKey: [UInt8], identifier: String, location: String = "") {
        self.init(rootKey: rootKey, identifier: Array(identifier.utf8), location: location)
    }

    /// The key libmacaroons derives from a root key before signing: HMAC-SHA256("macaroons-key-generator", rootKey).
    static func derivedKey(_ rootKey: [UInt8]) -> [UInt8] {
        Hash.hmacSHA256(key: Array("macaroons-key-generator".utf8), message: rootKey)
    }

    /// This macaroon with a first-party caveat appended and the signature extended.
    public func adding(firstPartyCaveat predicate: String) -> Macaroon {
        adding(firstPartyCaveat: Array(predicate.utf8))
    }

    /// This macaroon with a first-party caveat of raw bytes appended and the signature extended.
    public func adding(firstPartyCaveat identifier: [UInt8]) -> Macaroon {
        var m = self
        m.caveats.append(Caveat(identifier: identifier))
        m.signature = Hash.hmacSHA256(key: signature, message: identifier)
        return m
    }

    /// Appends a third-party caveat whose encrypted `vid` was made elsewhere (test support; no encryption here).
    func adding(thirdPartyCaveatId identifier: [UInt8], verificationId: [UInt8], location: String) -> Macaroon {
        var m = self
        m.caveats.append(Caveat(identifier: identifier, verificationId: verificationId, location: location))
        m.signature = Macaroon.thirdPartyStep(signature, verificationId: verificationId, identifier: identifier)
        return m
    }

    static func thirdPartyStep(_ sig: [UInt8], verificationId: [UInt8], identifier: [UInt8]) -> [UInt8] {
        let h1 = Hash.hmacSHA256(key: sig, message: verificationId)
        let h2 = Hash.hmacSHA256(key: sig, message: identifier)
        return Hash.hmacSHA256(key: sig, message: h1 + h2)
    }

    /// The signature the chain should end in under `rootKey` (no caveat is evaluated).
    func expectedSignature(rootKey: [UInt8]) -> [UInt8] {
        var sig = Hash.hmacSHA256(key: Macaroon.derivedKey(rootKey), message: identifier)
        for c in caveats {
            if let vid = c.verificationId {
                sig = Macaroon.thirdPartyStep(sig, verificationId: vid, identifier: c.identifier)
            } else {
                sig = Hash.hmacSHA256(key: sig, message: c.identifier)
            }
        }
        return sig
    }

    /// Verifies the signature chain under `rootKey` (constant-time compare), then that every first-party caveat is satisfied.
    public func verifying(rootKey: [UInt8], isSatisfied: (String) throws -> Bool) throws {
        guard Hash.constantTimeEqual(expectedSignature(rootKey: rootKey), signature) else {
            throw MacaroonVerificationError.signatureMismatch
        }
        for (index, c) in caveats.enumerated() {
            guard c.isFirstParty else {
                throw MacaroonVerificationError.thirdPartyCaveatUnsupported(index: index)
            }
            guard let predicate = c.predicate else {
                throw MacaroonVerificationError.caveatNotUTF8(index: index)
            }
            guard try isSatisfied(predicate) else {
                throw MacaroonVerificationError.unsatisfiedCaveat(predicate)
            }
        }
    }

    /// True when `verifying(rootKey:isSatisfied:)` succeeds.
    public func verify(rootKey: [UInt8], isSatisfied: (String) -> Bool) -> Bool {
        do {
            try verifying(rootKey: rootKey, isSatisfied: isSatisfied)
            return true
        } catch {
            return false
        }
    }

    /// Debug text in pymacaroons' `inspect()` layout (`identifier64`/`cid64` for non-text bytes).
    public func inspect() -> String {
        var lines = ["location \(location)"]
        if let text = Macaroon.printable(identifier) {
            lines.append("identifier \(text)")
        } else {
            lines.append("identifier64 \(MacaroonBase64.encode(identifier))")
        }
        for c in caveats {
            if let text = Macaroon.printable(c.identifier) {
                lines.append("cid \(text)")
            } else {
                lines.append("cid64 \(MacaroonBase64.encode(c.identifier))")
            }
            if let vid = c.verificationId {
                lines.append("vid \(MacaroonBase64.encode(vid))")
                if let cl = c.location { lines.append("cl \(cl)") }
            }
        }
        lines.append("signature \(Hex.encode(signature))")
        return lines.joined(separator: "\n")
    }

    /// Same as `inspect()`.
    public var description: String { inspect() }

    private static func printable(_ bytes: [UInt8]) -> String? {
        guard let s = String(validating: bytes, as: UTF8.self) else { return nil }
        for u in s.unicodeScalars where u.value < 0x20 || u.value == 0x7f { return nil }
        return s
    }
}

/// Why a macaroon failed verification.
public enum MacaroonVerificationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The recomputed HMAC chain does not end in the macaroon's signature (wrong root key or tampering).
    case signatureMismatch
    /// A first-party caveat whose predicate the caller did not accept.
    case unsatisfiedCaveat(String)
    /// A third-party caveat; discharge macaroons are not supported.
    case thirdPartyCaveatUnsupported(index: Int)
    /// A first-party caveat whose bytes are not UTF-8 text.
    case caveatNotUTF8(index: Int)

    /// A human-readable message saying what is wrong.
    public var description: String {
        switch self {
        case .signatureMismatch: return "macaroon signature does not match (wrong root key or tampered macaroon)"
        case .unsatisfiedCaveat(let p): return "caveat not satisfied: \(p)"
        case .thirdPartyCaveatUnsupported(let i): return "caveat \(i) is a third-party caveat; discharges are not supported"
        case .caveatNotUTF8(let i): return "caveat \(i) is not UTF-8 text"
        }
    }
}
