import Foundation
import JSON
import Lightning
import Market
import Testing
@testable import Simulator

// MARK: - Support

/// A small valid scenario that validation cases edit one field at a time.
private let baseText = """
{
  "name": "base",
  "seed": 7,
  "duration_seconds": 3600,
  "requesters": [
    { "name": "research", "persona": "research_agent" },
    { "name": "facts", "persona": "fact_checker", "budget_sats": { "distribution": "uniform", "min": 10, "max": 20 } }
  ],
  "resolvers": [
    { "name": "alice", "persona": "diligent_human" },
    { "name": "bot", "persona": "fast_ai" }
  ],
  "web": { "fixtures": [ { "url": "https://a.example/" }, { "url": "https://b.example/", "redirect_to": "https://a.example/" } ] },
  "questions": [ { "id": "q1", "question": "Is water wet?", "answer": "yes", "choices": ["yes", "no"] } ]
}
"""

private func baseDocument() throws -> JSONValue { try JSONValue.parse(baseText) }

/// `value` with the member at `path` ("resolvers.0.accuracy") replaced, added, or removed (`nil`).
private func editing(_ value: JSONValue, _ path: String, _ newValue: JSONValue?) -> JSONValue {
    editing(value, path.split(separator: ".").map(String.init)[...], newValue)
}

private func editing(_ value: JSONValue, _ path: ArraySlice<String>, _ newValue: JSONValue?) -> JSONValue {
    guard let head = path.first else { return newValue ?? .null }
    let rest = path.dropFirst()
    switch value {
    case .array(var elements):
        guard let index = Int(head), index >= 0, index <= elements.count else { return value }
        if index == elements.count {
            if let newValue, rest.isEmpty { elements.append(newValue) }
        } else if rest.isEmpty && newValue == nil {
            elements.remove(at: index)
        } else {
            elements[index] = editing(elements[index], rest, newValue)
        }
        return .array(elements)
    case .object(var members):
        if rest.isEmpty {
            members[head] = newValue
        } else {
            members[head] = editing(members[head] ?? .object([:]), rest, newValue)
        }
        return .object(members)
    default:
        return value
    }
}

/// The problems of a document as `path: reason` lines, or `[]` when it is valid.
private func problems(_ text: String) -> [String] {
    do {
        _ = try ScenarioLoader.parse(Array(text.utf8), source: "test.json")
        return []
    } catch {
        return error.problems.map(\.description)
    }
}

private func problems(_ document: JSONValue) -> [String] { problems(document.serializedString(pretty: true)) }

// MARK: - Valid scenarios

@Suite struct ScenarioParsingTests {
    @Test func fullScenarioParsesEveryFieldAsWritten() throws {
        let text = """
        {
          "name": "full_run-1",
          "description": "every field",
          "seed": 9223372036854775807,
          "start_time": "2026-03-04T05:06:07.250Z",
          "duration_seconds": 7200.5,
          "drain_seconds": 60,
          "market": {
            "mode": "strict", "worker_share": 0.65, "bonus_multiplier": 1.25, "bonus_threshold": 4,
            "reputation": { "completed": 2, "abandoned": -3, "rejected": -4, "floor": -5, "trusted_from": 1, "expert_above": 6 },
            "claim_lease_seconds": 300, "task_ttl_seconds": 1800, "auto_release_delay_seconds": 2.5,
            "review_window_seconds": 900, "payout_max_attempts": 7, "payout_retry_base_seconds": 0.5
          },
          "lightning": { "platform_liquidity_sats": 5000, "requester_balance_sats": 0 },
          "requesters": [
            { "name": "research", "persona": "research_agent", "count": 2,
              "arrival": { "process": "poisson", "rate_per_hour": 30 },
              "budget_sats": { "distribution": "uniform", "min": 50, "max": 200 },
              "trust_mode": "auto", "worker_type": "ai", "poll_seconds": 15, "pay_real_l402": true, "review_reject_below": 0.25 },
            { "name": "Facts_2", "persona": "fact_checker",
              "arrival": { "process": "fixed", "at_seconds": [0, 60.5, 90] },
              "budget_sats": { "distribution": "fixed", "value": 100 } },
            { "name": "ops", "persona": "ops_agent",
              "arrival": { "process": "burst", "every_seconds": 600, "size": 20, "jitter_seconds": 30 },
              "budget_sats": { "distribution": "lognormal", "median": 100, "sigma": 0.5, "min": 1, "max": 100000 } },
            { "name": "judge", "persona": "judgment_seeker",
              "budget_sats": { "distribution": "choice", "values": [100, 500], "weights": [0.8, 0.2] } }
          ],
          "resolvers": [
            { "name": "alice", "persona": "diligent_human", "count": 3, "type": "hybrid", "accuracy": 0.5,
              "poll_seconds": 5, "work_seconds": { "min": 60, "max": 300 }, "budget_floor_sats": 10,
              "task_types": ["answer", "verify"], "abandon_rate": 0.1, "proof_rate": 0.75, "confidence_bias": -0.5 }
          ],
          "web": {
            "mode": "fixture", "timeout_ms": 500,
            "fixtures": [
              { "url": "https://example.com/", "status": 200, "latency_ms": 120, "flaky_rate": 0.1, "redirect_to": null },
              { "url": "http://old.example.com/x", "status": 301, "latency_ms": 0, "flaky_rate": 0, "redirect_to": "https://example.com/" }
            ]
          },
          "questions": [
            { "id": "q-capital-fr", "question": "Is Paris the capital of France?", "answer": "yes",
              "choices": ["yes", "no"], "difficulty": 0.1, "task_type": "answer" },
            { "id": "q-unblock", "question": "Which port?", "answer": "8080", "task_type": "unblock" },
            { "id": "q-judge", "question": "Better name?", "answer": "b", "choices": ["a", "b"], "task_type": "judge" }
          ],
          "report": { "timeline_bucket_seconds": 60, "transcript": "summary", "html": false }
        }
        """
        let scenario = try ScenarioLoader.parse(Array(text.utf8), source: "full.json")
        let expected = Scenario(
            name: "full_run-1", description: "every field", seed: 9_223_372_036_854_775_807,
            startTime: Instant(milliseconds: 1_772_600_767_250), durationMs: 7_200_500, drainMs: 60_000,
            market: MarketSettings(
                mode: .strict, workerSharePPM: 650_000, bonusMultiplierPPM: 1_250_000, bonusThreshold: 4,
                reputation: ReputationRules(completedDelta: 2, abandonedDelta: -3, rejectedDelta: -4, floor: -5,
                                            trustedFrom: 1, expertAbove: 6),
                claimLeaseMs: 300_000, taskTTLMs: 1_800_000, autoReleaseDelayMs: 2_500, reviewWindowMs: 900_000,
                payoutMaxAttempts: 7, payoutRetryBaseMs: 500),
            lightning: LightningSettings(platformLiquiditySats: 5000, requesterBalanceSats: 0),
            requesters: [
                RequesterGroup(name: "research", persona: .researchAgent, count: 2, arrival: .poisson(ratePerHour: 30),
                               budget: .uniform(min: 50, max: 200), trustMode: .auto, workerType: .ai, pollMs: 15_000,
                               payRealL402: true, reviewRejectBelow: 0.25),
                RequesterGroup(name: "Facts_2", persona: .factChecker, arrival: .fixed(atMs: [0, 60_500, 90_000]),
                               budget: .fixed(sats: 100)),
                RequesterGroup(name: "ops", persona: .opsAgent, arrival: .burst(everyMs: 600_000, size: 20, jitterMs: 30_000),
                               budget: .lognormal(median: 100, sigma: 0.5, min: 1, max: 100_000)),
                RequesterGroup(name: "judge", persona: .judgmentSeeker, budget: .choice(values: [100, 500], weights: [0.8, 0.2])),
            ],
            resolvers: [
                ResolverGroup(name: "alice", persona: .diligentHuman, count: 3, type: .hybrid, accuracy: 0.5, pollMs: 5_000,
                              workMs: 60_000...300_000, budgetFloorSats: 10, taskTypes: [.answer, .verify],
                              abandonRate: 0.1, proofRate: 0.75, confidenceBias: -0.5),
            ],
            web: WebSettings(mode: .fixture, timeoutMs: 500, fixtures: [
                WebFixtureSpec(url: "https://example.com/", status: 200, latencyMs: 120, flakyRate: 0.1, redirectTo: nil),
                WebFixtureSpec(url: "http://old.example.com/x", status: 301, latencyMs: 0, flakyRate: 0,
                               redirectTo: "https://example.com/"),
            ]),
            questions: [
                Question(id: "q-capital-fr", question: "Is Paris the capital of France?", answer: "yes",
                         choices: ["yes", "no"], difficulty: 0.1, taskType: .answer),
                Question(id: "q-unblock", question: "Which port?", answer: "8080", taskType: .unblock),
                Question(id: "q-judge", question: "Better name?", answer: "b", choices: ["a", "b"], taskType: .judge),
            ],
            report: ReportSettings(timelineBucketMs: 60_000, transcript: .summary, html: false))
        #expect(scenario == expected)
        #expect(scenario.startTime.iso8601 == "2026-03-04T05:06:07.250Z")
        #expect(scenario.requesters[0].agentNames == ["research-1", "research-2"])
        #expect(scenario.web.finalStatus(of: "http://old.example.com/x") == 200)
        #expect(scenario.drainEndTime.milliseconds == scenario.startTime.milliseconds + 7_260_500)
    }

    @Test func minimalScenarioGetsEveryDefault() throws {
        let text = """
        { "name": "mini", "seed": 0, "duration_seconds": 60,
          "requesters": [ { "name": "facts", "persona": "fact_checker" } ],
          "resolvers": [ { "name": "alice", "persona": "diligent_human" } ],
          "questions": [ { "id": "q", "question": "?", "answer": "42" } ] }
        """
        let scenario = try ScenarioLoader.parse(Array(text.utf8), source: "mini.json")
        #expect(scenario.description == "")
        #expect(scenario.seed == 0)
        #expect(scenario.startTime.iso8601 == "2026-01-01T00:00:00.000Z")
        #expect(scenario.durationMs == 60_000)
        #expect(scenario.drainMs == 0)
        #expect(scenario.market == MarketSettings(mode: .demo, workerSharePPM: 700_000, bonusMultiplierPPM: 1_100_000,
                                                  bonusThreshold: 10, reputation: .default, claimLeaseMs: 600_000,
                                                  taskTTLMs: 86_400_000, autoReleaseDelayMs: 0, reviewWindowMs: 3_600_000,
                                                  payoutMaxAttempts: 5, payoutRetryBaseMs: 1_000))
        #expect(scenario.marketConfiguration() == MarketConfiguration.default)
        #expect(scenario.lightning == LightningSettings(platformLiquiditySats: 100_000_000, requesterBalanceSats: 10_000_000))
        #expect(scenario.web == WebSettings(mode: .simulated, timeoutMs: 2000, fixtures: []))
        #expect(scenario.report == ReportSettings(timelineBucketMs: 300_000, transcript: .full, html: true))
        #expect(scenario.questions == [Question(id: "q", question: "?", answer: "42", choices: [], difficulty: 0.5,
                                                taskType: .answer)])
        let requester = try #require(scenario.requesters.first)
        #expect(requester.count == 1)
        #expect(requester.arrival == .poisson(ratePerHour: 20))
        #expect(requester.budget == .uniform(min: 20, max: 100))
        #expect(requester.trustMode == .auto)
        #expect(requester.workerType == .any)
        #expect(requester.pollMs == 30_000)
        #expect(requester.payRealL402 == true)
        #expect(requester.reviewRejectBelow == 0)
        #expect(requester.taskTypes == [.answer])
        let resolver = try #require(scenario.resolvers.first)
        #expect(resolver == ResolverGroup(name: "alice", persona: .diligentHuman, count: 1, type: .human, accuracy: 0.95,
                                          pollMs: 20_000, workMs: 120_000...600_000, budgetFloorSats: 0,
                                          taskTypes: TaskType.allCases, abandonRate: 0.01, proofRate: 1.0,
                                          confidenceBias: 0))
        #expect(resolver.agentNames == ["alice-1"])
    }

    struct ResolverDefaultRow: Sendable, CustomTestStringConvertible {
        var persona: String
        var type: WorkerKind
        var accuracy: Double
        var workMs: ClosedRange<Int64>
        var proofRate: Double
        var abandonRate: Double
        var confidenceBias: Double
        var budgetFloorSats: Int64
        var taskTypes: [TaskType]
        var testDescription: String { persona }
    }

    static let resolverDefaultRows: [ResolverDefaultRow] = [
        .init(persona: "diligent_human", type: .human, accuracy: 0.95, workMs: 120_000...600_000, proofRate: 1.0,
              abandonRate: 0.01, confidenceBias: 0, budgetFloorSats: 0, taskTypes: TaskType.allCases),
        .init(persona: "fast_ai", type: .ai, accuracy: 0.85, workMs: 2_000...20_000, proofRate: 0.9,
              abandonRate: 0, confidenceBias: 0, budgetFloorSats: 0, taskTypes: [.verify, .answer]),
        .init(persona: "hybrid", type: .hybrid, accuracy: 0.92, workMs: 30_000...180_000, proofRate: 1.0,
              abandonRate: 0.01, confidenceBias: 0, budgetFloorSats: 0, taskTypes: TaskType.allCases),
        .init(persona: "sloppy_worker", type: .human, accuracy: 0.6, workMs: 10_000...60_000, proofRate: 0.3,
              abandonRate: 0.05, confidenceBias: 0.2, budgetFloorSats: 0, taskTypes: TaskType.allCases),
        .init(persona: "claim_abandoner", type: .ai, accuracy: 0.8, workMs: 5_000...30_000, proofRate: 0.8,
              abandonRate: 0.6, confidenceBias: 0, budgetFloorSats: 0, taskTypes: [.verify, .answer]),
        .init(persona: "cherry_picker", type: .human, accuracy: 0.9, workMs: 60_000...300_000, proofRate: 1.0,
              abandonRate: 0.02, confidenceBias: 0, budgetFloorSats: 150, taskTypes: TaskType.allCases),
    ]

    @Test(arguments: resolverDefaultRows)
    func resolverPersonaDefaultsApplyWhenFieldsAreAbsent(_ row: ResolverDefaultRow) throws {
        let document = editing(try baseDocument(), "resolvers.1", ["name": "x", "persona": .string(row.persona)])
        let scenario = try ScenarioLoader.decode(document, source: "t")
        let group = scenario.resolvers[1]
        #expect(group.persona.rawValue == row.persona)
        #expect(group.type == row.type)
        #expect(group.accuracy == row.accuracy)
        #expect(group.workMs == row.workMs)
        #expect(group.proofRate == row.proofRate)
        #expect(group.abandonRate == row.abandonRate)
        #expect(group.confidenceBias == row.confidenceBias)
        #expect(group.budgetFloorSats == row.budgetFloorSats)
        #expect(group.taskTypes == row.taskTypes)
        #expect(group.count == 1 && group.pollMs == 20_000)
    }

    @Test(arguments: [
        ("research_agent", TrustMode.proofRequired, WorkerRequirement.any, [TaskType.verify]),
        ("fact_checker", .auto, .any, [.answer]),
        ("ops_agent", .review, .hybrid, [.unblock]),
        ("judgment_seeker", .review, .human, [.judge]),
    ])
    func requesterPersonaDefaultsApplyWhenFieldsAreAbsent(_ persona: String, _ trust: TrustMode,
                                                          _ workers: WorkerRequirement, _ types: [TaskType]) throws {
        var document = editing(try baseDocument(), "requesters.1", ["name": "x", "persona": .string(persona)])
        document = editing(document, "questions", [
            ["id": "a", "question": "?", "answer": "y", "task_type": "answer"],
            ["id": "j", "question": "?", "answer": "y", "task_type": "judge"],
            ["id": "u", "question": "?", "answer": "y", "task_type": "unblock"],
        ])
        let group = try ScenarioLoader.decode(document, source: "t").requesters[1]
        let defaults = try #require(RequesterPersona(rawValue: persona)).defaults
        #expect(group.trustMode == trust)
        #expect(group.workerType == workers)
        #expect(group.taskTypes == types)
        #expect(group.arrival == defaults.arrival)
        #expect(group.budget == defaults.budget)
    }

    @Test func opsAgentsGetHigherDefaultBudgetsThanOtherRequesters() {
        func ceiling(_ budget: BudgetDistribution) -> Int64 {
            switch budget {
            case .fixed(let sats): return sats
            case .uniform(_, let max), .lognormal(_, _, _, let max): return max
            case .choice(let values, _): return values.max() ?? 0
            }
        }
        let ops = RequesterPersona.opsAgent.defaults.budget
        guard case .lognormal(let median, _, _, _) = ops else {
            Issue.record("ops_agent's default budget is \(ops)")
            return
        }
        for persona in RequesterPersona.allCases where persona != .opsAgent {
            #expect(median > Double(ceiling(persona.defaults.budget)), "\(persona)")
        }
    }

    @Test func documentedExampleParses() throws {
        // The annotated example in docs/scenarios.md, with its `//` comments removed, is a valid scenario.
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/scenarios.md")
        let markdown = try String(contentsOf: docs, encoding: .utf8)
        let start = try #require(markdown.range(of: "```jsonc\n"))
        let end = try #require(markdown.range(of: "\n```", range: start.upperBound..<markdown.endIndex))
        let json = markdown[start.upperBound..<end.lowerBound].split(separator: "\n", omittingEmptySubsequences: false)
            .map { line in line.replacing(/(^|\s)\/\/.*$/, with: "") }
            .joined(separator: "\n")
        let scenario = try ScenarioLoader.parse(Array(json.utf8), source: "docs/scenarios.md")
        #expect(scenario.name == "demo")
        #expect(scenario.requesters.map(\.agentNames) == [["research-1", "research-2"]])
        #expect(scenario.resolvers.first?.workMs == 60_000...300_000)
        #expect(scenario.web.finalStatus(of: "https://example.com/") == 200)
    }

    @Test func marketBlockMapsOntoTheMarketConfiguration() throws {
        let document = editing(try baseDocument(), "market", [
            "mode": "strict", "worker_share": 0.8, "bonus_multiplier": 1.5, "bonus_threshold": 3,
            "claim_lease_seconds": 30, "task_ttl_seconds": 90, "auto_release_delay_seconds": 1,
            "review_window_seconds": 45, "payout_max_attempts": 2, "payout_retry_base_seconds": 3,
        ])
        let config = try ScenarioLoader.decode(document, source: "t").marketConfiguration()
        #expect(config.mode == .strict)
        #expect(config.fees == FeePolicy(workerSharePPM: 800_000, bonusMultiplierPPM: 1_500_000, bonusThreshold: 3))
        #expect(config.timing == MarketTiming(claimLeaseMs: 30_000, taskTTLMs: 90_000, autoReleaseDelayMs: 1_000,
                                              reviewWindowMs: 45_000, challengeTTLMs: MarketTiming.default.challengeTTLMs))
        #expect(config.payoutMaxAttempts == 2)
        #expect(config.payoutRetryBaseMs == 3_000)
        #expect(config.reputation == .default)
        #expect(config.serviceName == MarketConfiguration.default.serviceName)
    }

    @Test func durationsRoundToTheNearestMillisecond() throws {
        let document = editing(try baseDocument(), "duration_seconds", 0.0015)
        #expect(try ScenarioLoader.decode(document, source: "t").durationMs == 2)
    }

    @Test func integralDecimalsCountAsIntegers() throws {
        let document = editing(try baseDocument(), "seed", 42.0)
        #expect(try ScenarioLoader.decode(document, source: "t").seed == 42)
    }

    @Test func loadReadsAFileAndNamesItInProblems() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("scenario-tests-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let good = directory.appendingPathComponent("good.json").path
        try Data(baseText.utf8).write(to: URL(fileURLWithPath: good))
        #expect(try ScenarioLoader.load(path: good).name == "base")

        let bad = directory.appendingPathComponent("bad.json").path
        try Data(baseText.replacingOccurrences(of: "\"seed\": 7", with: "\"seed\": -7").utf8).write(to: URL(fileURLWithPath: bad))
        #expect(throws: ScenarioError.self) { try ScenarioLoader.load(path: bad) }
        do {
            _ = try ScenarioLoader.load(path: bad)
        } catch {
            #expect(error.description == "\(bad): seed: must be between 0 and 9223372036854775807, got -7")
        }
    }
}

// MARK: - Validation messages

/// One rule: an edit of the base scenario and the exact problems it must produce.
struct ValidationCase: Sendable, CustomTestStringConvertible {
    var rule: String
    var edits: [(path: String, value: JSONValue?)]
    var expected: [String]

    init(_ rule: String, _ edits: [(path: String, value: JSONValue?)], _ expected: [String]) {
        self.rule = rule
        self.edits = edits
        self.expected = expected
    }

    var testDescription: String { rule }
}

@Suite struct ScenarioValidationTests {
    static let cases: [ValidationCase] = [
        // Required fields and types.
        .init("missing required field", [("seed", nil)], ["seed: required field is missing"]),
        .init("missing required agent field", [("resolvers.1.persona", nil)], ["resolvers[1].persona: required field is missing"]),
        .init("number of the wrong type", [("resolvers.0.accuracy", "high")], ["resolvers[0].accuracy: must be a number, got a string"]),
        .init("integer of the wrong type", [("requesters.0.count", [1])], ["requesters[0].count: must be an integer, got an array"]),
        .init("integer with a fraction", [("requesters.0.count", 2.5)], ["requesters[0].count: must be an integer, got 2.5"]),
        .init("string of the wrong type", [("name", 5)], ["name: must be a string, got an integer"]),
        .init("boolean of the wrong type", [("report", ["html": "yes"])], ["report.html: must be a boolean, got a string"]),
        .init("object of the wrong type", [("market", nil), ("lightning", "lots")], ["lightning: must be an object, got a string"]),
        .init("array of the wrong type", [("resolvers", ["name": "x"])], ["resolvers: must be an array, got an object"]),
        .init("null where a value is expected", [("description", nil), ("web.timeout_ms", .null)], ["web.timeout_ms: must be an integer, got null"]),
        // Ranges.
        .init("rate out of range", [("resolvers.0.accuracy", 1.4)], ["resolvers[0].accuracy: must be between 0 and 1, got 1.4"]),
        .init("bias out of range", [("resolvers.0.confidence_bias", -1.5)], ["resolvers[0].confidence_bias: must be between -1 and 1, got -1.5"]),
        .init("duration must be positive", [("duration_seconds", 0)], ["duration_seconds: must be greater than 0, got 0"]),
        .init("duration has a ceiling", [("drain_seconds", 2e9)], ["drain_seconds: must be at most 1000000000, got 2000000000.0"]),
        .init("sub-millisecond duration", [("market.claim_lease_seconds", 0.0001)], ["market.claim_lease_seconds: must be at least 0.001 (1 ms), got 0.0001"]),
        .init("seed must not be negative", [("seed", -1)], ["seed: must be between 0 and 9223372036854775807, got -1"]),
        .init("seed beyond Int64", [("seed", 1e19)], ["seed: must be between 0 and 9223372036854775807, got 1e+19"]),
        .init("count must be at least one", [("resolvers.0.count", 0)], ["resolvers[0].count: must be at least 1, got 0"]),
        .init("worker share above one", [("market", ["worker_share": 1.01])], ["market.worker_share: must be between 0 and 1, got 1.01"]),
        .init("bonus multiplier below one", [("market", ["bonus_multiplier": 0.9])], ["market.bonus_multiplier: must be between 1 and 10, got 0.9"]),
        .init("negative bonus threshold", [("market", ["bonus_threshold": -1])], ["market.bonus_threshold: must be at least 0, got -1"]),
        .init("payout attempts at least one", [("market", ["payout_max_attempts": 0])], ["market.payout_max_attempts: must be between 1 and 100, got 0"]),
        .init("count has a ceiling", [("resolvers.0.count", 10_001)], ["resolvers[0].count: must be at most 10000, got 10001"]),
        .init("negative liquidity", [("lightning", ["platform_liquidity_sats": -5])], ["lightning.platform_liquidity_sats: must be at least 0, got -5"]),
        .init("web timeout must be positive", [("web.timeout_ms", 0)], ["web.timeout_ms: must be greater than 0, got 0"]),
        .init("fixture status out of range", [("web.fixtures.0.status", 700)], ["web.fixtures[0].status: must be between 100 and 599, got 700"]),
        .init("question difficulty out of range", [("questions.0.difficulty", 2)], ["questions[0].difficulty: must be between 0 and 1, got 2"]),
        .init("reputation tiers out of order", [("market", ["reputation": ["trusted_from": 5, "expert_above": 4]])],
              ["market.reputation.expert_above: must be at least trusted_from (5), got 4"]),
        .init("trusted tier above the default expert bound", [("market", ["reputation": ["trusted_from": 11]])],
              ["market.reputation.trusted_from: must be at most expert_above (10), got 11"]),
        .init("trusted tier below the floor", [("market", ["reputation": ["floor": -2, "trusted_from": -3]])],
              ["market.reputation.trusted_from: must be at least floor (-2), got -3"]),
        .init("reputation floor above zero", [("market", ["reputation": ["floor": 1]])], ["market.reputation.floor: must be at most 0, got 1"]),
        .init("work time max below min", [("resolvers.0.work_seconds", ["min": 60, "max": 30])], ["resolvers[0].work_seconds.max: must be at least min (60), got 30"]),
        .init("work time needs both bounds", [("resolvers.0.work_seconds", ["min": 60])], ["resolvers[0].work_seconds.max: required field is missing"]),
        // Unknown keys.
        .init("unknown field with a suggestion", [("resolvers.0.acuracy", 0.9)], [#"resolvers[0].acuracy: unknown field "acuracy"; did you mean "accuracy"?"#]),
        .init("unknown field with a swapped pair", [("market", ["wokrer_share": 0.5])], [#"market.wokrer_share: unknown field "wokrer_share"; did you mean "worker_share"?"#]),
        .init("unknown field without a suggestion", [("colour", "red")], [#"colour: unknown field "colour""#]),
        .init("unknown field with an odd key", [("a b", 1)], [#"["a b"]: unknown field "a b""#]),
        .init("a sweep block needs its axes", [("sweep", [:])], [#"sweep.axes: required field is missing"#]),
        .init("sweep seeds are at least 1", [("sweep", ["seeds": 0, "axes": []])], [#"sweep.seeds: must be at least 1, got 0"#]),
        .init("field of another distribution", [("requesters.1.budget_sats.median", 5)], [#"requesters[1].budget_sats.median: unknown field "median" for distribution "uniform""#]),
        // Enums.
        .init("unknown resolver persona", [("resolvers.0.persona", "diligent")],
              [#"resolvers[0].persona: must be one of diligent_human, fast_ai, hybrid, sloppy_worker, claim_abandoner, cherry_picker; got "diligent""#]),
        .init("unknown requester persona", [("requesters.1.persona", "boss")],
              [#"requesters[1].persona: must be one of research_agent, fact_checker, ops_agent, judgment_seeker; got "boss""#]),
        .init("unknown market mode", [("market", ["mode": "turbo"])], [#"market.mode: must be one of demo, strict; got "turbo""#]),
        .init("unknown trust mode", [("requesters.0.trust_mode", "blind")], [#"requesters[0].trust_mode: must be one of proof_required, auto, review; got "blind""#]),
        .init("unknown worker type", [("requesters.0.worker_type", "robot")], [#"requesters[0].worker_type: must be one of human, ai, hybrid, any; got "robot""#]),
        .init("unknown resolver type", [("resolvers.0.type", "any")], [#"resolvers[0].type: must be one of human, ai, hybrid; got "any""#]),
        .init("unknown web mode", [("web.mode", "offline")], [#"web.mode: must be one of simulated, fixture, live; got "offline""#]),
        .init("unknown transcript", [("report", ["transcript": "loud"])], [#"report.transcript: must be one of full, summary, none; got "loud""#]),
        .init("unknown task type", [("resolvers.0.task_types", ["answer", "guess"])], [#"resolvers[0].task_types[1]: must be one of verify, answer, judge, unblock, delegate; got "guess""#]),
        .init("question task type cannot be verify", [("questions.0.task_type", "verify")], [#"questions[0].task_type: must be one of answer, judge, unblock, delegate; got "verify""#]),
        // Names.
        .init("scenario name pattern", [("name", "My Demo")], [#"name: must match [a-z0-9_-]+, got "My Demo""#]),
        .init("agent name pattern", [("resolvers.0.name", "al ice")], [#"resolvers[0].name: must match [A-Za-z0-9_-]+, got "al ice""#]),
        .init("name length", [("name", .string(String(repeating: "a", count: 65)))], ["name: must be at most 64 characters, got 65"]),
        .init("duplicate agent names", [("resolvers.1.name", "research")], [#"resolvers[1].name: duplicate agent name "research" (also at requesters[0].name)"#]),
        // Groups.
        .init("empty requesters", [("requesters", [])], ["requesters: must not be empty"]),
        .init("empty resolvers", [("resolvers", [])], ["resolvers: must not be empty"]),
        .init("empty task types", [("resolvers.0.task_types", [])], ["resolvers[0].task_types: must not be empty"]),
        .init("duplicate task types", [("resolvers.0.task_types", ["answer", "answer"])], [#"resolvers[0].task_types[1]: duplicate task type "answer""#]),
        .init("demo token in strict mode", [("market", ["mode": "strict"]), ("requesters.0.pay_real_l402", false)],
              [#"requesters[0].pay_real_l402: must be true when market.mode is "strict""#]),
        // start_time.
        .init("start time syntax", [("start_time", "yesterday")], [#"start_time: must be an RFC 3339 UTC time like "2026-01-01T00:00:00Z", got "yesterday""#]),
        .init("start time with an offset", [("start_time", "2026-01-01T00:00:00+02:00")], [#"start_time: must be an RFC 3339 UTC time like "2026-01-01T00:00:00Z", got "2026-01-01T00:00:00+02:00" (the offset must be Z)"#]),
        .init("start time impossible day", [("start_time", "2025-02-29T00:00:00Z")], [#"start_time: must be an RFC 3339 UTC time like "2026-01-01T00:00:00Z", got "2025-02-29T00:00:00Z" (day 29 is out of range for 2025-02)"#]),
        .init("start time impossible hour", [("start_time", "2026-01-01T24:00:00Z")], [#"start_time: must be an RFC 3339 UTC time like "2026-01-01T00:00:00Z", got "2026-01-01T24:00:00Z" (hour 24 is out of range)"#]),
        // Arrival processes.
        .init("arrival without a process", [("requesters.0.arrival", ["rate_per_hour": 3])], ["requesters[0].arrival.process: required field is missing"]),
        .init("unknown arrival process", [("requesters.0.arrival", ["process": "steady"])], [#"requesters[0].arrival.process: must be one of poisson, fixed, burst; got "steady""#]),
        .init("poisson needs a rate", [("requesters.0.arrival", ["process": "poisson"])], ["requesters[0].arrival.rate_per_hour: required field is missing"]),
        .init("poisson rate must be positive", [("requesters.0.arrival", ["process": "poisson", "rate_per_hour": 0])], ["requesters[0].arrival.rate_per_hour: must be greater than 0, got 0"]),
        .init("fixed arrivals not empty", [("requesters.0.arrival", ["process": "fixed", "at_seconds": []])], ["requesters[0].arrival.at_seconds: must not be empty"]),
        .init("fixed arrivals not negative", [("requesters.0.arrival", ["process": "fixed", "at_seconds": [5, -1]])], ["requesters[0].arrival.at_seconds[1]: must be at least 0, got -1"]),
        .init("burst size at least one", [("requesters.0.arrival", ["process": "burst", "every_seconds": 60, "size": 0])], ["requesters[0].arrival.size: must be at least 1, got 0"]),
        .init("burst field on poisson", [("requesters.0.arrival", ["process": "poisson", "rate_per_hour": 1, "size": 3])], [#"requesters[0].arrival.size: unknown field "size" for process "poisson""#]),
        // Budget distributions.
        .init("uniform min above max", [("requesters.1.budget_sats", ["distribution": "uniform", "min": 200, "max": 100])], ["requesters[1].budget_sats.max: must be at least min (200), got 100"]),
        .init("lognormal min above max", [("requesters.1.budget_sats", ["distribution": "lognormal", "median": 10, "sigma": 1, "min": 50, "max": 5])], ["requesters[1].budget_sats.max: must be at least min (50), got 5"]),
        .init("lognormal sigma range", [("requesters.1.budget_sats", ["distribution": "lognormal", "median": 10, "sigma": -1])], ["requesters[1].budget_sats.sigma: must be between 0 and 10, got -1"]),
        .init("lognormal median positive", [("requesters.1.budget_sats", ["distribution": "lognormal", "median": 0, "sigma": 1])], ["requesters[1].budget_sats.median: must be greater than 0, got 0"]),
        .init("budget at least one sat", [("requesters.1.budget_sats", ["distribution": "fixed", "value": 0])], ["requesters[1].budget_sats.value: must be at least 1, got 0"]),
        .init("choice weights count", [("requesters.1.budget_sats", ["distribution": "choice", "values": [1, 2, 3], "weights": [1, 1]])], ["requesters[1].budget_sats.weights: must have one weight per value (3), got 2"]),
        .init("choice negative weight", [("requesters.1.budget_sats", ["distribution": "choice", "values": [1, 2], "weights": [1, -0.5]])], ["requesters[1].budget_sats.weights[1]: must be at least 0, got -0.5"]),
        .init("choice all-zero weights", [("requesters.1.budget_sats", ["distribution": "choice", "values": [1, 2], "weights": [0, 0.0]])], ["requesters[1].budget_sats.weights: must not all be zero"]),
        .init("choice needs values", [("requesters.1.budget_sats", ["distribution": "choice", "values": []])], ["requesters[1].budget_sats.values: must not be empty"]),
        .init("unknown distribution", [("requesters.1.budget_sats", ["distribution": "normal"])], [#"requesters[1].budget_sats.distribution: must be one of fixed, uniform, lognormal, choice; got "normal""#]),
        // Web fixtures.
        .init("redirect to an unknown url", [("web.fixtures.1.redirect_to", "https://c.example/")], [#"web.fixtures[1].redirect_to: "https://c.example/" is not the url of any fixture"#]),
        .init("redirect loop", [("web.fixtures.0.redirect_to", "https://b.example/"), ("web.fixtures.0.status", 302)],
              [#"web.fixtures[0].redirect_to: redirect loop: "https://a.example/" -> "https://b.example/" -> "https://a.example/""#]),
        .init("redirect to itself", [("web.fixtures.0.redirect_to", "https://a.example/")],
              [#"web.fixtures[0].redirect_to: redirect loop: "https://a.example/" -> "https://a.example/""#]),
        .init("redirect needs a 3xx status", [("web.fixtures.1.status", 200)], ["web.fixtures[1].status: must be between 300 and 399 when redirect_to is set, got 200"]),
        .init("redirect of the wrong type", [("web.fixtures.1.redirect_to", 3)], ["web.fixtures[1].redirect_to: must be a string or null, got an integer"]),
        .init("fixture url scheme", [("web.fixtures.0.url", "ftp://a.example/")], [#"web.fixtures[0].url: must be an http:// or https:// URL, got "ftp://a.example/""#, #"web.fixtures[1].redirect_to: "https://a.example/" is not the url of any fixture"#]),
        .init("redirect to a malformed fixture is reported once", [("web.fixtures.0.url", "https://"), ("web.fixtures.1.redirect_to", "https://")],
              [#"web.fixtures[0].url: must be an http:// or https:// URL, got "https://""#, #"web.fixtures[1].redirect_to: must be an http:// or https:// URL, got "https://""#]),
        .init("duplicate fixture urls", [("web.fixtures.1", ["url": "https://a.example/"])], [#"web.fixtures[1].url: duplicate fixture url "https://a.example/" (also at web.fixtures[0].url)"#]),
        .init("verify requesters need fixtures", [("web.fixtures", [])], [#"web.fixtures: must not be empty in simulated mode: requesters[0] (research_agent) posts verify tasks"#]),
        .init("verify requesters need fixtures in fixture mode", [("web", ["mode": "fixture"])], [#"web.fixtures: must not be empty in fixture mode: requesters[0] (research_agent) posts verify tasks"#]),
        .init("live mode needs no fixtures", [("web", ["mode": "live"])], []),
        // Questions.
        .init("answer requesters need questions", [("questions", nil)], [#"questions: must contain a question with task_type "answer": requesters[1] (fact_checker) posts answer tasks"#]),
        .init("judge requesters need judge questions", [("requesters.1.persona", "judgment_seeker")], [#"questions: must contain a question with task_type "judge": requesters[1] (judgment_seeker) posts judge tasks"#]),
        .init("duplicate question ids", [("questions.1", ["id": "q1", "question": "Again?", "answer": "no"])], [#"questions[1].id: duplicate question id "q1" (also at questions[0].id)"#]),
        .init("answer not among the choices", [("questions.0.answer", "maybe")], [#"questions[0].answer: must be one of the choices ("yes", "no"), got "maybe""#]),
        .init("duplicate choices", [("questions.0.choices", ["yes", "no", "yes"])], [#"questions[0].choices[2]: duplicate choice "yes""#]),
        .init("empty choices", [("questions.0.choices", [])], ["questions[0].choices: must not be empty"]),
        .init("empty question text", [("questions.0.question", "")], ["questions[0].question: must not be empty"]),
    ]

    @Test(arguments: cases)
    func ruleProducesExactlyItsProblem(_ testCase: ValidationCase) throws {
        var document = try baseDocument()
        for edit in testCase.edits { document = editing(document, edit.path, edit.value) }
        #expect(problems(document) == testCase.expected)
    }

    @Test func baseScenarioIsValid() throws {
        #expect(problems(baseText) == [])
    }

    @Test func invalidJSONReportsLineAndColumn() {
        #expect(problems("{\n  \"name\": \"x\",\n  \"seed\": }\n") ==
            ["$: invalid JSON: unexpected character '}' at line 3, column 11 (expected a value)"])
        #expect(problems("") == ["$: invalid JSON: expected a JSON value, got end of input at line 1, column 1"])
    }

    @Test(arguments: [("[]", "an array"), ("42", "an integer"), ("\"scenario\"", "a string"), ("null", "null")])
    func topLevelMustBeAnObject(_ text: String, _ got: String) {
        #expect(problems(text) == ["$: must be an object, got \(got)"])
    }

    @Test func unreadableFileReportsPathAndErrno() {
        let path = "/nonexistent-dir/missing-scenario.json"
        #expect(throws: ScenarioError(source: path, problems: [
            ScenarioProblem(path: "$", reason: "cannot read file: No such file or directory (errno 2)"),
        ])) {
            try ScenarioLoader.load(path: path)
        }
    }

    @Test func directoryIsUnreadable() throws {
        do {
            _ = try ScenarioLoader.load(path: "/tmp")
            Issue.record("loading a directory succeeded")
        } catch {
            #expect(error.problems == [ScenarioProblem(path: "$", reason: "cannot read file: Is a directory (errno 21)")])
        }
    }

    @Test func everyProblemIsReportedInDocumentOrder() {
        // Written in an order unlike the schema's: resolvers first, then the root scalars, then requesters.
        let text = """
        {
          "resolvers": [
            { "name": "alice", "persona": "diligent_human", "acuracy": 0.9, "accuracy": 1.4 },
            { "name": "alice", "persona": "fast_ai", "work_seconds": { "max": 1, "min": 5 } }
          ],
          "seed": "seven",
          "duration_seconds": -1,
          "requesters": [
            { "persona": "research_agent", "budget_sats": { "distribution": "choice", "values": [1], "weights": [0] } }
          ],
          "name": "Bad Name"
        }
        """
        let expected = [
            #"resolvers[0].acuracy: unknown field "acuracy"; did you mean "accuracy"?"#,
            "resolvers[0].accuracy: must be between 0 and 1, got 1.4",
            #"resolvers[1].name: duplicate agent name "alice" (also at resolvers[0].name)"#,
            "resolvers[1].work_seconds.max: must be at least min (5), got 1",
            "seed: must be an integer, got a string",
            "duration_seconds: must be greater than 0, got -1",
            "requesters[0].budget_sats.weights: must not all be zero",
            "requesters[0].name: required field is missing",
            #"name: must match [a-z0-9_-]+, got "Bad Name""#,
            "web.fixtures: must not be empty in simulated mode: requesters[0] (research_agent) posts verify tasks",
        ]
        // A missing field sorts at the end of its object; a rule about an absent block at the end of the document.
        let found = problems(text)
        #expect(found == expected)
        do {
            _ = try ScenarioLoader.parse(Array(text.utf8), source: "multi.json")
        } catch {
            #expect(error.description == expected.map { "multi.json: \($0)" }.joined(separator: "\n"))
        }
    }
}

// MARK: - Robustness

/// SplitMix64, so the fuzz cases are the same on every run.
private struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite struct ScenarioFuzzTests {
    /// Every path to a value in `value`, as edit paths.
    private static func paths(_ value: JSONValue, prefix: String = "") -> [String] {
        var result: [String] = []
        func join(_ key: String) -> String { prefix.isEmpty ? key : "\(prefix).\(key)" }
        switch value {
        case .object(let members):
            for (key, member) in members.sorted(by: { $0.key < $1.key }) where !key.contains(".") {
                result.append(join(key))
                result += paths(member, prefix: join(key))
            }
        case .array(let elements):
            for (index, element) in elements.enumerated() {
                result.append(join(String(index)))
                result += paths(element, prefix: join(String(index)))
            }
        default:
            break
        }
        return result
    }

    private static let oddValues: [JSONValue] = [
        .null, true, false, 0, -1, 1, 2, 0.5, -0.0, 1.4, 1e300, -1e300, 1e-300, .int(.max), .int(.min),
        .double(9_223_372_036_854_775_808), 2e9, 10_001, "", "x", "diligent_human", "https://a.example/",
        "2026-02-29T00:00:00Z", [], [1, 2], ["answer"], [:], ["process": "burst"], ["distribution": "choice"],
        ["min": 5, "max": 1],
    ]

    private static let fullText = """
    { "name": "fuzz", "seed": 1, "duration_seconds": 100, "drain_seconds": 5, "start_time": "2026-01-01T00:00:00Z",
      "market": { "mode": "demo", "worker_share": 0.7, "bonus_multiplier": 1.1, "bonus_threshold": 10,
        "reputation": { "completed": 1, "abandoned": -1, "rejected": -2, "floor": 0, "trusted_from": 3, "expert_above": 10 },
        "claim_lease_seconds": 600, "task_ttl_seconds": 86400, "auto_release_delay_seconds": 0,
        "review_window_seconds": 3600, "payout_max_attempts": 5, "payout_retry_base_seconds": 1 },
      "lightning": { "platform_liquidity_sats": 100000000, "requester_balance_sats": 10000000 },
      "requesters": [
        { "name": "r", "persona": "research_agent", "count": 2, "arrival": { "process": "burst", "every_seconds": 60, "size": 3, "jitter_seconds": 1 },
          "budget_sats": { "distribution": "lognormal", "median": 100, "sigma": 0.5, "min": 1, "max": 1000 } },
        { "name": "f", "persona": "fact_checker", "arrival": { "process": "fixed", "at_seconds": [1, 2] },
          "budget_sats": { "distribution": "choice", "values": [10, 20], "weights": [1, 3] }, "review_reject_below": 0.2 },
        { "name": "o", "persona": "ops_agent", "budget_sats": { "distribution": "uniform", "min": 1, "max": 9 } }
      ],
      "resolvers": [
        { "name": "a", "persona": "cherry_picker", "type": "human", "accuracy": 0.9, "work_seconds": { "min": 1, "max": 2 },
          "task_types": ["verify", "answer", "unblock"], "abandon_rate": 0.1, "proof_rate": 0.9, "confidence_bias": 0.1 },
        { "name": "b", "persona": "hybrid", "count": 2 }
      ],
      "web": { "mode": "simulated", "timeout_ms": 1000, "fixtures": [
        { "url": "https://a.example/", "status": 200, "latency_ms": 5, "flaky_rate": 0.5 },
        { "url": "https://b.example/", "redirect_to": "https://a.example/" } ] },
      "questions": [
        { "id": "q1", "question": "?", "answer": "yes", "choices": ["yes", "no"], "difficulty": 0.2 },
        { "id": "q2", "question": "?", "answer": "port 80", "task_type": "unblock" } ],
      "report": { "timeline_bucket_seconds": 30, "transcript": "none", "html": false }
    }
    """

    @Test func fuzzBaseIsValid() throws {
        _ = try ScenarioLoader.parse(Array(Self.fullText.utf8), source: "fuzz.json")
    }

    @Test func randomMutationsNeverTrapAndAlwaysExplainThemselves() throws {
        let base = try JSONValue.parse(Self.fullText)
        let allPaths = Self.paths(base)
        var rng = SplitMix64(state: 0x5EED_5CE7_A210)
        var accepted = 0
        var rejected = 0
        var failures: [String] = []
        for _ in 0..<3000 {
            var document = base
            for _ in 0...Int(rng.next() % 3) {
                let path = allPaths[Int(rng.next() % UInt64(allPaths.count))]
                switch rng.next() % 4 {
                case 0: document = editing(document, path, nil)
                case 1: document = editing(document, path, Self.oddValues[Int(rng.next() % UInt64(Self.oddValues.count))])
                case 2:
                    let number: JSONValue = rng.next() % 2 == 0
                        ? .int(Int64(bitPattern: rng.next()) >> (rng.next() % 64))
                        : .double(Double(Int64(bitPattern: rng.next()) >> 40) / 1000)
                    document = editing(document, path, number)
                default:
                    let key = ["acuracy", "x", "min", "size", "mode", "value", ""][Int(rng.next() % 7)]
                    document = editing(document, path + "." + key, .int(1))
                }
            }
            var bytes = document.serialized(pretty: rng.next() % 2 == 0)
            if rng.next() % 5 == 0, !bytes.isEmpty {
                // Raw byte damage: overwrite, insert or truncate.
                let at = Int(rng.next() % UInt64(bytes.count))
                switch rng.next() % 3 {
                case 0: bytes[at] = UInt8(truncatingIfNeeded: rng.next())
                case 1: bytes.insert(UInt8(truncatingIfNeeded: rng.next()), at: at)
                default: bytes.removeSubrange(at...)
                }
            }
            // Collected rather than expected one by one: thousands of `#expect`s would dominate the run time.
            do {
                let scenario = try ScenarioLoader.parse(bytes, source: "fuzz.json")
                accepted += 1
                if scenario.requesters.isEmpty || scenario.resolvers.isEmpty || scenario.durationMs <= 0 {
                    failures.append("accepted an impossible scenario: \(String(decoding: bytes, as: UTF8.self))")
                }
            } catch {
                rejected += 1
                if error.problems.isEmpty { failures.append("no problems for \(String(decoding: bytes, as: UTF8.self))") }
                for problem in error.problems where problem.path.isEmpty || problem.reason.isEmpty {
                    failures.append("empty path or reason: \(problem)")
                }
                if error.description.split(separator: "\n", omittingEmptySubsequences: false).count != error.problems.count {
                    failures.append("a problem spans several lines: \(error.description)")
                }
            }
        }
        #expect(failures == [])
        // The mutations must exercise both outcomes, or the fuzz proves nothing.
        #expect(accepted > 100)
        #expect(rejected > 1000)
    }

    @Test func randomBytesNeverTrap() {
        var rng = SplitMix64(state: 42)
        for length in 0..<600 {
            let bytes = (0..<length % 64).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            do {
                _ = try ScenarioLoader.parse(bytes, source: "noise")
                Issue.record("random bytes parsed as a scenario")
            } catch {
                #expect(error.problems.allSatisfy { !$0.path.isEmpty && !$0.reason.isEmpty })
            }
        }
    }
}
