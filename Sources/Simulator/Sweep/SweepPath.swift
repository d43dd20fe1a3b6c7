import JSON

/// A path into a scenario document, written `market.worker_share`, `resolvers[0].count` or
/// `requesters[1].budget_sats.max`: keys (`[A-Za-z0-9_-]+`) joined by dots, array indices in brackets.
public struct SweepPath: Sendable, Hashable, CustomStringConvertible {
    /// One step of the path.
    public enum Component: Sendable, Hashable {
        /// An object member.
        case key(String)
        /// An array element (from 0).
        case index(Int)
    }

    /// The steps from the document's root; never empty, and the first is a key.
    public let components: [Component]

    /// Parses `text`; nil unless it follows the grammar above.
    public init?(_ text: String) {
        var components: [Component] = []
        var chars = Array(text.unicodeScalars)[...]
        func isKeyChar(_ c: Unicode.Scalar) -> Bool {
            (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") || c == "_" || c == "-"
        }
        var expectKey = true
        while let c = chars.first {
            if c == "[" {
                guard !components.isEmpty else { return nil }
                chars = chars.dropFirst()
                let digits = chars.prefix { $0 >= "0" && $0 <= "9" }
                guard !digits.isEmpty, digits.count <= 9 else { return nil }
                chars = chars.dropFirst(digits.count)
                guard chars.first == "]", let index = Int(String(String.UnicodeScalarView(digits))) else { return nil }
                chars = chars.dropFirst()
                components.append(.index(index))
                expectKey = false
            } else if c == "." {
                guard !components.isEmpty, !expectKey else { return nil }
                chars = chars.dropFirst()
                expectKey = true
            } else {
                guard expectKey, isKeyChar(c) else { return nil }
                let key = chars.prefix(while: isKeyChar)
                chars = chars.dropFirst(key.count)
                components.append(.key(String(String.UnicodeScalarView(key))))
                expectKey = false
            }
        }
        guard !expectKey, case .key? = components.first else { return nil }
        self.components = components
    }

    /// The path as written: `resolvers[0].count`.
    public var description: String { Self.text(components[...]) }

    /// The CSV column name: every run of characters other than letters, digits and `-` becomes one underscore
    /// (`requesters[1].budget_sats.max` -> `requesters_1_budget_sats_max`).
    public var column: String {
        var out = ""
        for component in components {
            switch component {
            case .key(let key): out += (out.isEmpty ? "" : "_") + key
            case .index(let i): out += "_\(i)"
            }
        }
        return out
    }

    private static func text(_ components: ArraySlice<Component>) -> String {
        var out = ""
        for component in components {
            switch component {
            case .key(let key): out += out.isEmpty ? key : "." + key
            case .index(let i): out += "[\(i)]"
            }
        }
        return out
    }

    /// `document` with the value at this path replaced by `value`.
    ///
    /// A missing object member is added (objects on the way are created), so a field the file leaves at its
    /// default can be swept; the loader then rejects keys the schema does not know. An array index must exist.
    public func setting(_ value: JSONValue, in document: JSONValue) throws(SweepPathError) -> JSONValue {
        try set(value, in: document, at: components.startIndex)
    }

    private func set(_ value: JSONValue, in node: JSONValue, at position: Int) throws(SweepPathError) -> JSONValue {
        guard position < components.count else { return value }
        let here = Self.text(components[..<position])
        switch components[position] {
        case .key(let key):
            var members: [String: JSONValue]
            switch node {
            case .object(let existing): members = existing
            case .null where position > 0: members = [:]
            default:
                throw SweepPathError(path: self, reason: "\(here.isEmpty ? "the document" : here) is \(Self.article(node)), not an object")
            }
            members[key] = try set(value, in: members[key] ?? .null, at: position + 1)
            return .object(members)
        case .index(let index):
            guard case .array(var elements) = node else {
                throw SweepPathError(path: self, reason: "\(here) is \(Self.article(node)), not an array")
            }
            guard elements.indices.contains(index) else {
                throw SweepPathError(path: self, reason: "\(here) has \(elements.count) element\(elements.count == 1 ? "" : "s"), so there is no [\(index)]")
            }
            elements[index] = try set(value, in: elements[index], at: position + 1)
            return .array(elements)
        }
    }

    private static func article(_ value: JSONValue) -> String {
        switch value {
        case .null: return "missing"
        case .int: return "an integer"
        case .array: return "an array"
        case .object: return "an object"
        default: return "a \(value.typeName)"
        }
    }
}

/// A sweep path that cannot be set on the document, with the reason.
public struct SweepPathError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The axis's path.
    public var path: SweepPath
    /// Why, e.g. `resolvers has 2 elements, so there is no [5]`.
    public var reason: String

    /// `<path>: <reason>`.
    public var description: String { "\(path): \(reason)" }
}
