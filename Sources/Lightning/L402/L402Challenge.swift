/// A `WWW-Authenticate` L402 challenge: a macaroon to pay for and the BOLT11 invoice that unlocks it.
public struct L402Challenge: Sendable, Equatable {
    /// The macaroon whose identifier commits to the invoice's payment hash.
    public var macaroon: Macaroon
    /// The BOLT11 payment request, as text (not decoded here).
    public var invoice: String

    /// A challenge from its parts.
    public init(macaroon: Macaroon, invoice: String) {
        self.macaroon = macaroon
        self.invoice = invoice
    }

    /// Aperture's header value: `L402 macaroon="<std base64>", invoice="<bolt11>"`.
    public var headerValue: String { headerValue(scheme: "L402") }

    /// The same header with another scheme (Aperture also sends a legacy `LSAT` one first).
    public func headerValue(scheme: String) -> String {
        "\(scheme) macaroon=\"\(macaroon.base64())\", invoice=\"\(invoice)\""
    }

    /// Parses a `WWW-Authenticate` value leniently: `L402` or `LSAT` (any case), `macaroon=` or `token=`,
    /// parameters in any order, quoted or not, extra spaces, other challenges around it separated by commas.
    public init(parsing header: String) throws(L402ChallengeError) {
        let challenges = try AuthChallengeParser.parse(header)
        let l402 = challenges.first { $0.scheme.lowercased() == "l402" }
            ?? challenges.first { $0.scheme.lowercased() == "lsat" }
        guard let chosen = l402 else { throw .noL402Challenge }
        func param(_ names: [String]) -> String? {
            chosen.params.first { names.contains($0.key.lowercased()) }?.value
        }
        guard let mac = param(["macaroon", "token"]), !mac.isEmpty else { throw .missingMacaroon }
        guard let invoice = param(["invoice"]), !invoice.isEmpty else { throw .missingInvoice }
        do {
            self.macaroon = try Macaroon(base64: mac)
        } catch {
            throw .badMacaroon(error)
        }
        self.invoice = invoice
    }
}

/// Why a `WWW-Authenticate` value held no usable L402 challenge.
public enum L402ChallengeError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The header is empty or has no `L402`/`LSAT` challenge.
    case noL402Challenge
    /// The L402 challenge has no `macaroon=` (or `token=`) parameter.
    case missingMacaroon
    /// The L402 challenge has no `invoice=` parameter.
    case missingInvoice
    /// A quoted parameter value never closes.
    case unterminatedQuote
    /// A parameter name without `=value`, or other stray syntax.
    case malformed(String)
    /// The macaroon parameter does not decode.
    case badMacaroon(MacaroonFormatError)

    /// A human-readable message saying what is wrong.
    public var description: String {
        switch self {
        case .noL402Challenge: return "no L402 or LSAT challenge in WWW-Authenticate"
        case .missingMacaroon: return "L402 challenge has no macaroon"
        case .missingInvoice: return "L402 challenge has no invoice"
        case .unterminatedQuote: return "L402 challenge has an unterminated quoted string"
        case .malformed(let why): return "malformed WWW-Authenticate: \(why)"
        case .badMacaroon(let e): return "L402 challenge macaroon is invalid: \(e)"
        }
    }
}

/// A small RFC 9110 challenge-list tokenizer: `scheme k=v, k="v", scheme2 token68, ...`.
enum AuthChallengeParser {
    struct Challenge {
        var scheme: String
        var params: [(key: String, value: String)] = []
    }

    static func parse(_ header: String) throws(L402ChallengeError) -> [Challenge] {
        let s = Array(header.utf8)
        var i = 0
        var out: [Challenge] = []
        func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 }
        func skipSeparators() { while i < s.count, isSpace(s[i]) || s[i] == UInt8(ascii: ",") { i += 1 } }
        func skipSpaces() { while i < s.count, isSpace(s[i]) { i += 1 } }
        func word() -> String {
            let start = i
            while i < s.count, !isSpace(s[i]), s[i] != UInt8(ascii: ","), s[i] != UInt8(ascii: "=") { i += 1 }
            return String(decoding: s[start..<i], as: UTF8.self)
        }
        while true {
            skipSeparators()
            guard i < s.count else { break }
            let name = word()
            if name.isEmpty {
                // A stray '=' (e.g. token68 padding after a non-L402 scheme): skip it.
                i += 1
                continue
            }
            let save = i
            skipSpaces()
            if i < s.count, s[i] == UInt8(ascii: "=") {
                // name=value: a parameter of the current challenge.
                i += 1
                skipSpaces()
                var value: [UInt8] = []
                if i < s.count, s[i] == UInt8(ascii: "\"") {
                    i += 1
                    var closed = false
                    while i < s.count {
                        let c = s[i]
                        if c == UInt8(ascii: "\\"), i + 1 < s.count {
                            value.append(s[i + 1]); i += 2; continue
                        }
                        if c == UInt8(ascii: "\"") { closed = true; i += 1; break }
                        value.append(c); i += 1
                    }
                    guard closed else { throw .unterminatedQuote }
                } else {
                    while i < s.count, !isSpace(s[i]), s[i] != UInt8(ascii: ",") { value.append(s[i]); i += 1 }
                }
                let v = String(decoding: value, as: UTF8.self)
                if out.isEmpty {
                    throw .malformed("parameter \(name) before any scheme")
                }
                out[out.count - 1].params.append((key: name, value: v))
            } else {
                i = save
                out.append(Challenge(scheme: name))
            }
        }
        return out
    }
}
