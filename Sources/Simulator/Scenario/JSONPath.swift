import JSON

/// A location inside a JSON document, printed as `resolvers[2].accuracy`.
struct JSONPath: Hashable, Sendable, CustomStringConvertible {
    enum Component: Hashable, Sendable {
        case key(String)
        case index(Int)
    }

    var components: [Component] = []

    static let root = JSONPath()

    func appending(_ key: String) -> JSONPath { JSONPath(components: components + [.key(key)]) }
    func appending(_ index: Int) -> JSONPath { JSONPath(components: components + [.index(index)]) }

    /// `$` for the root; plain keys joined by dots; other keys as `["..."]` with JSON escaping.
    var description: String {
        if components.isEmpty { return "$" }
        var text = ""
        for component in components {
            switch component {
            case .index(let i):
                text += "[\(i)]"
            case .key(let key):
                if JSONPath.isPlain(key) {
                    text += text.isEmpty ? key : ".\(key)"
                } else {
                    text += "[\(JSONValue.string(key).serializedString())]"
                }
            }
        }
        return text
    }

    private static func isPlain(_ key: String) -> Bool {
        !key.isEmpty && key.utf8.allSatisfy { byte in
            (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39)
                || byte == 0x5F || byte == 0x2D
        }
    }
}

/// Finds where the values on given paths of a (valid) JSON text start and end, so problems can be sorted into
/// document order.
///
/// `JSONValue` objects are dictionaries and forget key order, so this scanner walks the bytes again. Only the paths
/// asked for (and their ancestors) are tracked: a trie of them is walked alongside the text and every other value is
/// skipped without decoding its keys. The scanner assumes the text already parsed, but checks every index, so
/// garbage only makes it stop early.
struct JSONLocator {
    /// One level of the wanted paths, with the span found for it.
    private final class Node {
        var children: [JSONPath.Component: Node] = [:]
        var span: Range<Int>?
    }

    private let bytes: [UInt8]
    private var index = 0

    private init(bytes: [UInt8]) { self.bytes = bytes }

    /// For each of `paths` (and each ancestor), the byte range of its value when the document has one.
    static func spans(of paths: [JSONPath], in bytes: [UInt8]) -> [JSONPath: Range<Int>] {
        let root = Node()
        for path in paths {
            var node = root
            for component in path.components {
                if let child = node.children[component] {
                    node = child
                } else {
                    let child = Node()
                    node.children[component] = child
                    node = child
                }
            }
        }
        var locator = JSONLocator(bytes: bytes)
        locator.value(root, depth: 0)
        var result: [JSONPath: Range<Int>] = [:]
        func collect(_ node: Node, _ path: JSONPath) {
            if let span = node.span { result[path] = span }
            for (component, child) in node.children {
                switch component {
                case .key(let key): collect(child, path.appending(key))
                case .index(let i): collect(child, path.appending(i))
                }
            }
        }
        collect(root, .root)
        return result
    }

    /// Where a problem at `path` sorts: the start of its value, or for a value that is absent (a missing field,
    /// a rule about a block left out) the end of the deepest container on the path that exists.
    static func position(of path: JSONPath, in spans: [JSONPath: Range<Int>]) -> Int {
        if let span = spans[path] { return span.lowerBound }
        var prefix = path.components
        while !prefix.isEmpty {
            prefix.removeLast()
            if let span = spans[JSONPath(components: prefix)] { return span.upperBound - 1 }
        }
        return 0
    }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
    }

    /// Skips a string literal starting at its opening quote; returns its decoded text when `decode` is set.
    private mutating func string(decode: Bool) -> String? {
        let start = index
        var escaped = false
        index += 1
        while let byte = current {
            if byte == UInt8(ascii: "\\") {
                escaped = true
                index += 2
            } else if byte == UInt8(ascii: "\"") {
                index += 1
                guard decode, index <= bytes.count else { return nil }
                // The text already parsed, so without escapes the bytes between the quotes are the key's UTF-8.
                if !escaped { return String(decoding: bytes[(start + 1)..<(index - 1)], as: UTF8.self) }
                return (try? JSONValue.parse(Array(bytes[start..<index])))?.stringValue
            } else {
                index += 1
            }
        }
        return nil
    }

    /// Scans one value; records its span in `node` and descends into the children `node` wants (nil: skip only).
    private mutating func value(_ node: Node?, depth: Int) {
        skipWhitespace()
        guard let byte = current, depth <= JSONValue.depthCeiling else { return }
        let start = index
        defer { node?.span = start..<Swift.max(start + 1, index) }
        let wantsChildren = !(node?.children.isEmpty ?? true)
        switch byte {
        case UInt8(ascii: "{"):
            index += 1
            skipWhitespace()
            if current == UInt8(ascii: "}") { index += 1; return }
            while current == UInt8(ascii: "\"") {
                let key = string(decode: wantsChildren)
                skipWhitespace()
                guard current == UInt8(ascii: ":") else { return }
                index += 1
                value(key.flatMap { node?.children[.key($0)] }, depth: depth + 1)
                skipWhitespace()
                if current == UInt8(ascii: ",") { index += 1; skipWhitespace(); continue }
                if current == UInt8(ascii: "}") { index += 1 }
                return
            }
        case UInt8(ascii: "["):
            index += 1
            skipWhitespace()
            if current == UInt8(ascii: "]") { index += 1; return }
            var element = 0
            while current != nil {
                value(wantsChildren ? node?.children[.index(element)] : nil, depth: depth + 1)
                element += 1
                skipWhitespace()
                if current == UInt8(ascii: ",") { index += 1; continue }
                if current == UInt8(ascii: "]") { index += 1 }
                return
            }
        case UInt8(ascii: "\""):
            _ = string(decode: false)
        default:
            while let b = current, b != UInt8(ascii: ","), b != UInt8(ascii: "]"), b != UInt8(ascii: "}"),
                  b != 0x20, b != 0x0A, b != 0x0D, b != 0x09 {
                index += 1
            }
        }
    }
}
