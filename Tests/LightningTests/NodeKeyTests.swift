import Testing
@testable import Lightning

@Test func specKeyHasSpecPublicKey() throws {
    let key = try NodeKey(secretKey: Spec.hex(Spec.key))
    #expect(Hex.encode(key.publicKey) == Spec.payee)
    #expect(!key.description.contains(Spec.key))
}

@Test(arguments: [
    [UInt8](repeating: 0, count: 32),
    [UInt8](repeating: 0xff, count: 32),
    Hex.decode("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141") ?? [],
    [UInt8](repeating: 1, count: 31),
    [UInt8](repeating: 1, count: 33),
])
func invalidSecretIsRejected(secret: [UInt8]) {
    #expect(throws: NodeKeyError.invalidSecretKey) { try NodeKey(secretKey: secret) }
}

@Test func recoverableSignatureIsDeterministicAndRecoversThePublicKey() throws {
    let key = try #require(NodeKey(seed: Array("alice".utf8)))
    let hash = Hash.sha256(Array("hello".utf8))
    let a = try key.signRecoverable(messageHash32: hash)
    let b = try key.signRecoverable(messageHash32: hash)
    #expect(a.signature64 == b.signature64 && a.recoveryID == b.recoveryID)
    #expect(a.signature64.count == 64)
    #expect(NodeKey.recoverPublicKey(signature64: a.signature64, recoveryID: a.recoveryID, messageHash32: hash) == key.publicKey)
    #expect(NodeKey.verify(signature64: a.signature64, messageHash32: hash, publicKey: key.publicKey))
    let other = Hash.sha256(Array("hellO".utf8))
    #expect(!NodeKey.verify(signature64: a.signature64, messageHash32: other, publicKey: key.publicKey))
    #expect(NodeKey.recoverPublicKey(signature64: a.signature64, recoveryID: a.recoveryID, messageHash32: other) != key.publicKey)
}

@Test func seedDerivationIsDeterministicAndSeedSpecific() throws {
    let a1 = try #require(NodeKey(seed: [1, 2, 3]))
    let a2 = try #require(NodeKey(seed: [1, 2, 3]))
    let b = try #require(NodeKey(seed: [1, 2, 4]))
    #expect(a1.publicKey == a2.publicKey)
    #expect(a1.publicKey != b.publicKey)
    // Counter 0: secret = sha256(seed || 00000000).
    #expect(a1.secretKey == Hash.sha256([1, 2, 3, 0, 0, 0, 0]))
}

@Test func verifyRejectsHighSAndRecoveryAcceptsIt() throws {
    let key = try Spec.signingKey()
    let hash = Hash.sha256(Array("high-s".utf8))
    let sig = try key.signRecoverable(messageHash32: hash)
    // s' = n - s flips the recovery id parity and gives the high-S twin of the same signature.
    let n = Spec.hex("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")
    var high = Array(sig.signature64[0..<32])
    var borrow = 0
    var sNeg = [UInt8](repeating: 0, count: 32)
    for i in (0..<32).reversed() {
        let d = Int(n[i]) - Int(sig.signature64[32 + i]) - borrow
        sNeg[i] = UInt8((d + 256) % 256)
        borrow = d < 0 ? 1 : 0
    }
    high += sNeg
    #expect(!NodeKey.verify(signature64: high, messageHash32: hash, publicKey: key.publicKey))
    #expect(NodeKey.recoverPublicKey(signature64: high, recoveryID: sig.recoveryID ^ 1, messageHash32: hash) == key.publicKey)
}

@Test func malformedInputsAreRejectedWithoutCrashing() throws {
    let key = try Spec.signingKey()
    #expect(throws: NodeKeyError.invalidMessageHash) { try key.signRecoverable(messageHash32: [1, 2, 3]) }
    #expect(NodeKey.recoverPublicKey(signature64: [], recoveryID: 0, messageHash32: [UInt8](repeating: 0, count: 32)) == nil)
    #expect(NodeKey.recoverPublicKey(signature64: [UInt8](repeating: 1, count: 64), recoveryID: 4, messageHash32: [UInt8](repeating: 0, count: 32)) == nil)
    #expect(!NodeKey.verify(signature64: [UInt8](repeating: 1, count: 64), messageHash32: [UInt8](repeating: 0, count: 32), publicKey: [2] + [UInt8](repeating: 0, count: 32)))
    #expect(!NodeKey.isValidCompressedPublicKey([UInt8](repeating: 0, count: 33)))
    #expect(NodeKey.isValidCompressedPublicKey(key.publicKey))
}
