import COpenSSL
import Foundation

/// SHA-256 and HMAC-SHA256 from OpenSSL's libcrypto, on byte arrays.
public enum Hash {
    /// The SHA-256 digest of `bytes`.
    public static func sha256<D: Collection>(_ bytes: D) -> [UInt8] where D.Element == UInt8 {
        var out = [UInt8](repeating: 0, count: 32)
        let input = Array(bytes)
        input.withUnsafeBufferPointer { inp in
            out.withUnsafeMutableBufferPointer { o in
                _ = SHA256(inp.baseAddress, inp.count, o.baseAddress)
            }
        }
        return out
    }

    /// HMAC-SHA256 of `message` under `key`.
    public static func hmacSHA256<K: Collection, M: Collection>(key: K, message: M) -> [UInt8]
    where K.Element == UInt8, M.Element == UInt8 {
        var out = [UInt8](repeating: 0, count: 32)
        var outLen: UInt32 = 32
        let k = Array(key), m = Array(message)
        k.withUnsafeBufferPointer { kp in
            m.withUnsafeBufferPointer { mp in
                out.withUnsafeMutableBufferPointer { o in
                    // A zero-length key needs a non-null pointer for OpenSSL.
                    var empty: UInt8 = 0
                    let keyPtr = kp.baseAddress.map(UnsafeRawPointer.init) ?? withUnsafePointer(to: &empty) { UnsafeRawPointer($0) }
                    _ = HMAC(EVP_sha256(), keyPtr, Int32(kp.count), mp.baseAddress, mp.count, o.baseAddress, &outLen)
                }
            }
        }
        return out
    }

    /// Compares two byte strings in time independent of where they differ.
    public static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<a.count { diff |= a[i] ^ b[i] }
        return diff == 0
    }
}

/// Cryptographically strong random bytes from OpenSSL; used only at the live edges (`serve`).
public enum SystemEntropy {
    /// `count` random bytes, or nil if OpenSSL's generator failed.
    public static func bytes(_ count: Int) -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: count)
        let rc = out.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32(count)) }
        return rc == 1 ? out : nil
    }
}

/// Hex encoding and decoding of byte strings.
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    /// Lower-case hex of `bytes`.
    public static func encode<D: Collection>(_ bytes: D) -> String where D.Element == UInt8 {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Bytes of a hex string (either case), or nil if it is not even-length hex.
    public static func decode(_ text: String) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(utf8.count / 2)
        var i = 0
        while i < utf8.count {
            guard let hi = nibble(utf8[i]), let lo = nibble(utf8[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
