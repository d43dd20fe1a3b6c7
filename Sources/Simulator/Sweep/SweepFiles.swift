#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import JSON

/// One slice of a sweep for a cluster's job array: the runs whose index modulo `count` is `index`.
public struct SweepShard: Sendable, Equatable, CustomStringConvertible {
    /// From 0 to `count - 1`.
    public var index: Int
    /// The number of slices; >= 1.
    public var count: Int

    /// Creates a shard; nil unless `0 <= index < count`.
    public init?(index: Int, count: Int) {
        guard count >= 1, index >= 0, index < count else { return nil }
        self.index = index
        self.count = count
    }

    /// Parses `I/N` (e.g. `3/16`, the form a Slurm array task writes as `$SLURM_ARRAY_TASK_ID/16`).
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]) else { return nil }
        self.init(index: i, count: n)
    }

    /// Whether run `index` belongs to this shard.
    public func contains(_ run: Int) -> Bool { run % count == index }

    /// `I/N`.
    public var description: String { "\(index)/\(count)" }
}

/// The names of a sweep's files and the manifest that identifies the sweep they come from.
public enum SweepFiles {
    /// `runs.csv`, or `runs-shard-I-of-N.csv` for a shard.
    public static func runs(_ shard: SweepShard?) -> String {
        shard.map { "runs-shard-\($0.index)-of-\($0.count).csv" } ?? "runs.csv"
    }

    /// `sweep.json`, or `sweep-shard-I-of-N.json` for a shard.
    public static func manifest(_ shard: SweepShard?) -> String {
        shard.map { "sweep-shard-\($0.index)-of-\($0.count).json" } ?? "sweep.json"
    }

    /// The shard a runs file name names (`runs-shard-2-of-8.csv` -> 2/8), nil for `runs.csv` or any other name.
    public static func shard(ofRunsFile name: String) -> SweepShard? {
        guard name.hasPrefix("runs-shard-"), name.hasSuffix(".csv") else { return nil }
        let middle = name.dropFirst("runs-shard-".count).dropLast(".csv".count)
        let parts = middle.components(separatedBy: "-of-")
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]) else { return nil }
        return SweepShard(index: i, count: n)
    }

    /// `sweep.json`: which sweep a runs file belongs to. It holds the whole scenario document, so `merge` can
    /// rebuild the plan (and the reports) without the scenario file.
    public static func manifest(_ plan: SweepPlan, shard: SweepShard?) -> JSONValue {
        [
            "format": "prooflayer-sweep/1",
            "scenario": .string(plan.base.name),
            "scenario_hash": .string(plan.scenarioHash),
            "seeds": .int(Int64(plan.seeds)),
            "points": .int(Int64(plan.points.count)),
            "runs": .int(Int64(plan.runCount)),
            "axes": .array(plan.spec.axes.map { .string($0.path.description) }),
            "shard": shard.map { ["index": .int(Int64($0.index)), "count": .int(Int64($0.count))] } ?? .null,
            "document": plan.document,
        ]
    }

    /// The plan a manifest describes, after checking that the document still has the hash it records.
    public static func plan(fromManifest manifest: JSONValue, source: String) throws(SweepError) -> (SweepPlan, SweepShard?) {
        guard manifest["format"]?.stringValue == "prooflayer-sweep/1", let document = manifest["document"],
              let hash = manifest["scenario_hash"]?.stringValue, let seeds = manifest["seeds"]?.intValue else {
            throw SweepError(["\(source): not a sweep manifest (format prooflayer-sweep/1 with document, scenario_hash and seeds)"])
        }
        let plan = try SweepPlan.make(document: document, source: source, seeds: Int(seeds))
        guard plan.scenarioHash == hash else {
            throw SweepError(["\(source): scenario_hash \(hash) does not match its document (\(plan.scenarioHash))"])
        }
        var shard: SweepShard?
        if let s = manifest["shard"], !s.isNull {
            guard let i = s["index"]?.intValue, let n = s["count"]?.intValue, let parsed = SweepShard(index: Int(i), count: Int(n)) else {
                throw SweepError(["\(source): shard must be {\"index\": I, \"count\": N} with 0 <= I < N"])
            }
            shard = parsed
        }
        return (plan, shard)
    }

    // MARK: Files

    /// `directory/name`.
    static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    static func errnoText() -> String { String(cString: strerror(errno)) }

    /// The whole file as UTF-8 text; nil when it does not exist.
    static func readText(_ path: String) throws(SweepError) -> String? {
        let fd = open(path, O_RDONLY)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw SweepError(["cannot read \(path): \(errnoText())"])
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw SweepError(["cannot read \(path): \(errnoText())"])
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Writes `text` to `path` through a temporary file and a rename, so a reader never sees half a file.
    static func writeText(_ path: String, _ text: String) throws(SweepError) {
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw SweepError(["cannot write \(temporary): \(errnoText())"]) }
        let ok = writeAll(fd, Array(text.utf8))
        let closed = close(fd) == 0
        guard ok && closed else { throw SweepError(["cannot write \(temporary): \(errnoText())"]) }
        guard rename(temporary, path) == 0 else { throw SweepError(["cannot rename \(temporary) to \(path): \(errnoText())"]) }
    }

    /// Every byte to `fd`, retrying short writes; false on error.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return write(fd, base + offset, buffer.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += written
        }
        return true
    }
}

/// A file that rows are appended to as runs finish: each line goes to the kernel in one `write`, so an
/// interrupted sweep keeps every finished row (at most the last line is cut short).
final class SweepAppendFile: Sendable {
    let path: String
    private let fd: Int32

    init(path: String) throws(SweepError) {
        self.path = path
        fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o644)
        guard fd >= 0 else { throw SweepError(["cannot open \(path) for appending: \(SweepFiles.errnoText())"]) }
    }

    deinit { close(fd) }

    /// Appends `line` and a newline; false when the write failed.
    func append(_ line: String) -> Bool { SweepFiles.writeAll(fd, Array((line + "\n").utf8)) }
}
