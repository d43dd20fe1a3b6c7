// Strict RFC 8259 parser over raw UTF-8 bytes.
//
// Rejected: duplicate object keys, leading zeros, trailing commas, NaN and
// Infinity, numbers that overflow Double, unescaped control characters in
// strings, invalid escapes, lone UTF-16 surrogates in \u escapes, invalid
// UTF-8 anywhere, a byte order mark, anything after the top-level value, and
// nesting deeper than `maxDepth` (itself capped at `JSONValue.depthCeiling`
// so that parsing, printing, comparing and freeing values never exhaust the
// stack). Empty input fails with "expected a JSON value, got end of input".
//
// Duplicate keys are checked when their object closes (the object is then
// built at its final size), so a syntax error later inside the same object is
// reported before the duplicate. Keys compare as Swift Strings (canonical
// equivalence). `-0` parses as `.int(0)`, `-0.0` as `.double(-0.0)`; integer
// literals outside Int64 become `.double`; numbers whose magnitude overflows
// Double are "number out of range", ones that underflow become 0.

extension JSONValue {
    /// Hard upper bound on nesting depth; a larger `maxDepth` argument is lowered to it.
    public static let depthCeiling = 512

    /// Parses one JSON value from UTF-8 bytes; containers may nest `maxDepth` levels deep.
    public static func parse(_ bytes: [UInt8], maxDepth: Int = 64) throws(JSONParseError) -> JSONValue {
        let result = bytes.withUnsafeBufferPointer { buffer in
            parseResult(buffer, maxDepth: maxDepth)
        }
        return try result.get()
    }

    /// Parses one JSON value from a string; containers may nest `maxDepth` levels deep.
    public static func parse(_ text: String, maxDepth: Int = 64) throws(JSONParseError) -> JSONValue {
        var text = text
        let result = text.withUTF8 { buffer in
            parseResult(buffer, maxDepth: maxDepth)
        }
        return try result.get()
    }

    /// Parses one JSON value from borrowed UTF-8 bytes (e.g. an HTTP body buffer).
    public static func parse(
        _ buffer: UnsafeBufferPointer<UInt8>, maxDepth: Int = 64
    ) throws(JSONParseError) -> JSONValue {
        try parseResult(buffer, maxDepth: maxDepth).get()
    }

    private static func parseResult(
        _ buffer: UnsafeBufferPointer<UInt8>, maxDepth: Int
    ) -> Result<JSONValue, JSONParseError> {
        var parser = JSONParser(input: buffer, maxDepth: min(max(maxDepth, 0), depthCeiling))
        do throws(JSONParseError) {
            return .success(try parser.parseDocument())
        } catch {
            return .failure(error)
        }
    }
}

private let quote = UInt8(ascii: "\"")
private let backslash = UInt8(ascii: "\\")
private let zero = UInt8(ascii: "0")
private let nine = UInt8(ascii: "9")
private let minus = UInt8(ascii: "-")

/// Exact powers of ten for the fast (Clinger) double path.
private let powersOfTen: [Double] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
]

struct JSONParser {
    let input: UnsafeBufferPointer<UInt8>
    let maxDepth: Int
    var pos = 0
    /// Reused buffer for strings that contain escapes.
    var scratch: [UInt8] = []
    /// Members of the objects being parsed, innermost last.
    var memberStack: [Member] = []

    struct Member {
        let key: String
        let value: JSONValue
        /// Offset of the key's opening quote, for duplicate-key errors.
        let offset: Int
    }

    init(input: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
        self.input = input
        self.maxDepth = maxDepth
    }

    mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        guard pos < input.count else {
            throw error("expected a JSON value, got end of input", at: pos)
        }
        let value = try parseValue(depth: 0)
        skipWhitespace()
        if pos < input.count {
            throw unexpected(at: pos, expected: "end of input")
        }
        return value
    }

    // MARK: - Values

    @inline(__always)
    mutating func skipWhitespace() {
        while pos < input.count {
            let b = input[pos]
            guard b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 else { return }
            pos += 1
        }
    }

    /// Parses the value starting at `pos`, which must be in bounds and not whitespace.
    mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
        let b = input[pos]
        switch b {
        case quote:
            return .string(try parseString())
        case UInt8(ascii: "{"):
            return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["):
            return try parseArray(depth: depth + 1)
        case minus, zero...nine:
            return try parseNumber()
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        default:
            if hasPrefix("NaN") {
                throw error("NaN is not a valid JSON number", at: pos)
            }
            if hasPrefix("Infinity") || hasPrefix("+Infinity") {
                throw error("Infinity is not a valid JSON number", at: pos)
            }
            throw unexpected(at: pos, expected: "a value")
        }
    }

    mutating func expectLiteral(_ word: StaticString) throws(JSONParseError) {
        let n = word.utf8CodeUnitCount
        let w = word.utf8Start
        if pos + n <= input.count {
            var i = 0
            while i < n && input[pos + i] == w[i] { i += 1 }
            if i == n {
                pos += n
                return
            }
            throw unexpected(at: pos + i, expected: "'\(word)'")
        }
        var i = 0
        while pos + i < input.count {
            if input[pos + i] != w[i] { throw unexpected(at: pos + i, expected: "'\(word)'") }
            i += 1
        }
        throw error("unexpected end of input", expected: "'\(word)'", at: input.count)
    }

    func hasPrefix(_ word: StaticString) -> Bool {
        let n = word.utf8CodeUnitCount
        guard pos + n <= input.count else { return false }
        let w = word.utf8Start
        for i in 0..<n where input[pos + i] != w[i] { return false }
        return true
    }

    mutating func parseArray(depth: Int) throws(JSONParseError) -> JSONValue {
        if depth > maxDepth { throw tooDeep() }
        pos += 1  // [
        skipWhitespace()
        guard pos < input.count else { throw endOfInput(expected: "a value or ']'") }
        if input[pos] == UInt8(ascii: "]") {
            pos += 1
            return .array([])
        }
        var items: [JSONValue] = []
        while true {
            items.append(try parseValue(depth: depth))
            skipWhitespace()
            guard pos < input.count else { throw endOfInput(expected: "',' or ']'") }
            let b = input[pos]
            if b == UInt8(ascii: "]") {
                pos += 1
                return .array(items)
            }
            guard b == UInt8(ascii: ",") else { throw unexpected(at: pos, expected: "',' or ']'") }
            let comma = pos
            pos += 1
            skipWhitespace()
            guard pos < input.count else { throw endOfInput(expected: "a value") }
            if input[pos] == UInt8(ascii: "]") {
                throw error("trailing comma in array", at: comma)
            }
        }
    }

    mutating func parseObject(depth: Int) throws(JSONParseError) -> JSONValue {
        if depth > maxDepth { throw tooDeep() }
        pos += 1  // {
        skipWhitespace()
        guard pos < input.count else { throw endOfInput(expected: "a string key or '}'") }
        if input[pos] == UInt8(ascii: "}") {
            pos += 1
            return .object([:])
        }
        guard input[pos] == quote else { throw unexpected(at: pos, expected: "a string key or '}'") }
        // Members collect on a shared stack so the dictionary is built once at its final size.
        let base = memberStack.count
        while true {
            let keyOffset = pos
            let key = try parseString()
            skipWhitespace()
            guard pos < input.count else { throw endOfInput(expected: "':'") }
            guard input[pos] == UInt8(ascii: ":") else { throw unexpected(at: pos, expected: "':'") }
            pos += 1
            skipWhitespace()
            guard pos < input.count else { throw endOfInput(expected: "a value") }
            let value = try parseValue(depth: depth)
            memberStack.append(Member(key: key, value: value, offset: keyOffset))
            skipWhitespace()
            guard pos < input.count else { throw endOfInput(expected: "',' or '}'") }
            let b = input[pos]
            if b == UInt8(ascii: "}") {
                pos += 1
                break
            }
            guard b == UInt8(ascii: ",") else { throw unexpected(at: pos, expected: "',' or '}'") }
            let comma = pos
            pos += 1
            skipWhitespace()
            guard pos < input.count else { throw endOfInput(expected: "a string key") }
            if input[pos] == UInt8(ascii: "}") {
                throw error("trailing comma in object", at: comma)
            }
            guard input[pos] == quote else { throw unexpected(at: pos, expected: "a string key") }
        }
        var members = [String: JSONValue](minimumCapacity: memberStack.count - base)
        for i in base..<memberStack.count {
            let member = memberStack[i]
            if members.updateValue(member.value, forKey: member.key) != nil {
                var quoted: [UInt8] = []
                JSONEmit.appendString(member.key, into: &quoted)
                throw error("duplicate key \(String(decoding: quoted, as: UTF8.self))", at: member.offset)
            }
        }
        memberStack.removeSubrange(base...)
        return .object(members)
    }

    // MARK: - Numbers

    @inline(__always)
    static func isDigit(_ b: UInt8) -> Bool { b &- zero < 10 }

    mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        let start = pos
        let negative = input[pos] == minus
        if negative {
            pos += 1
            guard pos < input.count else { throw endOfInput(expected: "a digit after '-'") }
            guard Self.isDigit(input[pos]) else {
                if hasPrefix("Infinity") { throw error("-Infinity is not a valid JSON number", at: start) }
                throw unexpected(at: pos, expected: "a digit after '-'")
            }
        }
        // Up to 19 significant digits go into `mantissa`; `exponent10` scales it.
        var mantissa: UInt64 = 0
        var significant = 0
        var truncated = false
        var exponent10 = 0
        var isInteger = true

        if input[pos] == zero {
            pos += 1
            if pos < input.count && Self.isDigit(input[pos]) {
                throw error("leading zeros are not allowed in numbers", at: start)
            }
        } else {
            while pos < input.count {
                let d = input[pos] &- zero
                guard d < 10 else { break }
                if significant < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(d)
                    significant += 1
                } else {
                    truncated = true
                    exponent10 += 1
                }
                pos += 1
            }
        }
        if pos < input.count && input[pos] == UInt8(ascii: ".") {
            isInteger = false
            pos += 1
            guard pos < input.count else { throw endOfInput(expected: "a digit after '.'") }
            guard Self.isDigit(input[pos]) else { throw unexpected(at: pos, expected: "a digit after '.'") }
            while pos < input.count {
                let d = input[pos] &- zero
                guard d < 10 else { break }
                if significant < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(d)
                    if mantissa != 0 { significant += 1 }
                    exponent10 -= 1
                } else {
                    truncated = true
                }
                pos += 1
            }
        }
        if pos < input.count && (input[pos] | 0x20) == UInt8(ascii: "e") {
            isInteger = false
            pos += 1
            var negativeExponent = false
            if pos < input.count && (input[pos] == minus || input[pos] == UInt8(ascii: "+")) {
                negativeExponent = input[pos] == minus
                pos += 1
            }
            guard pos < input.count else { throw endOfInput(expected: "a digit in the exponent") }
            guard Self.isDigit(input[pos]) else {
                throw unexpected(at: pos, expected: "a digit in the exponent")
            }
            var e = 0
            while pos < input.count {
                let d = input[pos] &- zero
                guard d < 10 else { break }
                if e < 1_000_000 { e = e * 10 + Int(d) }
                pos += 1
            }
            exponent10 += negativeExponent ? -e : e
        }

        if isInteger && !truncated {
            if negative {
                if mantissa <= UInt64(Int64.max) { return .int(-Int64(mantissa)) }
                if mantissa == UInt64(Int64.max) + 1 { return .int(Int64.min) }
            } else if mantissa <= UInt64(Int64.max) {
                return .int(Int64(mantissa))
            }
        }
        if mantissa == 0 {
            return .double(negative ? -0.0 : 0.0)
        }
        if !truncated && mantissa <= (1 << 53) && exponent10 >= -22 && exponent10 <= 22 {
            // Both operands are exact, so one IEEE operation rounds correctly.
            var d = Double(mantissa)
            if exponent10 < 0 { d /= powersOfTen[-exponent10] } else { d *= powersOfTen[exponent10] }
            return .double(negative ? -d : d)
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: input[start..<pos]), as: UTF8.self)
        guard let d = Double(text), d.isFinite else {
            throw error("number out of range", at: start)
        }
        return .double(d)
    }

    // MARK: - Strings

    /// Parses the string whose opening quote is at `pos`.
    mutating func parseString() throws(JSONParseError) -> String {
        let open = pos
        pos += 1
        let start = pos
        while pos < input.count {
            let b = input[pos]
            if b >= 0x20 && b < 0x80 && b != quote && b != backslash {
                pos += 1
            } else if b == quote {
                let s = String(decoding: UnsafeBufferPointer(rebasing: input[start..<pos]), as: UTF8.self)
                pos += 1
                return s
            } else if b == backslash {
                return try parseEscapedString(open: open, start: start)
            } else if b >= 0x80 {
                pos += try utf8SequenceLength()
            } else {
                throw controlCharacter(b)
            }
        }
        throw error("unterminated string", at: open)
    }

    /// Continues a string at its first backslash, decoding into `scratch`.
    mutating func parseEscapedString(open: Int, start: Int) throws(JSONParseError) -> String {
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: input[start..<pos]))
        while pos < input.count {
            let b = input[pos]
            if b >= 0x20 && b < 0x80 && b != quote && b != backslash {
                scratch.append(b)
                pos += 1
            } else if b == quote {
                pos += 1
                return String(decoding: scratch, as: UTF8.self)
            } else if b == backslash {
                try decodeEscape()
            } else if b >= 0x80 {
                let n = try utf8SequenceLength()
                scratch.append(contentsOf: UnsafeBufferPointer(rebasing: input[pos..<(pos + n)]))
                pos += n
            } else {
                throw controlCharacter(b)
            }
        }
        throw error("unterminated string", at: open)
    }

    /// Decodes the escape at `pos` (a backslash) into `scratch`.
    mutating func decodeEscape() throws(JSONParseError) {
        let escape = pos
        guard pos + 1 < input.count else { throw error("unterminated string", at: escape) }
        let c = input[pos + 1]
        switch c {
        case quote, backslash, UInt8(ascii: "/"): scratch.append(c)
        case UInt8(ascii: "b"): scratch.append(0x08)
        case UInt8(ascii: "f"): scratch.append(0x0C)
        case UInt8(ascii: "n"): scratch.append(0x0A)
        case UInt8(ascii: "r"): scratch.append(0x0D)
        case UInt8(ascii: "t"): scratch.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try hex4(at: escape)
            pos += 6
            if scalar >= 0xDC00 && scalar <= 0xDFFF {
                throw error("lone surrogate \\u\(hexString(scalar)) in string", at: escape)
            }
            if scalar >= 0xD800 && scalar <= 0xDBFF {
                guard pos + 1 < input.count, input[pos] == backslash, input[pos + 1] == UInt8(ascii: "u") else {
                    throw error("lone surrogate \\u\(hexString(scalar)) in string", at: escape)
                }
                let low = try hex4(at: pos)
                guard low >= 0xDC00 && low <= 0xDFFF else {
                    throw error("lone surrogate \\u\(hexString(scalar)) in string", at: escape)
                }
                pos += 6
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            }
            appendUTF8(scalar)
            return
        default:
            if c < 0x20 || c >= 0x7F {
                throw error("invalid escape in string", at: escape)
            }
            throw error("invalid escape '\\\(Character(Unicode.Scalar(c)))' in string", at: escape)
        }
        pos += 2
    }

    /// Reads the four hex digits of the `\u` escape whose backslash is at `escape`.
    func hex4(at escape: Int) throws(JSONParseError) -> UInt32 {
        var value: UInt32 = 0
        for i in 2..<6 {
            guard escape + i < input.count else {
                throw error("invalid \\u escape in string", expected: "4 hex digits", at: escape)
            }
            let b = input[escape + i]
            let digit: UInt8
            switch b {
            case zero...nine: digit = b - zero
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = b - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = b - UInt8(ascii: "A") + 10
            default: throw error("invalid \\u escape in string", expected: "4 hex digits", at: escape)
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    func hexString(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    mutating func appendUTF8(_ scalar: UInt32) {
        switch scalar {
        case 0..<0x80:
            scratch.append(UInt8(truncatingIfNeeded: scalar))
        case 0x80..<0x800:
            scratch.append(UInt8(truncatingIfNeeded: 0xC0 | scalar >> 6))
            scratch.append(UInt8(truncatingIfNeeded: 0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            scratch.append(UInt8(truncatingIfNeeded: 0xE0 | scalar >> 12))
            scratch.append(UInt8(truncatingIfNeeded: 0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(truncatingIfNeeded: 0x80 | scalar & 0x3F))
        default:
            scratch.append(UInt8(truncatingIfNeeded: 0xF0 | scalar >> 18))
            scratch.append(UInt8(truncatingIfNeeded: 0x80 | scalar >> 12 & 0x3F))
            scratch.append(UInt8(truncatingIfNeeded: 0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(truncatingIfNeeded: 0x80 | scalar & 0x3F))
        }
    }

    /// Length of the well-formed UTF-8 sequence whose lead byte (>= 0x80) is at `pos`.
    func utf8SequenceLength() throws(JSONParseError) -> Int {
        let lead = input[pos]
        var length = 0
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; high = 0x9F
        case 0xF0: length = 4; low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; high = 0x8F
        default: throw invalidUTF8(at: pos)
        }
        for i in 1..<length {
            guard pos + i < input.count else { throw error("truncated UTF-8 sequence", at: pos) }
            let b = input[pos + i]
            if i == 1 {
                guard b >= low && b <= high else { throw invalidUTF8(at: pos + i) }
            } else {
                guard b >= 0x80 && b <= 0xBF else { throw invalidUTF8(at: pos + i) }
            }
        }
        return length
    }

    // MARK: - Errors (cold)

    func error(_ reason: String, expected: String? = nil, at offset: Int) -> JSONParseError {
        var line = 1
        var column = 1
        for i in 0..<min(offset, input.count) {
            let b = input[i]
            if b == 0x0A {
                line += 1
                column = 1
            } else if b & 0xC0 != 0x80 {
                column += 1
            }
        }
        return JSONParseError(reason: reason, expected: expected, offset: offset, line: line, column: column)
    }

    func endOfInput(expected: String) -> JSONParseError {
        error("unexpected end of input", expected: expected, at: input.count)
    }

    func tooDeep() -> JSONParseError {
        error("nesting too deep (more than \(maxDepth) levels)", at: pos)
    }

    func controlCharacter(_ b: UInt8) -> JSONParseError {
        error("unescaped control character U+\(hexString(UInt32(b))) in string", at: pos)
    }

    func invalidUTF8(at offset: Int) -> JSONParseError {
        let hex = String(input[offset], radix: 16, uppercase: true)
        return error("invalid UTF-8 byte 0x\(hex.count < 2 ? "0" + hex : hex)", at: offset)
    }

    /// "unexpected character 'x' (expected …)", or an invalid UTF-8 error.
    func unexpected(at offset: Int, expected: String) -> JSONParseError {
        let b = input[offset]
        if b >= 0x20 && b < 0x7F {
            return error("unexpected character '\(Character(Unicode.Scalar(b)))'", expected: expected, at: offset)
        }
        if b < 0x80 {
            return error("unexpected character U+\(hexString(UInt32(b)))", expected: expected, at: offset)
        }
        var lookahead = self
        lookahead.pos = offset
        do throws(JSONParseError) {
            let n = try lookahead.utf8SequenceLength()
            var scalar = UInt32(b) & (n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07)
            for i in 1..<n { scalar = scalar << 6 | UInt32(input[offset + i] & 0x3F) }
            return error("unexpected character U+\(hexString(scalar))", expected: expected, at: offset)
        } catch let invalid {
            return invalid
        }
    }
}
