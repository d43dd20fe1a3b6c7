import Foundation
import JSON
import Testing
@testable import Simulator

@Suite("Determinism")
struct DeterminismTests {
    private func expectIdentical(_ a: EngineRun, _ b: EngineRun, sourceLocation: SourceLocation = #_sourceLocation) {
        for name in reportFiles {
            let x = a.files[name], y = b.files[name]
            #expect(x != nil, "\(name) was not written", sourceLocation: sourceLocation)
            if let x, let y, x != y {
                Issue.record("\(name) differs: \(firstDifference(x, y))", sourceLocation: sourceLocation)
            } else if (x == nil) != (y == nil) {
                Issue.record("\(name) written by only one run", sourceLocation: sourceLocation)
            }
        }
        #expect(a.summary == b.summary, sourceLocation: sourceLocation)
    }

    @Test func sameScenarioAndSeedGiveByteIdenticalReports() throws {
        let scenario = try inlineScenario(mixedScenarioText())
        let first = try runEngine(scenario, label: "det-a")
        let second = try runEngine(scenario, label: "det-b")
        #expect(first.summary.tasksCreated > 10, "the run should have done something")
        #expect(!(first.files["events.ndjson"] ?? []).isEmpty)
        expectIdentical(first, second)
    }

    @Test func parallelRunsMatchASerialRun() throws {
        let scenario = try inlineScenario(mixedScenarioText())
        let serial = try runEngine(scenario, label: "det-serial")
        let parallel = try parallelMap([1, 2]) { i in try runEngine(scenario, label: "det-par\(i)") }
        for run in parallel { expectIdentical(serial, run) }
    }

    @Test func aDifferentSeedGivesADifferentRun() throws {
        let scenario = try inlineScenario(mixedScenarioText())
        let a = try runEngine(scenario, label: "seed-a")
        let b = try runEngine(scenario, seed: 2, label: "seed-b")
        #expect(a.summary.seed == 1 && b.summary.seed == 2)
        #expect(a.files["events.ndjson"] != b.files["events.ndjson"])
        #expect(a.files["tasks.csv"] != b.files["tasks.csv"])
        #expect(a.ints("tasks.csv", "created_at_ms") != b.ints("tasks.csv", "created_at_ms"))
        // The seed option is the same as writing the seed into the file.
        let c = try runEngine(try inlineScenario(mixedScenarioText(seed: 2)), label: "seed-c")
        #expect(c.files == b.files)
    }

    @Test func demoScenarioWithRealLoopbackHeadsIsDeterministic() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scenarios/demo.json").path
        let scenario = try ScenarioLoader.load(path: path)
        #expect(scenario.web.mode == .fixture)
        let first = try runEngine(scenario, label: "demo-a")
        let second = try runEngine(scenario, label: "demo-b")
        #expect(first.summary.tasksCreated > 20)
        #expect(first.result.ledgerBalanced)
        expectIdentical(first, second)
        // The resolvers did probe: verify tasks were answered with HEAD outcomes.
        let verify = first.rows("tasks.csv").filter { $0["task_type"] == "verify" && $0["status"] == "completed" }
        #expect(!verify.isEmpty)
    }

    @Test func fixtureWebModeGivesTheSameReportsAsSimulatedMode() throws {
        // Fixture mode sends real HEADs to a loopback server but charges the simulated latency: same outcomes.
        let simulated = try runEngine(try inlineScenario(mixedScenarioText(seed: 3, webMode: "simulated")), label: "web-sim")
        let fixture = try runEngine(try inlineScenario(mixedScenarioText(seed: 3, webMode: "fixture")), label: "web-fix")
        expectIdentical(simulated, fixture)
    }
}
