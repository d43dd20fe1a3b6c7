/// A parsed absolute `scheme://authority/path?query` URL, just enough for the web probes.
///
/// Normalisation: scheme and host lower-cased, the scheme's default port dropped (80 for http, 443 for https),
/// an empty path becomes `/`, the fragment is dropped; the path and query are kept byte for byte.
struct WebURL: Sendable, Equatable {
    /// Lower-cased scheme, e.g. `http`.
    var scheme: String
    /// Lower-cased host; IPv6 literals keep their brackets (`[::1]`).
    var host: String
    /// Explicit, non-default port, if any.
    var port: UInt16?
    /// Path (starting with `/`) plus `?query` when present.
    var pathAndQuery: String

    /// Parses an absolute URL; nil when there is no `scheme://`, no host, or a bad port.
    init?(_ text: String) {
        let trimmed = text.trimmingASCIISpacesAndControls()
        guard let separator = trimmed.range(of: "://") else { return nil }
        let scheme = trimmed[..<separator.lowerBound].lowercased()
        guard let first = scheme.unicodeScalars.first, first.isASCIILetter,
              scheme.unicodeScalars.allSatisfy({ $0.isASCIILetter || $0.isASCIIDigit || "+-.".unicodeScalars.contains($0) })
        else { return nil }
        var rest = trimmed[separator.upperBound...]
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        var tail = String(rest[authorityEnd...])
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }

        var hostPart = Substring(authority)
        var port: UInt16?
        // The port is after the last colon, unless that colon is inside an IPv6 literal.
        if let colon = authority.lastIndex(of: ":"),
           !(authority.hasPrefix("[") && authority[colon...].contains("]")) {
            let digits = authority[authority.index(after: colon)...]
            hostPart = authority[..<colon]
            if !digits.isEmpty {
                guard digits.count <= 5, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
                      let value = UInt16(digits) else { return nil }
                port = value
            }
        }
        guard !hostPart.isEmpty, !hostPart.contains(where: { $0 == " " || $0 == "\t" }) else { return nil }
        if hostPart.hasPrefix("[") != hostPart.hasSuffix("]") { return nil }

        if tail.isEmpty {
            tail = "/"
        } else if tail.hasPrefix("?") {
            tail = "/" + tail
        }
        self.scheme = scheme
        self.host = hostPart.lowercased()
        self.port = port == WebURL.defaultPort(for: scheme) ? nil : port
        self.pathAndQuery = tail
    }

    /// The default port of `scheme`, when known.
    static func defaultPort(for scheme: String) -> UInt16? {
        switch scheme {
        case "http": return 80
        case "https": return 443
        default: return nil
        }
    }

    /// The port to connect to: the explicit one, else the scheme's default.
    var effectivePort: UInt16? { port ?? WebURL.defaultPort(for: scheme) }

    /// `host` or `host:port`, as sent in a `Host` header.
    var authority: String { port.map { "\(host):\($0)" } ?? host }

    /// The host as a connectable address: IPv6 brackets removed.
    var connectHost: String {
        host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
    }

    /// The normalised text form.
    var text: String { "\(scheme)://\(authority)\(pathAndQuery)" }

    /// Path without the query.
    var path: String {
        pathAndQuery.firstIndex(of: "?").map { String(pathAndQuery[..<$0]) } ?? pathAndQuery
    }

    /// The normalised form of `text`, or `text` itself (trimmed) when it is not an absolute URL.
    static func normalize(_ text: String) -> String {
        WebURL(text)?.text ?? text.trimmingASCIISpacesAndControls()
    }

    /// Resolves a redirect target (absolute, scheme-relative `//host/...`, absolute-path `/...`, or a relative
    /// path) against this URL; nil when the result is not a valid absolute URL.
    func resolve(_ reference: String) -> WebURL? {
        let target = reference.trimmingASCIISpacesAndControls()
        if target.isEmpty { return nil }
        if target.contains("://"), let absolute = WebURL(target) { return absolute }
        if target.hasPrefix("//") { return WebURL("\(scheme):\(target)") }
        let origin = "\(scheme)://\(authority)"
        if target.hasPrefix("/") { return WebURL(origin + target) }
        if target.hasPrefix("?") { return WebURL(origin + path + target) }
        if target.hasPrefix("#") { return self }
        let directory = path.lastIndex(of: "/").map { String(path[...$0]) } ?? "/"
        return WebURL(origin + directory + target)
    }
}

extension Unicode.Scalar {
    fileprivate var isASCIILetter: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) }
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}

extension String {
    /// Drops leading and trailing ASCII spaces, tabs, CR and LF.
    func trimmingASCIISpacesAndControls() -> String {
        let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }
        guard let start = firstIndex(where: { !blank($0) }), let end = lastIndex(where: { !blank($0) }) else { return "" }
        return String(self[start...end])
    }

    /// Percent-encodes every byte outside the RFC 3986 unreserved set.
    func percentEncodedUnreserved() -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                 UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(byte)
            default:
                out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
