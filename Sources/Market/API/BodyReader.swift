import JSON

/// Reads typed fields from a JSON object body, turning every problem into a 422 that names the field.
struct BodyReader {
    let object: [String: JSONValue]
    /// Prefix for nested field names, e.g. `input.`.
    var path: String = ""

    /// Parses `bytes` as a JSON object; an empty body counts as `{}` when `allowEmpty`.
    static func parse(_ bytes: [UInt8], allowEmpty: Bool = false) throws(APIError) -> BodyReader {
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0a || $0 == 0x0d || $0 == 0x09 }) {
            if allowEmpty { return BodyReader(object: [:]) }
            throw APIError(400, "malformed_json", "request body is empty; expected a JSON object")
        }
        let value: JSONValue
        do {
            value = try JSONValue.parse(bytes)
        } catch {
            throw APIError(400, "malformed_json", "request body is not valid JSON: \(error)")
        }
        guard let object = value.objectValue else {
            throw APIError(400, "malformed_json", "request body must be a JSON object, got \(article(value.typeName))")
        }
        return BodyReader(object: object)
    }

    func name(_ field: String) -> String { path + field }

    func present(_ field: String) -> JSONValue? {
        guard let v = object[field], !v.isNull else { return nil }
        return v
    }

    func string(_ field: String, required: Bool, maxLength: Int = 10_000, allowEmpty: Bool = false) throws(APIError) -> String? {
        guard let v = present(field) else {
            if required { throw .missingField(name(field), "a string") }
            return nil
        }
        guard let s = v.stringValue else {
            throw .invalidField(name(field), "must be a string, got \(article(v.typeName))")
        }
        // A NUL is never meaningful in these fields, and SQLite's length() (the schema's CHECKs) stops at it.
        if s.unicodeScalars.contains("\u{0}") { throw .invalidField(name(field), "must not contain NUL (U+0000) characters") }
        let trimmed = s.trimmingWhitespace()
        if !allowEmpty && trimmed.isEmpty { throw .invalidField(name(field), "must not be empty") }
        // Characters as SQLite counts them (code points), so that a length accepted here passes the schema's CHECKs.
        let length = s.unicodeScalars.count
        if length > maxLength { throw .invalidField(name(field), "must be at most \(maxLength) characters, got \(length)") }
        return trimmed
    }

    func enumeration<E: RawRepresentable & CaseIterable>(_ field: String, _: E.Type, required: Bool) throws(APIError) -> E?
    where E.RawValue == String {
        guard let s = try string(field, required: required, maxLength: 100) else { return nil }
        guard let e = E(rawValue: s) else {
            let allowed = E.allCases.map { $0.rawValue }.joined(separator: ", ")
            throw .invalidField(name(field), "must be one of \(allowed), got \"\(s)\"")
        }
        return e
    }

    func integer(_ field: String, required: Bool, range: ClosedRange<Int64>) throws(APIError) -> Int64? {
        guard let v = present(field) else {
            if required { throw .missingField(name(field), "an integer") }
            return nil
        }
        guard case .int(let i) = v else {
            if let d = v.doubleValue { throw .invalidField(name(field), "must be a whole number, got \(d)") }
            throw .invalidField(name(field), "must be an integer, got \(article(v.typeName))")
        }
        guard range.contains(i) else {
            throw .invalidField(name(field), "must be between \(range.lowerBound) and \(range.upperBound), got \(i)")
        }
        return i
    }

    func number(_ field: String, required: Bool, range: ClosedRange<Double>) throws(APIError) -> Double? {
        guard let v = present(field) else {
            if required { throw .missingField(name(field), "a number") }
            return nil
        }
        guard let d = v.doubleValue else {
            throw .invalidField(name(field), "must be a number, got \(article(v.typeName))")
        }
        guard range.contains(d) else {
            throw .invalidField(name(field), "must be between \(range.lowerBound) and \(range.upperBound), got \(d)")
        }
        return d
    }
}

/// "an object", "a string": the type name with its article, for messages.
func article(_ typeName: String) -> String {
    let vowels: Set<Character> = ["a", "e", "i", "o", "u"]
    return (typeName.first.map { vowels.contains($0) } ?? false ? "an " : "a ") + typeName
}

extension String {
    func trimmingWhitespace() -> String {
        // Fast path: nothing to trim at either end (the common case).
        if let f = utf8.first, let l = utf8.last, f > 0x20 && f < 0x80, l > 0x20 && l < 0x80 { return self }
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s = s.dropFirst() }
        while let l = s.last, l.isWhitespace { s = s.dropLast() }
        return String(s)
    }
}

/// Syntax checks for the text fields the market stores.
enum FieldRules {
    /// LUD-16: `user@domain`, user of `a-z0-9-_.+`, a domain name with at least one dot (or `localhost`).
    static func isLightningAddress(_ s: String) -> Bool {
        let parts = s.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].count <= 64, !parts[1].isEmpty, parts[1].count <= 253 else { return false }
        let userOK = parts[0].unicodeScalars.allSatisfy { c in
            ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) || "-_.+".unicodeScalars.contains(c)
        }
        let labels = parts[1].split(separator: ".", omittingEmptySubsequences: false)
        let domainOK = (labels.count >= 2 || parts[1] == "localhost") && labels.allSatisfy { label in
            !label.isEmpty && label.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.unicodeScalars.allSatisfy { c in ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) || c == "-" }
        }
        return userOK && domainOK
    }

    /// An absolute http or https URL with a host.
    static func isHTTPURL(_ s: String) -> Bool {
        let lower = s.lowercased()
        let rest: Substring
        if lower.hasPrefix("https://") { rest = lower.dropFirst(8) } else if lower.hasPrefix("http://") { rest = lower.dropFirst(7) } else { return false }
        let host = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        return !host.isEmpty && !s.unicodeScalars.contains { $0.value < 0x21 || $0.value == 0x7f }
    }
}
