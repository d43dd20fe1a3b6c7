import JSON
import Lightning

/// One parameter point of a sweep: the value each axis takes, and the scenario those values make.
public struct SweepPoint: Sendable, Equatable {
    /// The point's position, from 0, in grid or zip order.
    public var index: Int
    /// For each axis, the index of its value.
    public var valueIndices: [Int]
    /// For each axis, its value.
    public var values: [JSONValue]
    /// The validated scenario with the values set (and the sweep's run settings applied).
    public var scenario: Scenario
}

/// One run of a sweep: a replicate at a point, with its seed.
public struct SweepRun: Sendable, Equatable {
    /// `point * seeds + replicate`: the run's position in `(point, replicate)` order.
    public var index: Int
    /// The parameter point.
    public var point: Int
    /// The replicate at that point, from 0 to `seeds - 1`.
    public var replicate: Int
    /// The run's seed, derived from the scenario's seed, the point and the replicate only.
    public var seed: UInt64
}

/// Why a sweep cannot start: the scenario, an axis, or a point is invalid.
public struct SweepError: Error, Sendable, Equatable, CustomStringConvertible {
    /// One line per problem.
    public var lines: [String]

    /// Creates an error from its lines.
    public init(_ lines: [String]) { self.lines = lines }

    /// The problems, one per line.
    public var description: String { lines.joined(separator: "\n") }
}

/// Everything a sweep will run, decided before any run starts: the points (each validated by the loader), the
/// seeds, and the scenario's fingerprint.
public struct SweepPlan: Sendable {
    /// The scenario as loaded (with its `sweep` block).
    public let base: Scenario
    /// The scenario document as parsed; points are built from it.
    public let document: JSONValue
    /// The sweep description (with `--seeds` applied).
    public let spec: SweepSpec
    /// Every parameter point, in order.
    public let points: [SweepPoint]
    /// SHA-256 (hex) of the document's canonical JSON (sorted keys, no spaces): what `--resume` and `merge` check.
    public let scenarioHash: String
    /// What the sweep changed in the scenario's run settings, for the console and the report.
    public let notes: [String]

    /// Replicates per point.
    public var seeds: Int { spec.seeds }
    /// `points.count * seeds`.
    public var runCount: Int { points.count * spec.seeds }

    /// The axes' CSV columns, in order.
    public var axisColumns: [String] { spec.axes.map(\.column) }

    /// Builds the plan for a parsed scenario document; `seeds` replaces the block's replicate count.
    ///
    /// Each point's document is the base with the axis values set at their paths, checked by
    /// `ScenarioLoader.decode`; every invalid point is reported with its values and the loader's messages.
    public static func make(document: JSONValue, source: String, seeds: Int? = nil) throws(SweepError) -> SweepPlan {
        let base: Scenario
        do {
            base = try ScenarioLoader.decode(document, source: source)
        } catch {
            throw SweepError(error.description.split(separator: "\n").map(String.init))
        }
        var spec = base.sweep ?? SweepSpec()
        if let seeds {
            guard seeds >= 1 && seeds <= Int(ScenarioDecoder.maxSeeds) else {
                throw SweepError(["--seeds: must be between 1 and \(ScenarioDecoder.maxSeeds), got \(seeds)"])
            }
            spec.seeds = seeds
        }
        guard base.web.mode != .live else {
            throw SweepError(["\(source): web.mode: a sweep needs reproducible runs; \"live\" depends on the outside world (use simulated or fixture)"])
        }
        var notes: [String] = []
        if base.web.mode == .fixture {
            notes.append("web.mode \"fixture\" runs as \"simulated\" in a sweep (the same answers without a loopback server per run)")
        }
        guard case .object(var stripped) = document else { throw SweepError(["\(source): $: must be an object"]) }
        stripped["sweep"] = nil
        let bare = JSONValue.object(stripped)

        // A path that cannot be set fails at every point: say so once, per axis.
        var pathProblems: [String] = []
        for (index, axis) in spec.axes.enumerated() {
            guard let value = axis.values.first else { continue }
            do { _ = try axis.path.setting(value, in: bare) } catch {
                pathProblems.append("\(source): sweep.axes[\(index)].path: \(error.description)")
            }
        }
        guard pathProblems.isEmpty else { throw SweepError(pathProblems) }

        var points: [SweepPoint] = []
        // Each distinct problem once, at the first point it appears, with how many other points share it.
        var problems: [(line: String, key: String)] = []
        var repeats: [String: Int] = [:]
        for (index, valueIndices) in spec.pointValueIndices().enumerated() {
            let values = zip(spec.axes, valueIndices).map { $0.values[$1] }
            let label = Self.label(spec.axes, values)
            var edited = bare
            do {
                for (axis, value) in zip(spec.axes, values) { edited = try axis.path.setting(value, in: edited) }
                var scenario = try ScenarioLoader.decode(edited, source: source)
                scenario.sweep = nil
                scenario.web.mode = .simulated
                scenario.report.events = false
                scenario.report.html = false
                scenario.report.transcript = .silent
                points.append(SweepPoint(index: index, valueIndices: valueIndices, values: values, scenario: scenario))
            } catch let error as SweepPathError {
                // A value that changes the document's shape under a later axis's path.
                let key = "sweep path \(error)"
                if repeats[key] == nil { problems.append(("\(source): point \(index) (\(label)): \(key)", key)) }
                repeats[key, default: 0] += 1
            } catch let error as ScenarioError {
                for problem in error.problems {
                    let key = "\(problem.path): \(problem.reason)"
                    if repeats[key] == nil { problems.append(("\(source): point \(index) (\(label)): \(key)", key)) }
                    repeats[key, default: 0] += 1
                }
            } catch {
                problems.append(("\(source): point \(index) (\(label)): \(error)", ""))
            }
            if problems.count >= 20 { break }
        }
        let lines = problems.map { problem -> String in
            let more = (repeats[problem.key] ?? 1) - 1
            return more > 0 ? problem.line + " (and at \(more) more point\(more == 1 ? "" : "s"))" : problem.line
        }
        guard lines.isEmpty else { throw SweepError(lines) }
        let hash = Hex.encode(Hash.sha256(document.serialized()))
        return SweepPlan(base: base, document: document, spec: spec, points: points, scenarioHash: hash, notes: notes)
    }

    /// Reads, validates and plans the scenario file at `path`.
    public static func load(path: String, seeds: Int? = nil) throws(SweepError) -> SweepPlan {
        let bytes: [UInt8]
        switch ScenarioLoader.readBytes(path) {
        case .success(let read): bytes = read
        case .failure(let error): throw SweepError(error.description.split(separator: "\n").map(String.init))
        }
        do {
            _ = try ScenarioLoader.parse(bytes, source: path)
        } catch {
            throw SweepError(error.description.split(separator: "\n").map(String.init))
        }
        let document: JSONValue
        do { document = try JSONValue.parse(bytes) } catch { throw SweepError(["\(path): $: invalid JSON: \(error)"]) }
        return try make(document: document, source: path, seeds: seeds)
    }

    /// `market.worker_share=0.7, market.bonus_threshold=10`.
    static func label(_ axes: [SweepAxis], _ values: [JSONValue]) -> String {
        axes.isEmpty ? "no axes" : zip(axes, values).map { "\($0.path)=\(SweepAxis.text($1))" }.joined(separator: ", ")
    }

    /// The label of a point.
    public func label(of point: SweepPoint) -> String { Self.label(spec.axes, point.values) }

    /// The run at `index` (`point * seeds + replicate`).
    public func run(_ index: Int) -> SweepRun {
        let point = index / spec.seeds
        let replicate = index % spec.seeds
        return SweepRun(index: index, point: point, replicate: replicate,
                        seed: Self.seed(base: base.seed, point: point, replicate: replicate, common: spec.commonRandomNumbers))
    }

    /// A run's seed: a stream labelled by the point and the replicate (only the replicate with common random
    /// numbers), derived from the scenario's seed; 63 bits, as a scenario seed is.
    ///
    /// It depends on nothing else, so the order runs happen in, the number of jobs, and shards cannot change it.
    public static func seed(base: UInt64, point: Int, replicate: Int, common: Bool = false) -> UInt64 {
        let label = common ? "sweep/replicate-\(replicate)" : "sweep/point-\(point)/replicate-\(replicate)"
        var stream = Xoshiro256StarStar.stream(seed: base, label: label)
        return stream.next() >> 1
    }
}
