/// Why macaroon bytes or text could not be parsed or serialized.
public enum MacaroonFormatError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No bytes (or no text) at all.
    case empty
    /// The text is not base64 (standard or URL-safe, padded or not).
    case notBase64
    /// The input exceeds `Macaroon.maxSerializedSize` bytes.
    case tooLarge(Int)
    /// The first byte is neither the v2 version byte nor an ASCII hex digit of a v1 packet.
    case unknownFormat(firstByte: UInt8)
    /// The input ended while reading `what`.
    case truncated(String)
    /// A varint longer than 10 bytes or beyond 64 bits.
    case badVarint
    /// A v2 field type other than location (1), identifier (2), vid (4), signature (6) or EOS (0).
    case unknownFieldType(UInt64)
    /// Fields in a v2 section are not in strictly increasing type order.
    case fieldsOutOfOrder
    /// A section is missing a required field or has one that does not belong there.
    case invalidSection(String)
    /// A location field is not UTF-8 text.
    case locationNotUTF8
    /// The signature is not 32 bytes.
    case badSignatureLength(Int)
    /// Bytes remain after the signature.
    case trailingBytes(Int)
    /// A v1 packet is malformed (bad length header, missing newline, unknown key, ...).
    case badV1Packet(String)
    /// A v1 packet would exceed the 0xFFFF length limit when serializing.
    case v1PacketTooLong(Int)

    /// A human-readable message saying what is wrong.
    public var description: String {
        switch self {
        case .empty: return "macaroon is empty"
        case .notBase64: return "macaroon is not base64"
        case .tooLarge(let n): return "macaroon is too large (\(n) bytes, limit \(Macaroon.maxSerializedSize))"
        case .unknownFormat(let b): return "unknown macaroon format (first byte 0x\(Hex.encode([b])))"
        case .truncated(let what): return "macaroon truncated while reading \(what)"
        case .badVarint: return "macaroon has an over-long varint"
        case .unknownFieldType(let t): return "macaroon has unknown field type \(t)"
        case .fieldsOutOfOrder: return "macaroon fields out of order"
        case .invalidSection(let why): return "invalid macaroon section: \(why)"
        case .locationNotUTF8: return "macaroon location is not UTF-8"
        case .badSignatureLength(let n): return "macaroon signature is \(n) bytes, expected 32"
        case .trailingBytes(let n): return "\(n) unexpected bytes after macaroon signature"
        case .badV1Packet(let why): return "invalid v1 macaroon packet: \(why)"
        case .v1PacketTooLong(let n): return "v1 macaroon packet too long (\(n) bytes, limit 65535)"
        }
    }
}

extension Macaroon {
    /// The largest serialized macaroon accepted by the parsers (1 MiB).
    public static let maxSerializedSize = 1 << 20

    private enum Field {
        static let eos: UInt64 = 0
        static let location: UInt64 = 1
        static let identifier: UInt64 = 2
        static let vid: UInt64 = 4
        static let signature: UInt64 = 6
    }

    // MARK: v2 binary (libmacaroons doc/format.txt)

    /// The libmacaroons v2 binary encoding (version byte 2; location omitted when empty).
    public func serialized() -> [UInt8] {
        var out: [UInt8] = [2]
        if !location.isEmpty { Macaroon.appendField(&out, Field.location, Array(location.utf8)) }
        Macaroon.appendField(&out, Field.identifier, identifier)
        out.append(0)
        for c in caveats {
            if let loc = c.location, !loc.isEmpty { Macaroon.appendField(&out, Field.location, Array(loc.utf8)) }
            Macaroon.appendField(&out, Field.identifier, c.identifier)
            if let vid = c.verificationId { Macaroon.appendField(&out, Field.vid, vid) }
            out.append(0)
        }
        out.append(0)
        Macaroon.appendField(&out, Field.signature, signature)
        return out
    }

    /// Standard base64 with padding of the v2 binary encoding (as Aperture and lnd send it).
    public func base64() -> String {
        MacaroonBase64.encode(serialized())
    }

    /// Parses base64 (standard or URL-safe, padded or not) of a v2 binary or v1 packet macaroon.
    public init(base64 text: String) throws(MacaroonFormatError) {
        if text.isEmpty { throw .empty }
        if text.utf8.count > Macaroon.maxSerializedSize * 4 / 3 + 4 { throw .tooLarge(text.utf8.count * 3 / 4) }
        guard let bytes = MacaroonBase64.decode(text) else { throw .notBase64 }
        try self.init(binary: bytes)
    }

    /// Parses a v2 binary macaroon, or a v1 packet macaroon when the first byte is an ASCII hex digit.
    public init(binary bytes: [UInt8]) throws(MacaroonFormatError) {
        guard let first = bytes.first else { throw .empty }
        if bytes.count > Macaroon.maxSerializedSize { throw .tooLarge(bytes.count) }
        if first == 2 {
            self = try Macaroon.parseV2(bytes)
        } else if Macaroon.isASCIIHex(first) {
            self = try Macaroon.parseV1(bytes)
        } else {
            throw .unknownFormat(firstByte: first)
        }
    }

    private static func appendField(_ out: inout [UInt8], _ type: UInt64, _ data: [UInt8]) {
        appendUVarint(&out, type)
        appendUVarint(&out, UInt64(data.count))
        out.append(contentsOf: data)
    }

    static func appendUVarint(_ out: inout [UInt8], _ value: UInt64) {
        var n = value
        while n >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: n) | 0x80)
            n >>= 7
        }
        out.append(UInt8(n))
    }

    private struct Reader {
        let bytes: [UInt8]
        var pos = 0

        var remaining: Int { bytes.count - pos }

        mutating func uvarint(_ what: String) throws(MacaroonFormatError) -> UInt64 {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            for i in 0..<10 {
                guard pos < bytes.count else { throw .truncated(what) }
                let b = bytes[pos]
                pos += 1
                if i == 9 && b > 1 { throw .badVarint }
                result |= UInt64(b & 0x7f) << shift
                if b < 0x80 { return result }
                shift += 7
            }
            throw .badVarint
        }

        /// One field: (type, data); EOS has no data.
        mutating func field() throws(MacaroonFormatError) -> (UInt64, [UInt8]) {
            let type = try uvarint("field type")
            if type == Field.eos { return (type, []) }
            switch type {
            case Field.location, Field.identifier, Field.vid, Field.signature: break
            default: throw .unknownFieldType(type)
            }
            let length = try uvarint("field length")
            guard length <= UInt64(remaining) else { throw .truncated("field data (\(length) bytes declared, \(remaining) left)") }
            let n = Int(length)
            let data = Array(bytes[pos..<(pos + n)])
            pos += n
            return (type, data)
        }

        /// Fields up to and excluding the EOS, in strictly increasing type order.
        mutating func section() throws(MacaroonFormatError) -> [(UInt64, [UInt8])] {
            var fields: [(UInt64, [UInt8])] = []
            var previous: UInt64 = 0
            while true {
                guard remaining > 0 else { throw .truncated("section (no end-of-section marker)") }
                let f = try field()
                if f.0 == Field.eos { return fields }
                guard f.0 > previous else { throw .fieldsOutOfOrder }
                previous = f.0
                fields.append(f)
                // Five distinct field types at most, so a section can never grow without bound.
            }
        }
    }

    private static func text(_ bytes: [UInt8]) throws(MacaroonFormatError) -> String {
        guard let s = String(validating: bytes, as: UTF8.self) else { throw .locationNotUTF8 }
        return s
    }

    private static func parseV2(_ bytes: [UInt8]) throws(MacaroonFormatError) -> Macaroon {
        var r = Reader(bytes: bytes, pos: 1)
        var header = try r.section()[...]
        var location = ""
        if let f = header.first, f.0 == Field.location {
            location = try text(f.1)
            header = header.dropFirst()
        }
        guard header.count == 1, let idField = header.first, idField.0 == Field.identifier else {
            throw .invalidSection("header must hold an optional location and an identifier")
        }
        var caveats: [Caveat] = []
        while true {
            var section = try r.section()[...]
            if section.isEmpty { break }
            var cav = Caveat(identifier: [])
            if let f = section.first, f.0 == Field.location {
                cav.location = try text(f.1)
                section = section.dropFirst()
            }
            guard let id = section.first, id.0 == Field.identifier else {
                throw .invalidSection("caveat \(caveats.count) has no identifier")
            }
            cav.identifier = id.1
            section = section.dropFirst()
            if let vid = section.first {
                guard vid.0 == Field.vid, section.count == 1 else {
                    throw .invalidSection("caveat \(caveats.count) has an unexpected field")
                }
                cav.verificationId = vid.1
            } else if cav.location != nil {
                throw .invalidSection("caveat \(caveats.count) has a location but no verification id")
            }
            caveats.append(cav)
        }
        guard r.remaining > 0 else { throw .truncated("signature") }
        let sig = try r.field()
        guard sig.0 == Field.signature else { throw .invalidSection("expected signature field, found type \(sig.0)") }
        guard sig.1.count == 32 else { throw .badSignatureLength(sig.1.count) }
        guard r.remaining == 0 else { throw .trailingBytes(r.remaining) }
        return Macaroon(location: location, identifier: idField.1, caveats: caveats, signature: sig.1)
    }

    // MARK: v1 packets (pymacaroons' default binary format)

    /// pymacaroons' default v1 serialization: URL-safe base64, unpadded, of 4-hex-digit-length text packets.
    public func v1Base64() throws(MacaroonFormatError) -> String {
        var out: [UInt8] = []
        try Macaroon.packet(&out, "location", Array(location.utf8))
        try Macaroon.packet(&out, "identifier", identifier)
        for c in caveats {
            try Macaroon.packet(&out, "cid", c.identifier)
            if let vid = c.verificationId, let cl = c.location {
                try Macaroon.packet(&out, "vid", vid)
                try Macaroon.packet(&out, "cl", Array(cl.utf8))
            }
        }
        try Macaroon.packet(&out, "signature", signature)
        return MacaroonBase64.encode(out, urlSafe: true, padded: false)
    }

    private static func packet(_ out: inout [UInt8], _ key: String, _ data: [UInt8]) throws(MacaroonFormatError) {
        let size = 4 + 2 + key.utf8.count + data.count
        guard size <= 0xFFFF else { throw .v1PacketTooLong(size) }
        let hex = Hex.encode([UInt8(size >> 8), UInt8(size & 0xff)])
        out.append(contentsOf: Array(hex.utf8))
        out.append(contentsOf: Array(key.utf8))
        out.append(UInt8(ascii: " "))
        out.append(contentsOf: data)
        out.append(UInt8(ascii: "\n"))
    }

    private static func isASCIIHex(_ b: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(b)
    }

    private static func parseV1(_ bytes: [UInt8]) throws(MacaroonFormatError) -> Macaroon {
        var location: String?
        var identifier: [UInt8]?
        var caveats: [Caveat] = []
        var signature: [UInt8]?
        var pos = 0
        while pos < bytes.count {
            guard bytes.count - pos >= 4 else { throw .truncated("v1 packet length") }
            guard let lenBytes = Hex.decode(String(decoding: bytes[pos..<(pos + 4)], as: UTF8.self)) else {
                throw .badV1Packet("length header is not hex")
            }
            let length = Int(lenBytes[0]) << 8 | Int(lenBytes[1])
            guard length >= 6 else { throw .badV1Packet("length \(length) is too small") }
            guard pos + length <= bytes.count else { throw .truncated("v1 packet (\(length) bytes declared)") }
            let body = bytes[(pos + 4)..<(pos + length)]
            pos += length
            guard body.last == UInt8(ascii: "\n") else { throw .badV1Packet("missing trailing newline") }
            guard let space = body.firstIndex(of: UInt8(ascii: " ")) else { throw .badV1Packet("missing space after key") }
            let key = String(decoding: body[body.startIndex..<space], as: UTF8.self)
            let value = Array(body[(space + 1)..<(body.endIndex - 1)])
            switch key {
            case "location":
                location = try text(value)
            case "identifier":
                identifier = value
            case "cid":
                caveats.append(Caveat(identifier: value))
            case "vid":
                guard !caveats.isEmpty else { throw .badV1Packet("vid before any cid") }
                caveats[caveats.count - 1].verificationId = value
            case "cl":
                guard !caveats.isEmpty else { throw .badV1Packet("cl before any cid") }
                caveats[caveats.count - 1].location = try text(value)
            case "signature":
                guard signature == nil else { throw .badV1Packet("duplicate signature") }
                signature = value
            default:
                throw .badV1Packet("unknown key")
            }
            if signature != nil && pos < bytes.count { throw .trailingBytes(bytes.count - pos) }
        }
        guard let id = identifier else { throw .invalidSection("v1 macaroon has no identifier") }
        guard let sig = signature else { throw .truncated("signature") }
        guard sig.count == 32 else { throw .badSignatureLength(sig.count) }
        for (i, c) in caveats.enumerated() where (c.verificationId == nil) != (c.location == nil) {
            throw .invalidSection("caveat \(i) has only one of vid and cl")
        }
        return Macaroon(location: location ?? "", identifier: id, caveats: caveats, signature: sig)
    }
}
