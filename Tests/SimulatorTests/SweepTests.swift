import Foundation
import JSON
import Testing
@testable import Simulator

// MARK: - Fixture

/// A tiny market (30 virtual minutes, five resolvers, ~30 tasks a run) swept over 2 x 2 points x 3 seeds.
enum SweepFixture {
    static func document(seed: Int64 = 7, sweep: JSONValue? = nil) throws -> JSONValue {
        var text = """
        {
          "name": "tiny-sweep", "seed": \(seed), "duration_seconds": 1800,
          "market": { "bonus_threshold": 1 },
          "requesters": [
            { "name": "fc", "persona": "fact_checker", "arrival": { "process": "poisson", "rate_per_hour": 40 },
              "budget_sats": { "distribution": "uniform", "min": 50, "max": 150 }, "poll_seconds": 120 },
            { "name": "rs", "persona": "research_agent", "arrival": { "process": "poisson", "rate_per_hour": 20 },
              "budget_sats": { "distribution": "fixed", "value": 100 }, "poll_seconds": 120 }
          ],
          "resolvers": [
            { "name": "ai", "persona": "fast_ai", "count": 3, "poll_seconds": 30 },
            { "name": "h", "persona": "diligent_human", "count": 2, "poll_seconds": 60, "work_seconds": { "min": 30, "max": 120 } }
          ],
          "web": { "mode": "fixture", "fixtures": [ { "url": "https://example.com/", "status": 200 },
                                                    { "url": "https://gone.example.com/", "status": 404 } ] },
          "questions": [ { "id": "q1", "question": "Is water wet?", "answer": "yes", "choices": ["yes", "no"] } ],
          "sweep": { "seeds": 3, "axes": [ { "path": "market.worker_share", "values": [0.6, 0.8] },
                                           { "path": "resolvers[0].count", "values": [2, 4] } ] }
        }
        """
        if let sweep {
            guard case .object(var members) = try JSONValue.parse(text) else { return .null }
            members["sweep"] = sweep
            text = JSONValue.object(members).serializedString()
        }
        return try JSONValue.parse(text)
    }

    static func plan(seed: Int64 = 7, sweep: JSONValue? = nil, seeds: Int? = nil) throws -> SweepPlan {
        try SweepPlan.make(document: document(seed: seed, sweep: sweep), source: "tiny.json", seeds: seeds)
    }

    static func temporaryDirectory(_ label: String) -> String {
        let path = NSTemporaryDirectory() + "sweep-tests-\(label)-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static let outputs = ["sweep.json", "runs.csv", "aggregate.csv", "summary.md", "report.html"]

    /// A reference file as text.
    static func text(_ name: String) throws -> String {
        let data = try #require(reference[name])
        return try #require(String(data: data, encoding: .utf8))
    }

    static func files(_ directory: String, _ names: [String] = outputs) -> [String: Data] {
        var out: [String: Data] = [:]
        for name in names { out[name] = FileManager.default.contents(atPath: directory + "/" + name) }
        return out
    }

    /// The files of the whole sweep run serially, computed once for every test that compares against it.
    static let reference: [String: Data] = {
        let directory = temporaryDirectory("reference")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        guard let plan = try? plan(), (try? SweepRunner.run(plan, options: SweepOptions(outputDirectory: directory, jobs: 1))) != nil else {
            return [:]
        }
        return files(directory)
    }()
}

// MARK: - Axes and points

@Suite struct SweepExpansionTests {
    @Test func gridRunsLikeAnOdometerWithTheLastAxisFastest() throws {
        let spec = SweepSpec(mode: .grid, seeds: 2, axes: [
            SweepAxis(path: try #require(SweepPath("market.worker_share")), values: [0.6, 0.7, 0.8]),
            SweepAxis(path: try #require(SweepPath("market.bonus_threshold")), values: [5, 10]),
        ])
        #expect(spec.pointCount == 6)
        #expect(spec.pointValueIndices() == [[0, 0], [0, 1], [1, 0], [1, 1], [2, 0], [2, 1]])
    }

    @Test func zipTakesTheIthValueOfEveryAxis() throws {
        let spec = SweepSpec(mode: .zip, seeds: 1, axes: [
            SweepAxis(path: try #require(SweepPath("market.worker_share")), values: [0.6, 0.7, 0.8]),
            SweepAxis(path: try #require(SweepPath("market.bonus_threshold")), values: [5, 10, 15]),
        ])
        #expect(spec.pointCount == 3)
        #expect(spec.pointValueIndices() == [[0, 0], [1, 1], [2, 2]])
    }

    @Test func noAxesIsOnePoint() {
        #expect(SweepSpec(seeds: 4).pointValueIndices() == [[]])
    }

    @Test func rangesGiveExactDecimalsAndIntegers() {
        #expect(SweepSpec.range(from: 0.6, to: 0.8, step: 0.05) == [0.6, 0.65, 0.7, 0.75, 0.8])
        #expect(SweepSpec.range(from: 1.0, to: 1.2, step: 0.1) == [1.0, 1.1, 1.2])
        #expect(SweepSpec.range(from: 5, to: 20, step: 5) == [5, 10, 15, 20])
        #expect(SweepSpec.range(from: 5, to: 21, step: 5) == [5, 10, 15, 20])
    }

    @Test func planPointsCarryTheirValuesInGridOrder() throws {
        let plan = try SweepFixture.plan()
        #expect(plan.points.count == 4)
        #expect(plan.runCount == 12)
        #expect(plan.points.map(\.values) == [[0.6, 2], [0.6, 4], [0.8, 2], [0.8, 4]])
        #expect(plan.points.map(\.scenario.market.workerSharePPM) == [600_000, 600_000, 800_000, 800_000])
        #expect(plan.points.map { $0.scenario.resolvers[0].count } == [2, 4, 2, 4])
        // The sweep's run settings: simulated web, no event log, no per-run HTML.
        #expect(plan.points.allSatisfy { $0.scenario.web.mode == .simulated && !$0.scenario.report.events && !$0.scenario.report.html })
        #expect(plan.notes.count == 1)
        #expect(plan.axisColumns == ["market_worker_share", "resolvers_0_count"])
    }

    @Test func zippedPlanPairsTheLists() throws {
        let plan = try SweepFixture.plan(sweep: ["mode": "zip", "seeds": 2, "axes": [
            ["path": "market.worker_share", "values": [0.6, 0.7, 0.8]],
            ["path": "market.bonus_threshold", "from": 5, "to": 15, "step": 5],
        ]])
        #expect(plan.points.map(\.values) == [[0.6, 5], [0.7, 10], [0.8, 15]])
        #expect(plan.runCount == 6)
    }
}

// MARK: - Paths

@Suite struct SweepPathTests {
    @Test(arguments: [
        ("market.worker_share", "market_worker_share"),
        ("resolvers[0].count", "resolvers_0_count"),
        ("requesters[1].budget_sats.max", "requesters_1_budget_sats_max"),
        ("web.fixtures[2].flaky_rate", "web_fixtures_2_flaky_rate"),
    ])
    func pathsParseAndNameTheirColumn(text: String, column: String) throws {
        let path = try #require(SweepPath(text))
        #expect(path.description == text)
        #expect(path.column == column)
    }

    @Test(arguments: ["", ".market", "market.", "market..share", "[0]", "resolvers[x]", "resolvers[0", "market share", "a.b[]"])
    func malformedPathsAreRejected(text: String) {
        #expect(SweepPath(text) == nil)
    }

    @Test func settingReachesIntoArraysAndAddsMissingFields() throws {
        let document: JSONValue = ["market": ["worker_share": 0.7], "requesters": [["name": "a"], ["name": "b", "budget_sats": ["min": 1, "max": 5]]]]
        let max = try #require(SweepPath("requesters[1].budget_sats.max")).setting(9, in: document)
        #expect(max["requesters"]?[1]?["budget_sats"]?["max"] == 9)
        #expect(max["requesters"]?[1]?["budget_sats"]?["min"] == 1)
        #expect(max["requesters"]?[0] == ["name": "a"])
        let added = try #require(SweepPath("market.bonus_threshold")).setting(15, in: document)
        #expect(added["market"] == ["worker_share": 0.7, "bonus_threshold": 15])
        let nested = try #require(SweepPath("market.reputation.completed")).setting(2, in: document)
        #expect(nested["market"]?["reputation"] == ["completed": 2])
    }

    @Test func settingReportsAMissingIndexAndAWrongContainer() throws {
        let document: JSONValue = ["market": ["worker_share": 0.7], "resolvers": [["name": "a"]]]
        #expect(throws: SweepPathError.self) { try #require(SweepPath("resolvers[3].count")).setting(1, in: document) }
        do {
            _ = try #require(SweepPath("resolvers[3].count")).setting(1, in: document)
        } catch let error as SweepPathError {
            #expect(error.description == "resolvers[3].count: resolvers has 1 element, so there is no [3]")
        }
        do {
            _ = try #require(SweepPath("market.worker_share.x")).setting(1, in: document)
            Issue.record("setting under a number must fail")
        } catch let error as SweepPathError {
            #expect(error.reason == "market.worker_share is a number, not an object")
        }
        do {
            _ = try #require(SweepPath("market[0]")).setting(1, in: document)
            Issue.record("indexing an object must fail")
        } catch let error as SweepPathError {
            #expect(error.reason == "market is an object, not an array")
        }
    }
}

// MARK: - Validation

@Suite struct SweepValidationTests {
    func problems(_ sweep: JSONValue) throws -> [String] {
        let document = try SweepFixture.document(sweep: sweep)
        do {
            _ = try ScenarioLoader.decode(document, source: "s.json")
            return []
        } catch {
            return error.problems.map(\.description)
        }
    }

    @Test func loaderChecksTheSweepBlockWithPaths() throws {
        #expect(try problems(["seeds": 0, "axes": []]) == ["sweep.seeds: must be at least 1, got 0"])
        #expect(try problems(["axes": [], "mode": "cross"]) == ["sweep.mode: must be one of grid, zip; got \"cross\""])
        #expect(try problems(["axis": []]) == ["sweep.axes: required field is missing", "sweep.axis: unknown field \"axis\"; did you mean \"axes\"?"]
            || problems(["axis": []]) == ["sweep.axis: unknown field \"axis\"; did you mean \"axes\"?", "sweep.axes: required field is missing"])
        #expect(try problems(["axes": [["path": "market worker", "values": [1]]]])
            == ["sweep.axes[0].path: must be a path like market.worker_share or resolvers[0].count, got \"market worker\""])
        #expect(try problems(["axes": [["path": "seed", "values": [1]]]]).first?.hasPrefix("sweep.axes[0].path: cannot sweep the seed") == true)
        #expect(try problems(["axes": [["path": "market.worker_share", "values": [0.6], "step": 0.1]]])
            == ["sweep.axes[0].step: give either values or from/to/step, not both"])
        #expect(try problems(["axes": [["path": "market.worker_share", "from": 0.8, "to": 0.6, "step": 0.1]]])
            == ["sweep.axes[0].to: must be at least from (0.8), got 0.6"])
        #expect(try problems(["axes": [["path": "market.worker_share", "values": []]]]) == ["sweep.axes[0].values: must not be empty"])
        #expect(try problems(["mode": "zip", "axes": [["path": "market.worker_share", "values": [0.6, 0.7]],
                                                       ["path": "market.bonus_threshold", "values": [5]]]])
            == ["sweep.axes[1]: must have as many values as sweep.axes[0] (2) in zip mode, got 1"])
        #expect(try problems(["axes": [["path": "market.worker_share", "values": [0.6]], ["path": "market.worker_share", "values": [0.7]]]])
            == ["sweep.axes[1].path: duplicate axis path \"market.worker_share\" (also at sweep.axes[0])"])
    }

    @Test func aPointTheLoaderRejectsIsReportedWithItsValues() throws {
        func lines(_ axes: JSONValue) throws -> [String] {
            do {
                _ = try SweepFixture.plan(sweep: ["axes": axes])
                return []
            } catch let error as SweepError {
                return error.lines
            }
        }
        #expect(try lines([["path": "market.worker_share", "values": [0.7, 1.5]]])
            == ["tiny.json: point 1 (market.worker_share=1.5): market.worker_share: must be between 0 and 1, got 1.5"])
        #expect(try lines([["path": "market.workr_share", "values": [0.7]]])
            == ["tiny.json: point 0 (market.workr_share=0.7): market.workr_share: unknown field \"workr_share\"; did you mean \"worker_share\"?"])
        #expect(try lines([["path": "resolvers[5].count", "values": [1, 2]]])
            == ["tiny.json: sweep.axes[0].path: resolvers[5].count: resolvers has 2 elements, so there is no [5]"])
        // A problem every point shares is said once.
        #expect(try lines([["path": "market.worker_share", "values": [0.6, 0.7]], ["path": "market.bonus_multipler", "values": [1.1]]])
            == ["tiny.json: point 0 (market.worker_share=0.6, market.bonus_multipler=1.1): market.bonus_multipler: unknown field \"bonus_multipler\"; did you mean \"bonus_multiplier\"? (and at 1 more point)"])
    }

    @Test func liveWebIsRefused() throws {
        var document = try SweepFixture.document()
        document = try #require(SweepPath("web.mode")).setting("live", in: document)
        #expect(throws: SweepError.self) { try SweepPlan.make(document: document, source: "s.json") }
    }
}

// MARK: - Seeds

@Suite struct SweepSeedTests {
    @Test func eachRunsSeedComesFromThePointAndReplicateOnly() throws {
        let plan = try SweepFixture.plan()
        let seeds = (0..<plan.runCount).map { plan.run($0).seed }
        #expect(Set(seeds).count == seeds.count)
        #expect(seeds.allSatisfy { $0 <= UInt64(Int64.max) })
        for i in 0..<plan.runCount {
            let run = plan.run(i)
            #expect(run.index == run.point * 3 + run.replicate)
            #expect(run.seed == SweepPlan.seed(base: 7, point: run.point, replicate: run.replicate))
        }
        // Another number of seeds changes the run indices but not the seed of (point, replicate).
        let more = try SweepFixture.plan(seeds: 5)
        #expect(more.run(1 * 5 + 2).seed == plan.run(1 * 3 + 2).seed)
        // The scenario's seed is the root.
        #expect(try SweepFixture.plan(seed: 8).run(0).seed != plan.run(0).seed)
    }

    @Test func commonRandomNumbersShareSeedsAcrossPoints() throws {
        let plan = try SweepFixture.plan(sweep: ["seeds": 2, "common_random_numbers": true,
                                                 "axes": [["path": "market.worker_share", "values": [0.6, 0.8]]]])
        #expect(plan.run(0).seed == plan.run(2).seed)
        #expect(plan.run(1).seed == plan.run(3).seed)
        #expect(plan.run(0).seed != plan.run(1).seed)
    }

    @Test func runsCsvRowsReadBackEqual() throws {
        let plan = try SweepFixture.plan()
        let figures: [Double?] = SweepMetrics.all.map { $0.kind == .flag ? 1 : 0.1234567 }
        let row = SweepTable.row(plan, run: plan.run(5), figures: figures)
        #expect(try SweepTable.parse(row.line, plan: plan).get() == row)
        #expect(row.line.hasPrefix("1,2,\(plan.run(5).seed),0.6,4,0,0.123457,"))
        // A row with another seed is not this sweep's.
        let forged = row.line.replacingOccurrences(of: String(plan.run(5).seed), with: "42")
        #expect(throws: SweepError.self) { try SweepTable.parse(forged, plan: plan).get() }
        #expect(SweepTable.splitCSV("a,\"b,\"\"c\"\"\",") == ["a", "b,\"c\"", ""])
    }
}

// MARK: - Statistics

@Suite struct SweepStatisticsTests {
    @Test func confidenceIntervalOfOneToTen() {
        let e = SweepEstimate((1...10).map { Double($0) })
        #expect(e.n == 10)
        #expect(e.mean == 5.5)
        #expect(abs((e.sd ?? 0) - 3.0276503541) < 1e-9)
        #expect(abs((e.halfWidth ?? 0) - 2.1658506) < 1e-6)
        #expect(abs((e.ciLow ?? 0) - 3.3341494) < 1e-6)
        #expect(abs((e.ciHigh ?? 0) - 7.6658506) < 1e-6)
    }

    @Test func missingFiguresAreLeftOutAndSmallSamplesHaveNoInterval() {
        let e = SweepEstimate([2, nil, 4])
        #expect(e.n == 2 && e.mean == 3)
        #expect(abs((e.halfWidth ?? 0) - 12.7062047362 * 2.0.squareRoot() / 2.0.squareRoot()) < 1e-9)
        let one = SweepEstimate([7])
        #expect(one.mean == 7 && one.sd == nil && one.ciLow == nil)
        #expect(SweepEstimate([nil]).mean == nil)
    }

    @Test(arguments: [(1, 12.7062047362), (2, 4.3026527297), (9, 2.2621571628), (30, 2.0422724563),
                      (31, 2.0395134464), (40, 2.0210753903), (60, 2.0002978220), (120, 1.9799304051), (1000, 1.9623390808)])
    func tQuantilesMatchReferenceValues(df: Int, expected: Double) {
        #expect(abs(SweepStatistics.tQuantile975(degreesOfFreedom: df) - expected) < 1e-6)
    }
}

// MARK: - Running

@Suite(.serialized) struct SweepRunTests {
    @Test func serialAndParallelSweepsWriteTheSameBytes() throws {
        #expect(!SweepFixture.reference.isEmpty)
        let directory = SweepFixture.temporaryDirectory("parallel")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let outcome = try SweepRunner.run(try SweepFixture.plan(), options: SweepOptions(outputDirectory: directory, jobs: 4))
        #expect(outcome.ran == 12 && outcome.failures.isEmpty)
        #expect(SweepFixture.files(directory) == SweepFixture.reference)
        // No scratch directory is left behind.
        let left = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        #expect(left == SweepFixture.outputs.sorted())
        // Every run balanced its ledger.
        let ledger = try #require(SweepMetrics.index(of: "ledger_balanced"))
        #expect(outcome.rows.allSatisfy { $0.figures[ledger] == 1 })
    }

    @Test func resumeRunsOnlyTheMissingRowsAndGivesTheSameBytes() throws {
        let directory = SweepFixture.temporaryDirectory("resume")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for (name, data) in SweepFixture.reference { _ = FileManager.default.createFile(atPath: directory + "/" + name, contents: data) }
        let text = try SweepFixture.text("runs.csv")
        var lines = text.split(separator: "\n").map(String.init)
        // An interrupted sweep: rows out of order, three missing, the last one cut short by the crash.
        let cut = lines.removeLast()
        lines.remove(at: 7)
        lines.remove(at: 3)
        lines.swapAt(1, 2)
        let damaged = lines.joined(separator: "\n") + "\n" + cut.prefix(20)
        try damaged.write(toFile: directory + "/runs.csv", atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(atPath: directory + "/aggregate.csv")

        let outcome = try SweepRunner.run(try SweepFixture.plan(), options: SweepOptions(outputDirectory: directory, jobs: 2, resume: true))
        #expect(outcome.ran == 3)
        #expect(outcome.resumed == 9)
        #expect(outcome.dropped == 1)
        #expect(SweepFixture.files(directory) == SweepFixture.reference)
    }

    @Test func resumeRefusesAnotherSweepsRows() throws {
        let directory = SweepFixture.temporaryDirectory("foreign")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for (name, data) in SweepFixture.reference { _ = FileManager.default.createFile(atPath: directory + "/" + name, contents: data) }
        #expect(throws: SweepError.self) {
            try SweepRunner.run(try SweepFixture.plan(seed: 99), options: SweepOptions(outputDirectory: directory, resume: true))
        }
    }

    @Test func shardsMergeIntoTheBytesOfOneSweep() throws {
        let root = SweepFixture.temporaryDirectory("shards")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let plan = try SweepFixture.plan()
        for i in 0..<2 {
            let outcome = try SweepRunner.run(plan, options: SweepOptions(outputDirectory: root + "/cluster", jobs: 2, shard: SweepShard(index: i, count: 2)))
            #expect(outcome.rows.map(\.run) == (0..<12).filter { $0 % 2 == i })
        }
        let merged = try SweepMerge.merge([root + "/cluster"], outputDirectory: root + "/merged")
        #expect(merged.inputs.count == 2)
        #expect(SweepFixture.files(root + "/merged") == SweepFixture.reference)

        // The same shard twice: duplicate runs.
        try FileManager.default.createDirectory(atPath: root + "/copy", withIntermediateDirectories: true)
        for name in ["runs-shard-0-of-2.csv", "sweep-shard-0-of-2.json"] {
            try FileManager.default.copyItem(atPath: root + "/cluster/" + name, toPath: root + "/copy/" + name)
        }
        let duplicate = mergeError([root + "/cluster", root + "/copy"], root + "/bad")
        #expect(duplicate.contains { $0.contains("is a duplicate") })

        // One shard alone: the gap is listed.
        let missing = mergeError([root + "/copy"], root + "/bad")
        #expect(missing == ["missing 6 of 12 runs: run 1, run 3, run 5, run 7, run 9, run 11 (shards not given: 1/2)"])

        // A shard of another sweep (another seed, so another scenario hash).
        let other = try SweepFixture.plan(seed: 8)
        _ = try SweepRunner.run(other, options: SweepOptions(outputDirectory: root + "/other", jobs: 2, shard: SweepShard(index: 1, count: 2)))
        let foreign = mergeError([root + "/copy/runs-shard-0-of-2.csv", root + "/other/runs-shard-1-of-2.csv"], root + "/bad")
        #expect(foreign.contains { $0.contains("is from another sweep") })
        #expect(!FileManager.default.fileExists(atPath: root + "/bad/runs.csv"))
    }

    private func mergeError(_ inputs: [String], _ out: String) -> [String] {
        do {
            _ = try SweepMerge.merge(inputs, outputDirectory: out)
            Issue.record("the merge should have failed")
            return []
        } catch {
            return error.lines
        }
    }

    @Test func theReportAnswersTheQuestion() throws {
        let summary = try SweepFixture.text("summary.md")
        #expect(summary.contains("## The answer"))
        #expect(summary.contains("points pass both tests"))
        let html = try SweepFixture.text("report.html")
        #expect(html.contains("<svg") && !html.contains("<script"))
        let aggregate = try SweepFixture.text("aggregate.csv")
        #expect(aggregate.split(separator: "\n").count == 1 + 4 * SweepMetrics.all.count)
    }
}
