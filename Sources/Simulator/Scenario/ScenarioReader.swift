import JSON

/// Reads typed values out of a `JSONValue` tree and records every problem instead of stopping at the first.
///
/// Each reader returns nil after recording a problem, so callers fall back to a default and keep going; the loader
/// throws at the end when anything was recorded. Nothing here traps: numbers are range-checked before conversion.
final class ScenarioReader {
    /// A problem in emission order, before sorting into document order.
    struct Entry {
        var path: JSONPath
        var reason: String
    }

    /// The members of an object whose keys were checked.
    struct Fields {
        let path: JSONPath
        let members: [String: JSONValue]
    }

    /// Bounds for a number. A bound is either part of the rule (`0 ... 1` for a rate) or a sanity cap that keeps
    /// arithmetic far from overflow; the reason says "between" only when both bounds are part of the rule, and
    /// otherwise names the side that was crossed.
    struct Limits<T: Comparable> {
        var min: T?
        var minExclusive = false
        var max: T?
        var minIsCap = false
        var maxIsCap = false

        static func between(_ low: T, _ high: T) -> Limits { Limits(min: low, max: high) }
        static func atLeast(_ low: T, cap high: T) -> Limits { Limits(min: low, max: high, maxIsCap: true) }
        static func greaterThan(_ low: T, cap high: T) -> Limits {
            Limits(min: low, minExclusive: true, max: high, maxIsCap: true)
        }
        static func atMost(_ high: T, cap low: T) -> Limits { Limits(min: low, max: high, minIsCap: true) }
        static func caps(_ low: T, _ high: T) -> Limits { Limits(min: low, max: high, minIsCap: true, maxIsCap: true) }

        func contains(_ value: T) -> Bool {
            if let min, minExclusive ? value <= min : value < min { return false }
            if let max, value > max { return false }
            return true
        }

        func isBelow(_ value: T) -> Bool {
            guard let min else { return false }
            return minExclusive ? value <= min : value < min
        }
    }

    private(set) var problems: [Entry] = []

    func report(_ path: JSONPath, _ reason: String) {
        problems.append(Entry(path: path, reason: reason))
    }

    // MARK: Objects and fields

    /// The object's members, after reporting every key not in `keys` (with a suggestion when one is close).
    /// `elsewhere` maps keys that belong to another variant to a note such as `for distribution "uniform"`.
    func object(_ value: JSONValue, at path: JSONPath, keys: [String], elsewhere: [String: String] = [:]) -> Fields? {
        guard case .object(let members) = value else {
            report(path, "must be an object, got \(Self.article(value))")
            return nil
        }
        for key in members.keys.sorted() where !keys.contains(key) {
            if let note = elsewhere[key] {
                report(path.appending(key), "unknown field \(Self.quoted(key)) \(note)")
            } else if let suggestion = Self.closest(to: key, in: keys) {
                report(path.appending(key), "unknown field \(Self.quoted(key)); did you mean \(Self.quoted(suggestion))?")
            } else {
                report(path.appending(key), "unknown field \(Self.quoted(key))")
            }
        }
        return Fields(path: path, members: members)
    }

    /// Reads member `key` with `parse`; nil when absent (a problem when `required`) or invalid.
    func field<T>(_ fields: Fields, _ key: String, required: Bool = false,
                  _ parse: (JSONValue, JSONPath) -> T?) -> T? {
        let path = fields.path.appending(key)
        guard let value = fields.members[key] else {
            if required { report(path, "required field is missing") }
            return nil
        }
        return parse(value, path)
    }

    /// Whether member `key` is present (even if null or invalid).
    func has(_ fields: Fields, _ key: String) -> Bool { fields.members[key] != nil }

    // MARK: Scalars

    func string(_ value: JSONValue, _ path: JSONPath) -> String? {
        guard case .string(let text) = value else {
            report(path, "must be a string, got \(Self.article(value))")
            return nil
        }
        return text
    }

    func nonEmptyString(_ value: JSONValue, _ path: JSONPath) -> String? {
        guard let text = string(value, path) else { return nil }
        guard !text.isEmpty else {
            report(path, "must not be empty")
            return nil
        }
        return text
    }

    func bool(_ value: JSONValue, _ path: JSONPath) -> Bool? {
        guard case .bool(let flag) = value else {
            report(path, "must be a boolean, got \(Self.article(value))")
            return nil
        }
        return flag
    }

    /// An integer (an integral decimal such as `10.0` counts) within `limits`.
    func integer(_ value: JSONValue, _ path: JSONPath, _ limits: Limits<Int64>) -> Int64? {
        let number: Int64
        switch value {
        case .int(let i):
            number = i
        case .double(let d):
            guard d.isFinite, d.rounded(.towardZero) == d else {
                report(path, "must be an integer, got \(value.serializedString())")
                return nil
            }
            guard let exact = Int64(exactly: d) else {
                report(path, Self.rangeReason(limits, below: d < 0, got: value.serializedString(), format: { String($0) }))
                return nil
            }
            number = exact
        default:
            report(path, "must be an integer, got \(Self.article(value))")
            return nil
        }
        guard limits.contains(number) else {
            report(path, Self.rangeReason(limits, below: limits.isBelow(number), got: value.serializedString(),
                                          format: { String($0) }))
            return nil
        }
        return number
    }

    /// A finite number within `limits`.
    func number(_ value: JSONValue, _ path: JSONPath, _ limits: Limits<Double>) -> Double? {
        let number: Double
        switch value {
        case .int(let i): number = Double(i)
        case .double(let d): number = d
        default:
            report(path, "must be a number, got \(Self.article(value))")
            return nil
        }
        guard number.isFinite, limits.contains(number) else {
            report(path, Self.rangeReason(limits, below: !number.isNaN && limits.isBelow(number),
                                          got: value.serializedString(), format: Self.format))
            return nil
        }
        return number
    }

    /// The longest duration a scenario may give, in seconds (about 31.7 years).
    static let maxSeconds: Double = 1_000_000_000

    /// A duration in (possibly fractional) seconds, as whole milliseconds rounded to nearest; `> 0` unless `allowZero`.
    func seconds(_ value: JSONValue, _ path: JSONPath, allowZero: Bool = false) -> Int64? {
        let limits: Limits<Double> = allowZero ? .atLeast(0, cap: Self.maxSeconds) : .greaterThan(0, cap: Self.maxSeconds)
        guard let seconds = number(value, path, limits) else { return nil }
        let ms = Int64((seconds * 1000).rounded())
        if !allowZero && ms == 0 {
            report(path, "must be at least 0.001 (1 ms), got \(value.serializedString())")
            return nil
        }
        return ms
    }

    /// One of an enum's raw values; the reason lists them all.
    func choice<E: RawRepresentable & CaseIterable>(_ value: JSONValue, _ path: JSONPath, _: E.Type,
                                                      allowed: [E]? = nil) -> E? where E.RawValue == String {
        let options = allowed ?? Array(E.allCases)
        guard let text = string(value, path) else { return nil }
        guard let result = options.first(where: { $0.rawValue == text }) else {
            let list = options.map(\.rawValue).joined(separator: ", ")
            report(path, "must be one of \(list); got \(Self.quoted(text))")
            return nil
        }
        return result
    }

    // MARK: Arrays

    func array(_ value: JSONValue, _ path: JSONPath, nonEmpty: Bool = false) -> [JSONValue]? {
        guard case .array(let elements) = value else {
            report(path, "must be an array, got \(Self.article(value))")
            return nil
        }
        if nonEmpty && elements.isEmpty {
            report(path, "must not be empty")
            return nil
        }
        return elements
    }

    /// Every element read with `parse`; nil when the array or any element is invalid.
    func list<T>(_ value: JSONValue, _ path: JSONPath, nonEmpty: Bool = false,
                 _ parse: (JSONValue, JSONPath) -> T?) -> [T]? {
        guard let elements = array(value, path, nonEmpty: nonEmpty) else { return nil }
        var result: [T] = []
        var failed = false
        for (index, element) in elements.enumerated() {
            if let item = parse(element, path.appending(index)) { result.append(item) } else { failed = true }
        }
        return failed ? nil : result
    }

    // MARK: Wording

    /// "a string", "an integer", "null", ... for "got ..." phrases.
    static func article(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .int: return "an integer"
        case .array: return "an array"
        case .object: return "an object"
        default: return "a \(value.typeName)"
        }
    }

    /// A JSON string literal, e.g. `"acuracy"`.
    static func quoted(_ text: String) -> String { JSONValue.string(text).serializedString() }

    /// A bound without a needless `.0`.
    static func format(_ value: Double) -> String {
        if value.rounded() == value, abs(value) < 1e15, let exact = Int64(exactly: value) { return String(exact) }
        return "\(value)"
    }

    static func rangeReason<T>(_ limits: Limits<T>, below: Bool, got: String, format: (T) -> String) -> String {
        if let min = limits.min, let max = limits.max, !limits.minExclusive, !limits.minIsCap, !limits.maxIsCap {
            return "must be between \(format(min)) and \(format(max)), got \(got)"
        }
        if below, let min = limits.min {
            return limits.minExclusive ? "must be greater than \(format(min)), got \(got)"
                                       : "must be at least \(format(min)), got \(got)"
        }
        if let max = limits.max { return "must be at most \(format(max)), got \(got)" }
        return "is out of range, got \(got)"
    }

    /// The known key closest to a misspelt one, when the edit distance is small.
    static func closest(to key: String, in keys: [String]) -> String? {
        let typed = Array(key.lowercased().unicodeScalars)
        guard typed.count <= 64 else { return nil }
        var best: (key: String, distance: Int)?
        for candidate in keys {
            let distance = editDistance(typed, Array(candidate.unicodeScalars))
            let allowed = min(2, max(1, candidate.unicodeScalars.count / 3))
            if distance <= allowed, distance < (best?.distance ?? Int.max) { best = (candidate, distance) }
        }
        return best?.key
    }

    /// Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps cost 1.
    static func editDistance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous2 = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var value = Swift.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    value = Swift.min(value, previous2[j - 2] + 1)
                }
                current[j] = value
            }
            (previous2, previous, current) = (previous, current, previous2)
        }
        return previous[b.count]
    }
}
