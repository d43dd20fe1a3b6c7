// A JSON document as a Swift value.
//
// Numbers: a literal without fraction or exponent that fits Int64 is `.int`
// (`-0` becomes `.int(0)`); every other number is `.double` (integers beyond
// Int64 included). Object keys are Swift `String`s, so two keys that are
// canonically equivalent Unicode (e.g. NFC vs NFD "é") are the same key.

/// A JSON value: null, boolean, integer, number, string, array or object.
public enum JSONValue: Sendable, Hashable {
    /// The literal `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number literal without fraction or exponent that fits Int64.
    case int(Int64)
    /// Any other finite number (a non-finite one is printed as `null`).
    case double(Double)
    /// A string (any Unicode, may contain U+0000).
    case string(String)
    /// An ordered list of values.
    case array([JSONValue])
    /// Uniquely keyed members; printed with keys sorted by their UTF-8 bytes.
    case object([String: JSONValue])
}

extension JSONValue: ExpressibleByNilLiteral {
    /// `nil` is `.null`.
    public init(nilLiteral: ()) { self = .null }
}

extension JSONValue: ExpressibleByBooleanLiteral {
    /// A boolean literal is `.bool`.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension JSONValue: ExpressibleByIntegerLiteral {
    /// An integer literal is `.int`.
    public init(integerLiteral value: Int64) { self = .int(value) }
}

extension JSONValue: ExpressibleByFloatLiteral {
    /// A float literal is `.double`.
    public init(floatLiteral value: Double) { self = .double(value) }
}

extension JSONValue: ExpressibleByStringLiteral {
    /// A string literal is `.string`.
    public init(stringLiteral value: String) { self = .string(value) }
}

extension JSONValue: ExpressibleByArrayLiteral {
    /// An array literal is `.array`.
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
}

extension JSONValue: ExpressibleByDictionaryLiteral {
    /// A dictionary literal is `.object`; for a repeated key the last value wins.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        var object = [String: JSONValue](minimumCapacity: elements.count)
        for (key, value) in elements { object[key] = value }
        self = .object(object)
    }
}

extension JSONValue: CustomStringConvertible {
    /// The compact serialized JSON text.
    public var description: String { serializedString() }
}

extension JSONValue {
    /// The member named `key`; nil unless this is an object containing `key`.
    public subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    /// The element at `index`; nil unless this is an array and `index` is in bounds.
    public subscript(index: Int) -> JSONValue? {
        if case .array(let array) = self, array.indices.contains(index) { return array[index] }
        return nil
    }

    /// The string payload, or nil.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The `.int` payload, or a `.double` that is integral and fits Int64, else nil.
    public var intValue: Int64? {
        switch self {
        case .int(let i): return i
        case .double(let d): return Int64(exactly: d)
        default: return nil
        }
    }

    /// The `.double` payload, or an `.int` converted to Double, else nil.
    public var doubleValue: Double? {
        switch self {
        case .double(let d): return d
        case .int(let i): return Double(i)
        default: return nil
        }
    }

    /// The boolean payload, or nil.
    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// The array payload, or nil.
    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// The object payload, or nil.
    public var objectValue: [String: JSONValue]? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// True for `.null` only.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// "null", "boolean", "integer", "number", "string", "array" or "object", for error messages.
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .int: return "integer"
        case .double: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}
