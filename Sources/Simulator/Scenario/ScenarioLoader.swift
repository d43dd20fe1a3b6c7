#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import JSON

/// Reads scenario files: JSON syntax, then the schema of `docs/scenarios.md`, reporting every problem at once.
public enum ScenarioLoader {
    /// Largest scenario file accepted (16 MiB).
    public static let maxFileSize = 16 << 20

    /// Reads and validates the scenario file at `path`; the error's source is `path`.
    public static func load(path: String) throws(ScenarioError) -> Scenario {
        try parse(readBytes(path).get(), source: path)
    }

    /// The bytes of the file at `path` (at most `maxFileSize`), or the error `load` would throw.
    public static func readBytes(_ path: String) -> Result<[UInt8], ScenarioError> {
        switch readFile(path) {
        case .success(let bytes):
            return .success(bytes)
        case .failure(let failure):
            return .failure(ScenarioError(source: path, problems: [ScenarioProblem(path: "$", reason: failure.reason)]))
        }
    }

    /// Validates a scenario from UTF-8 JSON bytes; `source` names them in the error (e.g. the file path).
    ///
    /// Problems come in document order: sorted by where the offending value (or, for a missing field, its object)
    /// starts in the text.
    public static func parse(_ bytes: [UInt8], source: String) throws(ScenarioError) -> Scenario {
        let document: JSONValue
        do {
            document = try JSONValue.parse(bytes)
        } catch {
            throw ScenarioError(source: source, problems: [ScenarioProblem(path: "$", reason: "invalid JSON: \(error)")])
        }
        let decoder = ScenarioDecoder()
        if let scenario = decoder.scenario(document), decoder.reader.problems.isEmpty { return scenario }
        let spans = JSONLocator.spans(of: decoder.reader.problems.map(\.path), in: bytes)
        let ordered = decoder.reader.problems.enumerated()
            .map { (position: JSONLocator.position(of: $0.element.path, in: spans), sequence: $0.offset, entry: $0.element) }
            .sorted { $0.position != $1.position ? $0.position < $1.position : $0.sequence < $1.sequence }
        throw ScenarioError(source: source, problems: problems(ordered.map(\.entry)))
    }

    /// Validates an already parsed document (e.g. one a sweep edited); problems come in schema order.
    public static func decode(_ document: JSONValue, source: String) throws(ScenarioError) -> Scenario {
        let decoder = ScenarioDecoder()
        if let scenario = decoder.scenario(document), decoder.reader.problems.isEmpty { return scenario }
        throw ScenarioError(source: source, problems: problems(decoder.reader.problems))
    }

    private static func problems(_ entries: [ScenarioReader.Entry]) -> [ScenarioProblem] {
        let problems = entries.map { ScenarioProblem(path: $0.path.description, reason: $0.reason) }
        // The decoder records a problem whenever it returns nil; this is only a guard against a silent failure.
        return problems.isEmpty ? [ScenarioProblem(path: "$", reason: "is not a valid scenario")] : problems
    }

    /// The file's bytes, or `cannot read file: <strerror> (errno N)`.
    private static func readFile(_ path: String) -> Result<[UInt8], ReadFailure> {
        func failure(_ code: Int32) -> Result<[UInt8], ReadFailure> {
            .failure(ReadFailure(reason: "cannot read file: \(String(cString: strerror(code))) (errno \(code))"))
        }
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return failure(errno) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return failure(errno)
            }
            if count == 0 { return .success(bytes) }
            bytes.append(contentsOf: chunk[0..<count])
            if bytes.count > maxFileSize {
                return .failure(ReadFailure(reason: "cannot read file: larger than \(maxFileSize) bytes"))
            }
        }
    }

    private struct ReadFailure: Error {
        var reason: String
    }
}
