// Streaming compact JSON output for hot paths.
//
//     var w = JSONWriter()
//     w.beginObject()
//     w.key("id"); w.int(42)
//     w.key("tags"); w.beginArray(); w.string("a"); w.string("b"); w.endArray()
//     w.field("price", 1.5)
//     w.endObject()
//     // w.bytes == Array(#"{"id":42,"tags":["a","b"],"price":1.5}"#.utf8)
//
// or, with closures that open and close the container:
//
//     w.object { o in
//         o.field("id", 42)
//         o.key("tags"); o.array { a in a.string("a") }
//     }
//
// Commas and colons are inserted automatically. Keys are written in the order
// given (pass them sorted when the output must be canonical); nested
// `JSONValue`s written with `value(_:)` have their keys sorted. Strings are
// escaped exactly like `JSONValue.serialized()`; non-finite doubles become
// `null`. Misuse (a key inside an array, a value without a key inside an
// object, unbalanced end calls) is caught by assertions in debug builds only;
// the writer does no other validation.

/// Appends compact JSON text to `bytes` with no intermediate `JSONValue`.
public struct JSONWriter: Sendable {
    /// The JSON text written so far (UTF-8).
    public var bytes: [UInt8]

    /// True when the next value or key needs a separating comma.
    private var needsComma = false
    /// Open containers; bit i of `objectBits` is set when level i is an object (first 64 levels).
    private var depth = 0
    private var objectBits: UInt64 = 0
    /// True between `key(_:)` and the member's value.
    private var awaitingValue = false

    /// Creates an empty writer.
    public init() {
        bytes = []
    }

    /// Creates an empty writer whose buffer can hold `capacity` bytes without reallocating.
    public init(capacity: Int) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Empties the writer but keeps its buffer's capacity, for reuse.
    public mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        needsComma = false
        depth = 0
        objectBits = 0
        awaitingValue = false
    }

    /// The JSON text written so far as a String.
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    /// True when at least one value was written and every container was closed.
    public var isComplete: Bool { depth == 0 && !bytes.isEmpty && !awaitingValue }

    // MARK: - Containers

    /// Writes `{`; follow with `key(_:)`/value pairs or `field` calls, then `endObject()`.
    public mutating func beginObject() {
        prepareValue()
        bytes.append(UInt8(ascii: "{"))
        push(object: true)
    }

    /// Writes `}` closing the innermost object.
    public mutating func endObject() {
        assert(depth > 0 && isObjectOnTop && !awaitingValue, "JSONWriter: endObject() without an open object")
        pop()
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    /// Writes `[`; follow with values, then `endArray()`.
    public mutating func beginArray() {
        prepareValue()
        bytes.append(UInt8(ascii: "["))
        push(object: false)
    }

    /// Writes `]` closing the innermost array.
    public mutating func endArray() {
        assert(depth > 0 && !isObjectOnTop, "JSONWriter: endArray() without an open array")
        pop()
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    /// Writes an object whose members `body` writes, i.e. `beginObject()`, `body`, `endObject()`.
    public mutating func object<E: Error>(_ body: (inout JSONWriter) throws(E) -> Void) throws(E) {
        beginObject()
        try body(&self)
        endObject()
    }

    /// Writes an array whose elements `body` writes, i.e. `beginArray()`, `body`, `endArray()`.
    public mutating func array<E: Error>(_ body: (inout JSONWriter) throws(E) -> Void) throws(E) {
        beginArray()
        try body(&self)
        endArray()
    }

    /// Writes a member name and `:` inside an object; the next call must write its value.
    public mutating func key(_ name: String) {
        assert(depth > 0 && isObjectOnTop && !awaitingValue, "JSONWriter: key(_:) outside an object or twice")
        if needsComma { bytes.append(UInt8(ascii: ",")) }
        JSONEmit.appendString(name, into: &bytes)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
        awaitingValue = true
    }

    // MARK: - Scalars and values

    /// Writes `null`.
    public mutating func null() {
        prepareValue()
        JSONEmit.appendNull(into: &bytes)
        needsComma = true
    }

    /// Writes `true` or `false`.
    public mutating func bool(_ value: Bool) {
        prepareValue()
        JSONEmit.appendBool(value, into: &bytes)
        needsComma = true
    }

    /// Writes an integer.
    public mutating func int(_ value: Int64) {
        prepareValue()
        JSONEmit.appendInt(value, into: &bytes)
        needsComma = true
    }

    /// Writes an integer.
    public mutating func int(_ value: Int) {
        int(Int64(value))
    }

    /// Writes a double in shortest round-trip form ("2.0", "0.1", "1e+20"); non-finite as `null`.
    public mutating func double(_ value: Double) {
        prepareValue()
        JSONEmit.appendDouble(value, into: &bytes)
        needsComma = true
    }

    /// Writes an escaped string.
    public mutating func string(_ value: String) {
        prepareValue()
        JSONEmit.appendString(value, into: &bytes)
        needsComma = true
    }

    /// Writes a whole `JSONValue`, compact, with object keys sorted by UTF-8 bytes.
    public mutating func value(_ value: JSONValue) {
        prepareValue()
        JSONEmit.compact(value, into: &bytes)
        needsComma = true
    }

    /// Writes already-serialized JSON text as the next value, unchanged (the caller guarantees it is one valid
    /// JSON value; canonical text keeps the output canonical). Lets stored JSON be embedded without re-parsing.
    public mutating func raw(_ json: String) {
        prepareValue()
        bytes.append(contentsOf: json.utf8)
        needsComma = true
    }

    // MARK: - Object members

    /// Writes the member `"name":<json>` with already-serialized JSON text (see `raw(_:)`).
    public mutating func field(_ name: String, raw json: String) {
        key(name)
        raw(json)
    }

    /// Writes the member `"name":"value"` or `"name":null`.
    public mutating func field(_ name: String, _ value: String?) {
        key(name)
        if let value { string(value) } else { null() }
    }

    /// Writes the member `"name":"value"`.
    public mutating func field(_ name: String, _ value: String) {
        key(name)
        string(value)
    }

    /// Writes the member `"name":value` for an integer.
    public mutating func field(_ name: String, _ value: Int64) {
        key(name)
        int(value)
    }

    /// Writes the member `"name":value` for an integer.
    public mutating func field(_ name: String, _ value: Int) {
        key(name)
        int(Int64(value))
    }

    /// Writes the member `"name":value` for a double.
    public mutating func field(_ name: String, _ value: Double) {
        key(name)
        double(value)
    }

    /// Writes the member `"name":true|false`.
    public mutating func field(_ name: String, _ value: Bool) {
        key(name)
        bool(value)
    }

    /// Writes the member `"name":value` for any `JSONValue` (use `.null` for null).
    public mutating func field(_ name: String, _ value: JSONValue) {
        key(name)
        self.value(value)
    }

    // MARK: - Bookkeeping

    private var isObjectOnTop: Bool {
        depth > 64 || (depth > 0 && objectBits & (1 << UInt64(depth - 1)) != 0)
    }

    @inline(__always)
    private mutating func prepareValue() {
        assert(depth == 0 ? bytes.isEmpty : (isObjectOnTop == awaitingValue),
               "JSONWriter: value without key in an object, or a second top-level value")
        if needsComma { bytes.append(UInt8(ascii: ",")) }
        awaitingValue = false
    }

    @inline(__always)
    private mutating func push(object: Bool) {
        if depth < 64 {
            let bit: UInt64 = 1 << UInt64(depth)
            if object { objectBits |= bit } else { objectBits &= ~bit }
        }
        depth += 1
        needsComma = false
    }

    @inline(__always)
    private mutating func pop() {
        depth -= 1
    }
}
