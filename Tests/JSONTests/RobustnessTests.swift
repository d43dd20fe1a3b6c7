import Testing
import JSON

@Test func deepNestingIsRefusedWithoutCrashing() {
    let brackets = [UInt8](repeating: UInt8(ascii: "["), count: 100_000)
    #expect(throws: JSONParseError(message: "nesting too deep (more than 64 levels)", offset: 64, line: 1, column: 65)) {
        try JSONValue.parse(brackets)
    }
    // A huge maxDepth is capped, so the parser's recursion stays bounded.
    let cap = JSONValue.depthCeiling
    #expect(throws: JSONParseError(message: "nesting too deep (more than \(cap) levels)", offset: cap, line: 1, column: cap + 1)) {
        try JSONValue.parse(brackets, maxDepth: Int.max)
    }
    let balanced = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
    #expect(throws: JSONParseError.self) { try JSONValue.parse(balanced, maxDepth: 1_000_000) }
    let objects = String(repeating: #"{"k":"#, count: 100_000)
    #expect(throws: JSONParseError.self) { try JSONValue.parse(objects) }
    #expect(throws: JSONParseError(message: "nesting too deep (more than 0 levels)", offset: 0, line: 1, column: 1)) {
        try JSONValue.parse("[]", maxDepth: -5)
    }
}

@Test func depthCeilingDocumentsParseAndPrint() throws {
    let cap = JSONValue.depthCeiling
    let text = String(repeating: "[", count: cap) + String(repeating: "]", count: cap)
    let value = try JSONValue.parse(text, maxDepth: cap)
    #expect(value.serializedString() == text)
    #expect(try JSONValue.parse(value.serialized(pretty: true), maxDepth: cap) == value)
}

/// Checks the invariants every outcome of parsing arbitrary bytes must satisfy.
private func checkNeverTraps(_ bytes: [UInt8]) {
    do {
        let value = try JSONValue.parse(bytes)
        // Anything accepted must print and re-parse to the same value.
        #expect((try? JSONValue.parse(value.serialized())) == value)
    } catch {
        #expect(error.offset >= 0 && error.offset <= bytes.count)
        #expect(error.line >= 1 && error.column >= 1)
        #expect(!error.message.isEmpty)
    }
}

@Test func oneMegabyteOfRandomBytesNeverTraps() {
    var rng = SplitMix64(seed: 0xF022)
    var total = 0
    while total < 1 << 20 {
        let count = Int(rng.next() % 512)
        var bytes = [UInt8](repeating: 0, count: count)
        for i in 0..<count { bytes[i] = UInt8(truncatingIfNeeded: rng.next()) }
        checkNeverTraps(bytes)
        total += count
    }
}

@Test func oneMegabyteOfJSONishBytesNeverTraps() {
    // Bytes drawn from JSON's own alphabet reach much deeper into the grammar.
    let alphabet = Array(#"{}[]:,"\/ 0123456789.eE+-truefalsnul\u00DFabcdD800DC00"#.utf8) + [0x0A, 0x09, 0xC3, 0xA9, 0xF0, 0x9F, 0x98, 0x80, 0xFF, 0x00]
    var rng = SplitMix64(seed: 0xA1FA)
    var total = 0
    while total < 1 << 20 {
        let count = Int(rng.next() % 64)
        var bytes = [UInt8](repeating: 0, count: count)
        for i in 0..<count { bytes[i] = alphabet[Int(rng.next() % UInt64(alphabet.count))] }
        checkNeverTraps(bytes)
        total += count
    }
}

@Test func oneMegabyteOfMutatedDocumentsNeverTraps() {
    var random = RandomJSON(rng: SplitMix64(seed: 0xBEEF))
    var rng = SplitMix64(seed: 0xCAFE)
    var total = 0
    var accepted = 0
    while total < 1 << 20 {
        var bytes = random.value(depth: 0).serialized()
        for _ in 0..<(1 + Int(rng.next() % 3)) {
            let at = bytes.isEmpty ? 0 : Int(rng.next() % UInt64(bytes.count))
            switch rng.next() % 3 {
            case 0 where !bytes.isEmpty: bytes[at] = UInt8(truncatingIfNeeded: rng.next())
            case 1 where !bytes.isEmpty: bytes.remove(at: at)
            default: bytes.insert(UInt8(truncatingIfNeeded: rng.next()), at: at)
            }
        }
        if (try? JSONValue.parse(bytes)) != nil { accepted += 1 }
        checkNeverTraps(bytes)
        total += bytes.count
    }
    #expect(accepted > 0)
}
