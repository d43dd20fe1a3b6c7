/// An `Authorization: L402 <token>:<preimage>` credential, keeping the raw texts until asked to decode them.
public struct L402Credential: Sendable, Equatable {
    /// The scheme as written (`L402` or `LSAT`, any case).
    public var scheme: String
    /// The token text before the colon (normally base64 of a macaroon), untouched.
    public var token: String
    /// The preimage text after the colon (normally 64 hex characters), untouched.
    public var preimageText: String

    /// Parses an `Authorization` value `L402 <token>:<preimage>` or `LSAT ...`; the scheme is case-insensitive and
    /// surrounding whitespace (also around the colon) is tolerated.
    public init(parsing header: String) throws(L402CredentialError) {
        let trimmed = L402Credential.trim(Substring(header))
        guard !trimmed.isEmpty else { throw .empty }
        guard let space = trimmed.firstIndex(where: L402Credential.isSpace) else {
            if trimmed.lowercased() == "l402" || trimmed.lowercased() == "lsat" { throw .missingToken }
            throw .missingScheme
        }
        let scheme = String(trimmed[trimmed.startIndex..<space])
        guard ["l402", "lsat"].contains(scheme.lowercased()) else {
            if scheme.contains(":") { throw .missingScheme }
            throw .unsupportedScheme(scheme)
        }
        let rest = L402Credential.trim(trimmed[space...])
        guard !rest.isEmpty else { throw .missingToken }
        guard let colon = rest.lastIndex(of: ":") else { throw .missingColon }
        let token = L402Credential.trim(rest[rest.startIndex..<colon])
        let preimage = L402Credential.trim(rest[rest.index(after: colon)...])
        guard !token.isEmpty else { throw .emptyToken }
        guard !preimage.isEmpty else { throw .emptyPreimage }
        guard !token.contains(where: L402Credential.isSpace), !preimage.contains(where: L402Credential.isSpace) else {
            throw .unexpectedWhitespace
        }
        self.scheme = scheme
        self.token = String(token)
        self.preimageText = String(preimage)
    }

    /// The credential a client sends after paying: the macaroon (standard base64) and the preimage (hex).
    public init(macaroon: Macaroon, preimage: [UInt8], scheme: String = "L402") {
        self.scheme = scheme
        self.token = macaroon.base64()
        self.preimageText = Hex.encode(preimage)
    }

    /// A credential from raw texts, e.g. a literal demo token.
    public init(token: String, preimageText: String, scheme: String = "L402") {
        self.scheme = scheme
        self.token = token
        self.preimageText = preimageText
    }

    /// The `Authorization` header value: `<scheme> <token>:<preimage>`.
    public var headerValue: String { "\(scheme) \(token):\(preimageText)" }

    /// Decodes the token as a macaroon: hex (as lnd's `Macaroon` header) or base64, standard or URL-safe, padded or not.
    public func macaroon() throws(L402CredentialError) -> Macaroon {
        if token.utf8.count % 2 == 0, let raw = Hex.decode(token), let mac = try? Macaroon(binary: raw) {
            return mac
        }
        guard let raw = MacaroonBase64.decode(token) else { throw .macaroonNotBase64 }
        do {
            return try Macaroon(binary: raw)
        } catch {
            throw .macaroonInvalid(error)
        }
    }

    /// Decodes the preimage: exactly 64 hex characters, 32 bytes.
    public func preimage() throws(L402CredentialError) -> [UInt8] {
        guard let bytes = Hex.decode(preimageText) else { throw .preimageNotHex }
        guard bytes.count == 32 else { throw .preimageWrongLength(bytes.count) }
        return bytes
    }

    /// Full check: macaroon signature under the root key found for its identifier, preimage matching the
    /// identifier's payment hash, and caveats under `policy`. Returns what the caveats grant.
    public func verify(rootKey: (L402Identifier) -> [UInt8]?, policy: L402CaveatPolicy) throws(L402VerificationError) -> L402Grant {
        let mac: Macaroon
        let pre: [UInt8]
        do {
            mac = try macaroon()
            pre = try preimage()
        } catch {
            throw .credential(error)
        }
        let id: L402Identifier
        do { id = try L402Identifier(decoding: mac.identifier) } catch { throw .identifier(error) }
        guard let key = rootKey(id) else { throw .unknownToken(id.tokenIdHex) }
        do {
            try mac.verifying(rootKey: key) { _ in true }
        } catch let e as MacaroonVerificationError {
            throw .macaroon(e)
        } catch {
            throw .macaroon(.signatureMismatch)
        }
        guard id.isPaid(byPreimage: pre) else { throw .preimageMismatch }
        var grant: L402Grant
        do {
            grant = try policy.check(predicates: mac.caveats.map { $0.predicate ?? "" })
        } catch {
            throw .caveat(error)
        }
        grant.identifier = id
        return grant
    }

    private static func isSpace(_ c: Character) -> Bool { c == " " || c == "\t" || c == "\r" || c == "\n" }

    private static func trim(_ s: Substring) -> Substring {
        var t = s
        while let f = t.first, isSpace(f) { t = t.dropFirst() }
        while let l = t.last, isSpace(l) { t = t.dropLast() }
        return t
    }
}

/// Why an `Authorization` value is not a usable L402 credential.
public enum L402CredentialError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The header value is empty or blank.
    case empty
    /// No `L402`/`LSAT` scheme before the token.
    case missingScheme
    /// A scheme other than L402 or LSAT.
    case unsupportedScheme(String)
    /// The scheme is not followed by `<token>:<preimage>`.
    case missingToken
    /// No colon between the token and the preimage.
    case missingColon
    /// Nothing before the colon.
    case emptyToken
    /// Nothing after the colon.
    case emptyPreimage
    /// Whitespace inside the token or the preimage.
    case unexpectedWhitespace
    /// The token is neither base64 nor hex.
    case macaroonNotBase64
    /// The token decodes but is not a valid macaroon.
    case macaroonInvalid(MacaroonFormatError)
    /// The preimage is not hex.
    case preimageNotHex
    /// The preimage is hex but not 32 bytes.
    case preimageWrongLength(Int)

    /// A human-readable message saying what is wrong.
    public var description: String {
        switch self {
        case .empty: return "Authorization header is empty"
        case .missingScheme: return "Authorization header has no L402 scheme; expected \"L402 <macaroon>:<preimage>\""
        case .unsupportedScheme(let s): return "unsupported Authorization scheme \"\(s)\"; expected L402 or LSAT"
        case .missingToken: return "L402 credential is missing; expected \"L402 <macaroon>:<preimage>\""
        case .missingColon: return "L402 credential has no colon between macaroon and preimage"
        case .emptyToken: return "L402 credential has an empty macaroon before the colon"
        case .emptyPreimage: return "L402 credential has an empty preimage after the colon"
        case .unexpectedWhitespace: return "L402 credential has whitespace inside the macaroon or preimage"
        case .macaroonNotBase64: return "L402 macaroon is not base64 (or hex)"
        case .macaroonInvalid(let e): return "L402 macaroon is invalid: \(e)"
        case .preimageNotHex: return "L402 preimage is not hex; expected 64 hex characters (32 bytes)"
        case .preimageWrongLength(let n): return "L402 preimage is \(n) bytes; expected 32 bytes (64 hex characters)"
        }
    }
}

/// Why an L402 credential failed full verification.
public enum L402VerificationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The header or its parts do not decode.
    case credential(L402CredentialError)
    /// The macaroon identifier is not an L402 identifier.
    case identifier(L402IdentifierError)
    /// No root key is known for this token id (hex).
    case unknownToken(String)
    /// The macaroon signature chain does not verify (or it has unsupported caveats).
    case macaroon(MacaroonVerificationError)
    /// SHA-256 of the preimage is not the identifier's payment hash.
    case preimageMismatch
    /// A caveat does not hold.
    case caveat(L402CaveatError)

    /// A human-readable message saying what is wrong.
    public var description: String {
        switch self {
        case .credential(let e): return e.description
        case .identifier(let e): return e.description
        case .unknownToken(let t): return "unknown L402 token id \(t)"
        case .macaroon(let e): return e.description
        case .preimageMismatch: return "L402 preimage does not match the payment hash"
        case .caveat(let e): return e.description
        }
    }
}

extension Macaroon {
    /// Mints an Aperture-style L402 macaroon: identifier from `identifier`, then the caveats in order.
    public static func l402(rootKey: [UInt8], identifier: L402Identifier, location: String = "", caveats: [L402Caveat]) -> Macaroon {
        var m = Macaroon(rootKey: rootKey, identifier: identifier.encoded(), location: location)
        for c in caveats { m = m.adding(firstPartyCaveat: c.description) }
        return m
    }

    /// This macaroon's identifier decoded as an L402 identifier.
    public func l402Identifier() throws(L402IdentifierError) -> L402Identifier {
        try L402Identifier(decoding: identifier)
    }
}
