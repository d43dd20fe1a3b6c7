import CSecp256k1

/// Why a node key operation failed.
public enum NodeKeyError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The secret is not 32 bytes, or is zero or not below the curve order.
    case invalidSecretKey
    /// The message hash is not 32 bytes.
    case invalidMessageHash
    /// libsecp256k1 could not create its context or refused to sign.
    case libraryFailure

    /// A human-readable explanation naming what is wrong.
    public var description: String {
        switch self {
        case .invalidSecretKey: return "node key: secret must be 32 bytes, non-zero and below the secp256k1 order"
        case .invalidMessageHash: return "node key: message hash must be 32 bytes"
        case .libraryFailure: return "node key: libsecp256k1 failed"
        }
    }
}

/// One libsecp256k1 context for the process; safe for concurrent use once created (it is never randomized or mutated).
final class Secp256k1Context: @unchecked Sendable {
    let raw: OpaquePointer

    private init?() {
        guard let ctx = secp256k1_context_create(UInt32(SECP256K1_CONTEXT_NONE)) else { return nil }
        raw = ctx
    }

    deinit { secp256k1_context_destroy(raw) }

    /// The shared context, or nil if libsecp256k1 could not allocate one.
    static let shared: Secp256k1Context? = Secp256k1Context()
}

/// A secp256k1 node identity key: signs recoverable ECDSA signatures (RFC 6979 nonces, so deterministic).
public struct NodeKey: Sendable {
    private let secret: [UInt8]
    /// The 33-byte compressed public key.
    public let publicKey: [UInt8]

    /// A key from a 32-byte secret; throws if the secret is not a valid secp256k1 scalar.
    public init(secretKey: [UInt8]) throws(NodeKeyError) {
        guard let ctx = Secp256k1Context.shared?.raw else { throw .libraryFailure }
        guard secretKey.count == 32, secp256k1_ec_seckey_verify(ctx, secretKey) == 1 else { throw .invalidSecretKey }
        var pub = secp256k1_pubkey()
        guard secp256k1_ec_pubkey_create(ctx, &pub, secretKey) == 1 else { throw .invalidSecretKey }
        guard let serialized = NodeKey.serialize(ctx, &pub) else { throw .libraryFailure }
        secret = secretKey
        publicKey = serialized
    }

    /// A deterministic key from any seed: secret = sha256(seed || counter), the first counter (0, 1, …) giving a valid scalar.
    /// Returns nil only if libsecp256k1 is unusable.
    public init?(seed: [UInt8]) {
        var counter: UInt32 = 0
        while counter < 1024 {
            var material = seed
            material.append(contentsOf: [UInt8(counter >> 24 & 0xff), UInt8(counter >> 16 & 0xff), UInt8(counter >> 8 & 0xff), UInt8(counter & 0xff)])
            do {
                try self.init(secretKey: Hash.sha256(material))
                return
            } catch .invalidSecretKey {
                counter += 1
            } catch {
                return nil
            }
        }
        return nil
    }

    /// The 32-byte secret (handle with care).
    public var secretKey: [UInt8] { secret }

    /// Signs a 32-byte hash; returns the 64-byte compact signature (R || S, low-S) and the recovery id 0...3.
    public func signRecoverable(messageHash32: [UInt8]) throws(NodeKeyError) -> (signature64: [UInt8], recoveryID: Int) {
        guard let ctx = Secp256k1Context.shared?.raw else { throw .libraryFailure }
        guard messageHash32.count == 32 else { throw .invalidMessageHash }
        var sig = secp256k1_ecdsa_recoverable_signature()
        guard secp256k1_ecdsa_sign_recoverable(ctx, &sig, messageHash32, secret, nil, nil) == 1 else { throw .libraryFailure }
        var out = [UInt8](repeating: 0, count: 64)
        var recid: Int32 = 0
        guard secp256k1_ecdsa_recoverable_signature_serialize_compact(ctx, &out, &recid, &sig) == 1 else { throw .libraryFailure }
        return (out, Int(recid))
    }

    /// The compressed public key that produced `signature64` with `recoveryID` over `messageHash32`, or nil if none does.
    /// Accepts high-S signatures, as BOLT #11 requires for recovery.
    public static func recoverPublicKey(signature64: [UInt8], recoveryID: Int, messageHash32: [UInt8]) -> [UInt8]? {
        guard let ctx = Secp256k1Context.shared?.raw,
              signature64.count == 64, messageHash32.count == 32, (0...3).contains(recoveryID) else { return nil }
        var sig = secp256k1_ecdsa_recoverable_signature()
        guard secp256k1_ecdsa_recoverable_signature_parse_compact(ctx, &sig, signature64, Int32(recoveryID)) == 1 else { return nil }
        var pub = secp256k1_pubkey()
        guard secp256k1_ecdsa_recover(ctx, &pub, &sig, messageHash32) == 1 else { return nil }
        return serialize(ctx, &pub)
    }

    /// True when `signature64` (R || S) is a valid low-S signature of `messageHash32` by `publicKey` (33 or 65 bytes).
    public static func verify(signature64: [UInt8], messageHash32: [UInt8], publicKey: [UInt8]) -> Bool {
        guard let ctx = Secp256k1Context.shared?.raw,
              signature64.count == 64, messageHash32.count == 32, publicKey.count == 33 || publicKey.count == 65 else { return false }
        var sig = secp256k1_ecdsa_signature()
        guard secp256k1_ecdsa_signature_parse_compact(ctx, &sig, signature64) == 1 else { return false }
        var pub = secp256k1_pubkey()
        guard secp256k1_ec_pubkey_parse(ctx, &pub, publicKey, publicKey.count) == 1 else { return false }
        return secp256k1_ecdsa_verify(ctx, &sig, messageHash32, &pub) == 1
    }

    /// True when `publicKey` is a valid 33-byte compressed secp256k1 point.
    public static func isValidCompressedPublicKey(_ publicKey: [UInt8]) -> Bool {
        guard let ctx = Secp256k1Context.shared?.raw, publicKey.count == 33 else { return false }
        var pub = secp256k1_pubkey()
        return secp256k1_ec_pubkey_parse(ctx, &pub, publicKey, 33) == 1
    }

    private static func serialize(_ ctx: OpaquePointer, _ pub: inout secp256k1_pubkey) -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: 33)
        var len = 33
        guard secp256k1_ec_pubkey_serialize(ctx, &out, &len, &pub, UInt32(SECP256K1_EC_COMPRESSED)) == 1, len == 33 else { return nil }
        return out
    }
}

extension NodeKey: CustomStringConvertible {
    /// Shows only the public key, never the secret.
    public var description: String { "NodeKey(\(Hex.encode(publicKey)))" }
}
