// Deterministic printing: object keys sorted by their UTF-8 bytes, strings
// escaped minimally (", \, and C0 controls; "/" and non-ASCII kept as is),
// doubles in Swift's shortest round-tripping form ("2.0", "1e+20", "-0.0"),
// non-finite doubles as `null`.

extension JSONValue {
    /// The JSON text as UTF-8 bytes; compact, or with `pretty` 2-space indentation (no trailing newline).
    public func serialized(pretty: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        if pretty {
            JSONEmit.pretty(self, indent: 0, into: &out)
        } else {
            JSONEmit.compact(self, into: &out)
        }
        return out
    }

    /// The JSON text as a String; compact, or with `pretty` 2-space indentation (no trailing newline).
    public func serializedString(pretty: Bool = false) -> String {
        String(decoding: serialized(pretty: pretty), as: UTF8.self)
    }
}

/// Shared byte-level emitters used by `JSONValue` and `JSONWriter`.
enum JSONEmit {
    static func compact(_ value: JSONValue, into out: inout [UInt8]) {
        switch value {
        case .null: appendNull(into: &out)
        case .bool(let b): appendBool(b, into: &out)
        case .int(let i): appendInt(i, into: &out)
        case .double(let d): appendDouble(d, into: &out)
        case .string(let s): appendString(s, into: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            var first = true
            for item in items {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                compact(item, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            out.append(UInt8(ascii: "{"))
            var first = true
            for (_, key, member) in sortedMembers(object) {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                appendString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                compact(member, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    static func pretty(_ value: JSONValue, indent: Int, into out: inout [UInt8]) {
        switch value {
        case .array(let items):
            if items.isEmpty {
                out.append(UInt8(ascii: "["))
                out.append(UInt8(ascii: "]"))
                return
            }
            out.append(UInt8(ascii: "["))
            var first = true
            for item in items {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                newline(indent + 1, into: &out)
                pretty(item, indent: indent + 1, into: &out)
            }
            newline(indent, into: &out)
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            if object.isEmpty {
                out.append(UInt8(ascii: "{"))
                out.append(UInt8(ascii: "}"))
                return
            }
            out.append(UInt8(ascii: "{"))
            var first = true
            for (_, key, member) in sortedMembers(object) {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                newline(indent + 1, into: &out)
                appendString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                out.append(UInt8(ascii: " "))
                pretty(member, indent: indent + 1, into: &out)
            }
            newline(indent, into: &out)
            out.append(UInt8(ascii: "}"))
        default:
            compact(value, into: &out)
        }
    }

    @inline(__always)
    static func newline(_ indent: Int, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\n"))
        for _ in 0..<(indent * 2) { out.append(UInt8(ascii: " ")) }
    }

    /// Members in ascending order of the keys' UTF-8 bytes.
    static func sortedMembers(_ object: [String: JSONValue]) -> [(prefix: UInt64, key: String, value: JSONValue)] {
        // Sort on an 8-byte big-endian key prefix first; only ties compare whole keys.
        var entries: [(prefix: UInt64, key: String, value: JSONValue)] = []
        entries.reserveCapacity(object.count)
        for (key, value) in object {
            entries.append((keyPrefix(key), key, value))
        }
        if entries.count < 2 { return entries }
        entries.sort { a, b in
            if a.prefix != b.prefix { return a.prefix < b.prefix }
            return utf8Precedes(a.key, b.key)
        }
        return entries
    }

    /// The first 8 UTF-8 bytes of `key` as a big-endian integer, zero-padded.
    @inline(__always)
    static func keyPrefix(_ key: String) -> UInt64 {
        var prefix: UInt64 = 0
        var n = 0
        for b in key.utf8 {
            prefix = prefix << 8 | UInt64(b)
            n += 1
            if n == 8 { return prefix }
        }
        return n == 0 ? 0 : prefix << (8 * UInt64(8 - n))
    }

    /// Byte-wise (code point order) comparison, unlike String's `<`, which normalizes.
    static func utf8Precedes(_ a: String, _ b: String) -> Bool {
        var a = a
        var b = b
        return a.withUTF8 { pa in
            b.withUTF8 { pb in
                let n = min(pa.count, pb.count)
                var i = 0
                while i < n {
                    let x = pa[i]
                    let y = pb[i]
                    if x != y { return x < y }
                    i += 1
                }
                return pa.count < pb.count
            }
        }
    }

    @inline(__always)
    static func appendStatic(_ text: StaticString, into out: inout [UInt8]) {
        text.withUTF8Buffer { out.append(contentsOf: $0) }
    }

    @inline(__always)
    static func appendNull(into out: inout [UInt8]) {
        appendStatic("null", into: &out)
    }

    @inline(__always)
    static func appendBool(_ b: Bool, into out: inout [UInt8]) {
        if b { appendStatic("true", into: &out) } else { appendStatic("false", into: &out) }
    }

    static func appendInt(_ value: Int64, into out: inout [UInt8]) {
        if value >= 0 && value < 10 {
            out.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: value))
            return
        }
        if value < 0 { out.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var i = 20
            repeat {
                i -= 1
                let (q, r) = magnitude.quotientAndRemainder(dividingBy: 10)
                digits.initializeElement(at: i, to: UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: r))
                magnitude = q
            } while magnitude != 0
            out.append(contentsOf: UnsafeBufferPointer(rebasing: digits[i..<20]))
        }
    }

    static func appendDouble(_ value: Double, into out: inout [UInt8]) {
        guard value.isFinite else {
            appendNull(into: &out)
            return
        }
        // Swift's description is the shortest text that round-trips, and for finite
        // values is always valid JSON: "2.0", "0.1", "1e+20", "5e-324", "-0.0".
        out.append(contentsOf: value.description.utf8)
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    static func appendString(_ string: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var string = string
        string.withUTF8 { bytes in
            var runStart = 0
            var i = 0
            let count = bytes.count
            while i < count {
                let b = bytes[i]
                if b >= 0x20 && b != UInt8(ascii: "\"") && b != UInt8(ascii: "\\") {
                    i += 1
                    continue
                }
                if runStart < i {
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<i]))
                }
                out.append(UInt8(ascii: "\\"))
                switch b {
                case UInt8(ascii: "\""): out.append(UInt8(ascii: "\""))
                case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
                case 0x0A: out.append(UInt8(ascii: "n"))
                case 0x0D: out.append(UInt8(ascii: "r"))
                case 0x09: out.append(UInt8(ascii: "t"))
                case 0x08: out.append(UInt8(ascii: "b"))
                case 0x0C: out.append(UInt8(ascii: "f"))
                default:
                    out.append(UInt8(ascii: "u"))
                    out.append(UInt8(ascii: "0"))
                    out.append(UInt8(ascii: "0"))
                    out.append(hexDigits[Int(b >> 4)])
                    out.append(hexDigits[Int(b & 0x0F)])
                }
                i += 1
                runStart = i
            }
            if runStart < count {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<count]))
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
