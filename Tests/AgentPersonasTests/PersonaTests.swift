import Foundation
import HTTPKit
import JSON
import Lightning
import Market
import Testing
@testable import AgentPersonas

// MARK: - Fixtures

/// The web the personas see: live, dead, redirected to live, redirected to dead, always flaky, and a server error.
private let personaWeb = WebTable([
    WebFixture(url: "https://live.test/", status: 200, latencyMs: 100),
    WebFixture(url: "https://dead.test/", status: 404, latencyMs: 80),
    WebFixture(url: "http://moved.test/", status: 301, latencyMs: 20, redirectTo: "https://live.test/"),
    WebFixture(url: "http://gone.test/", status: 302, latencyMs: 20, redirectTo: "https://dead.test/"),
    WebFixture(url: "https://flaky.test/", status: 200, latencyMs: 50, flakyRate: 1),
    WebFixture(url: "https://down.test/", status: 503, latencyMs: 300),
])

private let personaTimeoutMs: Int64 = 2000

/// The ground truth the catalog holds: the final status (no flakes) is 2xx.
private let verifyTargets: [VerifyTarget] = personaWeb.fixtures.map {
    VerifyTarget(url: $0.url, live: SimulatedWebProbe(table: personaWeb, timeoutMs: .max / 4).head($0.url, flake: false).isLive)
}

private let easyQuestions: [QuestionItem] = [
    QuestionItem(id: "q-easy", question: "Is water wet?", answer: "yes", choices: ["yes", "no"], difficulty: 0, taskType: .answer),
    QuestionItem(id: "q-sats", question: "Sats in a bitcoin?", answer: "100000000", choices: ["1000000", "100000000", "21000000"],
                 difficulty: 0, taskType: .answer),
    QuestionItem(id: "q-l402", question: "L402 status?", answer: "402", choices: ["401", "402", "403"], difficulty: 0, taskType: .answer),
    QuestionItem(id: "j-refund", question: "Approve the refund?", answer: "approve", choices: ["approve", "deny"], difficulty: 0,
                 taskType: .judge),
]

private let catalog = TaskCatalog(verifyTargets: verifyTargets, questions: easyQuestions)

private func requesterProfile(_ name: String = "req-1", persona: RequesterPersona = .factChecker, type: TaskType = .answer,
                              trust: TrustMode = .auto, workerType: WorkerRequirement = .any, pollMs: Int64 = 10_000,
                              payReal: Bool = true, rejectBelow: Double = 0) -> RequesterProfile {
    RequesterProfile(name: name, persona: persona, taskType: type, trustMode: trust, workerType: workerType, pollMs: pollMs,
                     payRealL402: payReal, reviewRejectBelow: rejectBelow, walletBalanceSats: 1_000_000)
}

private func resolverProfile(_ name: String, persona: ResolverPersona = .diligentHuman, kind: WorkerKind = .human,
                             accuracy: Double = 1, pollMs: Int64 = 5_000, work: ClosedRange<Int64> = 1_000...2_000,
                             floor: Int64 = 0, types: [TaskType] = [], abandon: Double = 0, proof: Double = 1,
                             bias: Double = 0) -> ResolverProfile {
    ResolverProfile(name: name, persona: persona, kind: kind, accuracy: accuracy, pollMs: pollMs, workMinMs: work.lowerBound,
                    workMaxMs: work.upperBound, budgetFloorSats: floor, taskTypes: types, abandonRate: abandon, proofRate: proof,
                    confidenceBias: bias)
}

private func resolverAgent(_ profile: ResolverProfile, probe: (any WebProbe)? = nil, seed: UInt64 = 5) -> ResolverAgent {
    ResolverAgent(profile: profile, catalog: catalog, probe: probe ?? SimulatedWebProbe(table: personaWeb, timeoutMs: personaTimeoutMs),
                  flakyRate: { personaWeb.flakyRate(for: $0) }, seed: seed)
}

private func questionInput(_ q: QuestionItem) -> JSONValue {
    ["question_id": .string(q.id), "question": .string(q.question), "choices": .array(q.choices.map { .string($0) })]
}

/// A probe that records the URLs it was asked about.
private final class RecordingProbe: WebProbe, @unchecked Sendable {
    let inner: any WebProbe
    private let lock = NSLock()
    private var asked: [String] = []
    init(_ inner: any WebProbe) { self.inner = inner }
    var urls: [String] { lock.withLock { asked } }
    func head(_ url: String, flake: Bool) -> ProbeOutcome {
        lock.withLock { asked.append(url) }
        return inner.head(url, flake: flake)
    }
}

// MARK: - Requesters

@Suite("Requester personas")
struct RequesterPersonaTests {
    @Test func payingRequesterGoes402ThenPayThenRetriesWithTheL402Credential() throws {
        let world = try PersonaWorld()
        let agent = world.add(RequesterAgent(profile: requesterProfile(payReal: true), catalog: catalog, seed: 1))
        agent.postTask(budgetSats: 120, world.context(of: agent))

        let calls = world.calls(of: "req-1")
        #expect(calls.map { "\($0.method) \($0.path) \($0.status)" } == [
            "POST /sim/lightning/wallets 201", "POST /api/tasks 402", "POST /sim/lightning/pay 200", "POST /api/tasks 201",
        ])
        try #require(calls.count == 4)
        let walletID = try #require(calls[0].response["wallet"]?["id"]?.stringValue)
        let gate = calls[1]
        #expect(gate.authorization == nil)
        #expect(gate.query["budget_sats"] == "120")
        let invoice = try #require(gate.response["error"]?["invoice"]?.stringValue)
        let macaroon = try #require(gate.response["error"]?["macaroon"]?.stringValue)
        #expect(calls[2].body["invoice"]?.stringValue == invoice)
        #expect(calls[2].body["wallet_id"]?.stringValue == walletID)
        let preimage = try #require(calls[2].response["preimage"]?.stringValue)
        #expect(calls[3].authorization == "L402 \(macaroon):\(preimage)")
        #expect(calls[3].body == gate.body, "the retry must send the same task")
        let task = try #require(calls[3].response["task"])
        #expect(task["payment"]?["method"]?.stringValue == "l402")
        #expect(agent.posted == 1 && agent.postFailures == 0)
        // The wallet really paid 120 sats.
        let balance = world.call("GET", "/sim/lightning/wallets/\(walletID)").json["wallet"]?["balance_msat"]?.intValue
        let expectedBalance: Int64 = (1_000_000 - 120) * 1000
        #expect(balance == expectedBalance)
    }

    @Test func demoRequesterUsesTheDemoTokenAndNeverPays() throws {
        let world = try PersonaWorld()
        let agent = world.add(RequesterAgent(profile: requesterProfile(payReal: false), catalog: catalog, seed: 1))
        agent.postTask(budgetSats: 80, world.context(of: agent))

        let calls = world.calls(of: "req-1")
        #expect(calls.map { "\($0.method) \($0.path) \($0.status)" } == ["POST /api/tasks 402", "POST /api/tasks 201"])
        try #require(calls.count == 2)
        #expect(calls[1].authorization == "L402 sim_token:sim_valid_preimage")
        #expect(calls[1].response["task"]?["payment"]?["method"]?.stringValue == "sim_token")
        #expect(world.calls.allSatisfy { !$0.path.hasPrefix("/sim/") })
    }

    @Test func researchAgentPostsVerifyTasksAboutFixtureURLs() throws {
        let world = try PersonaWorld()
        let agent = world.add(RequesterAgent(profile: requesterProfile("research-1", persona: .researchAgent, type: .verify,
                                                                        trust: .proofRequired, payReal: false),
                                             catalog: catalog, seed: 3))
        for _ in 0..<12 { agent.postTask(budgetSats: 100, world.context(of: agent)) }

        let created = world.calls(of: "research-1", method: "POST", pathPrefix: "/api/tasks").filter { $0.status == 201 }
        #expect(created.count == 12)
        let truthByID = Dictionary(uniqueKeysWithValues: world.posted.map { ($0.taskID, $0.truth) })
        var urls = Set<String>()
        for call in created {
            #expect(call.body["task_type"]?.stringValue == "verify")
            #expect(call.body["trust_mode"]?.stringValue == "proof_required")
            let url = try #require(call.body["input"]?["url"]?.stringValue)
            let target = try #require(verifyTargets.first { $0.url == url }, "\(url) is not a fixture URL")
            urls.insert(url)
            let id = try #require(call.response["task"]?["id"]?.stringValue)
            #expect(truthByID[id] == (target.live ? "yes" : "no"))
        }
        #expect(urls.count > 1, "the agent should ask about several URLs")
    }

    @Test func factCheckerPostsAnswerTasksNamingABankQuestion() throws {
        let world = try PersonaWorld()
        let agent = world.add(RequesterAgent(profile: requesterProfile("facts-1"), catalog: catalog, seed: 4))
        for _ in 0..<12 { agent.postTask(budgetSats: 50, world.context(of: agent)) }

        let created = world.calls(of: "facts-1", method: "POST", pathPrefix: "/api/tasks").filter { $0.status == 201 }
        #expect(created.count == 12)
        let truthByID = Dictionary(uniqueKeysWithValues: world.posted.map { ($0.taskID, $0.truth) })
        for call in created {
            #expect(call.body["task_type"]?.stringValue == "answer")
            let id = try #require(call.body["input"]?["question_id"]?.stringValue)
            let q = try #require(catalog.question(id: id))
            #expect(q.taskType == .answer, "a fact checker must not ask the judge question \(id)")
            #expect(call.body["input"]?["choices"] == .array(q.choices.map { .string($0) }))
            let taskID = try #require(call.response["task"]?["id"]?.stringValue)
            #expect(truthByID[taskID] == q.answer)
        }
    }

    @Test func reviewRequesterRejectsBelowTheThresholdAndReleasesAtIt() throws {
        let world = try PersonaWorld()
        let agent = world.add(RequesterAgent(profile: requesterProfile("judge-1", persona: .judgmentSeeker, type: .judge,
                                                                        trust: .review, pollMs: 10_000, payReal: false,
                                                                        rejectBelow: 0.7),
                                             catalog: catalog, seed: 9))
        agent.postTask(budgetSats: 300, world.context(of: agent))
        let (taskID, _, truth) = try #require(world.posted.first)
        let worker = try world.registerWorker("wendy")
        func claimAndSubmit(confidence: Double) {
            #expect(world.call("POST", "/api/tasks/\(taskID)/claim", body: ["worker_id": .string(worker)]).status == 200)
            let r = world.call("POST", "/api/tasks/\(taskID)/submit", body: [
                "worker_id": .string(worker), "answer_json": ["answer": .string(truth)], "confidence": .double(confidence),
            ])
            #expect(r.status == 200)
        }

        claimAndSubmit(confidence: 0.69)
        try world.run(until: 10_000)
        let reject = world.calls(of: "judge-1", method: "POST").filter { $0.path.hasSuffix("/reject") }
        #expect(reject.count == 1 && reject.first?.status == 200)
        #expect(reject.first?.authorization == "L402 sim_token:sim_valid_preimage", "review calls carry the task's credential")
        #expect(agent.rejected == 1)
        #expect(world.task(taskID)["status"]?.stringValue == "open")
        #expect(world.worker(worker)["rejected_submissions"]?.intValue == 1)

        claimAndSubmit(confidence: 0.7)
        try world.run(until: 20_000)
        let release = world.calls(of: "judge-1", method: "POST").filter { $0.path.hasSuffix("/release") }
        #expect(release.count == 1 && release.first?.status == 200)
        #expect(world.task(taskID)["status"]?.stringValue == "completed")
        #expect(agent.rejected == 1 && agent.scored == 1 && agent.correct == 1)
        #expect(world.scored.count == 1 && world.scored.first?.correct == true)
        // Done with the task: no more polling.
        let before = world.calls(of: "judge-1").count
        try world.run(until: 60_000)
        #expect(world.calls(of: "judge-1").count == before)
    }

    @Test func autoRequesterPollsUntilCompletedAndScoresTheAnswer() throws {
        let world = try PersonaWorld()
        let agent = world.add(RequesterAgent(profile: requesterProfile(pollMs: 30_000, payReal: false), catalog: catalog, seed: 2))
        let resolver = world.add(resolverAgent(resolverProfile("alice-1", accuracy: 1, pollMs: 2_000)))
        agent.postTask(budgetSats: 100, world.context(of: agent))
        try world.run(until: 30_000)
        #expect(resolver.submitted == 1)
        #expect(agent.scored == 1 && agent.correct == 1 && agent.inFlight == 0)
    }
}

// MARK: - Resolvers

@Suite("Resolver personas")
struct ResolverPersonaTests {
    @Test(arguments: [WorkerKind.human, .ai, .hybrid])
    func resolversRegisterWithTheirType(kind: WorkerKind) throws {
        let world = try PersonaWorld()
        let agent = world.add(resolverAgent(resolverProfile("r-1", kind: kind)))
        let register = try #require(world.calls(of: "r-1").first)
        #expect(register.method == "POST" && register.path == "/api/workers" && register.status == 201)
        #expect(register.body["type"]?.stringValue == kind.rawValue)
        #expect(register.body["lightning_address"]?.stringValue == "r-1@workers.prooflayer.sim")
        let id = try #require(agent.workerID)
        #expect(world.worker(id)["type"]?.stringValue == kind.rawValue)
        #expect(world.registered.count == 1 && world.registered.first?.workerID == id && world.registered.first?.agent == "r-1")
    }

    @Test func feedFilterCarriesWorkerTypeBudgetFloorAndTaskType() throws {
        let world = try PersonaWorld()
        let picky = world.add(resolverAgent(resolverProfile("picky-1", persona: .fastAI, kind: .ai, pollMs: 3_000, floor: 150,
                                                            types: [.verify])))
        let url: JSONValue = ["url": "https://live.test/"]
        _ = try world.postTask(type: "verify", budget: 100, input: url)                       // below the floor
        _ = try world.postTask(type: "verify", budget: 200, workerType: "human", input: url)  // humans only
        _ = try world.postTask(type: "answer", budget: 300)                                   // another type
        let wanted = try world.postTask(type: "verify", budget: 160, input: url)
        try world.run(until: 120_000)

        let feed = try #require(world.calls(of: "picky-1", method: "GET", pathPrefix: "/api/workers/feed").first)
        #expect(feed.query["worker_type"] == "ai")
        #expect(feed.query["budget_min"] == "150")
        #expect(feed.query["task_type"] == "verify")
        #expect(feed.response["tasks"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == [wanted])
        let claims = world.calls(of: "picky-1", method: "POST").filter { $0.path.hasSuffix("/claim") }
        #expect(claims.map(\.path) == ["/api/tasks/\(wanted)/claim"])
        #expect(picky.submitted == 1)

        // No floor and several types: neither filter is sent.
        let other = try PersonaWorld()
        other.add(resolverAgent(resolverProfile("broad-1", kind: .hybrid, pollMs: 3_000, types: [.verify, .answer])))
        try other.run(until: 3_000)
        let broadFeed = try #require(other.calls(of: "broad-1", method: "GET", pathPrefix: "/api/workers/feed").first)
        #expect(broadFeed.query["worker_type"] == "hybrid")
        #expect(broadFeed.query["budget_min"] == nil && broadFeed.query["task_type"] == nil)
    }

    @Test func cherryPickerClaimsTheBestPaidTaskAboveItsFloor() throws {
        let world = try PersonaWorld()
        var ids: [Int64: String] = [:]
        for budget: Int64 in [120, 400, 90, 250] { ids[budget] = try world.postTask(budget: budget) }
        let picker = world.add(resolverAgent(resolverProfile("picky-1", persona: .cherryPicker, pollMs: 5_000, floor: 100)))
        try world.run(until: 120_000)

        let claims = world.calls(of: "picky-1", method: "POST").filter { $0.path.hasSuffix("/claim") }
        #expect(claims.map(\.path) == ([400, 250, 120] as [Int64]).map { "/api/tasks/\(ids[$0]!)/claim" })
        #expect(claims.allSatisfy { $0.status == 200 })
        #expect(picker.submitted == 3)
        #expect(world.task(ids[90]!)["status"]?.stringValue == "open", "the task below the floor is never taken")
    }

    @Test func claimAbandonerNeverSubmitsAndTheLeaseExpiryTakesAPoint() throws {
        let leaseMs: Int64 = 60_000
        /// A world with one abandoner that already has a point (the floor is 0, so a point can only be taken
        /// from a positive score) and one open task.
        func makeWorld() throws -> (PersonaWorld, ResolverAgent, worker: String, task: String) {
            let world = try PersonaWorld { $0.timing.claimLeaseMs = leaseMs }
            let flake = world.add(resolverAgent(resolverProfile("flake-1", persona: .claimAbandoner, kind: .ai, pollMs: 100_000,
                                                                abandon: 1)))
            let workerID = try #require(flake.workerID)
            let warmup = try world.postTask(budget: 10)
            #expect(world.call("POST", "/api/tasks/\(warmup)/claim", body: ["worker_id": .string(workerID)]).status == 200)
            #expect(world.call("POST", "/api/tasks/\(warmup)/submit", body: [
                "worker_id": .string(workerID), "answer_json": ["answer": "yes"], "confidence": 0.9,
            ]).status == 200)
            try world.run(until: 0)
            #expect(world.worker(workerID)["reputation_score"]?.intValue == 1)
            return (world, flake, workerID, try world.postTask(budget: 100))
        }

        // First pass: learn when the claim happens (the first poll comes within one poll interval).
        let (probeWorld, probeFlake, _, _) = try makeWorld()
        try probeWorld.run(until: 100_000)
        let claim = try #require(probeWorld.calls(of: "flake-1", method: "POST").first { $0.path.hasSuffix("/claim") })
        #expect(claim.status == 200 && probeFlake.claims == 1 && probeFlake.abandoned == 1)
        let claimedAt = claim.atMs

        // Second pass, same seeds: nothing else calls the market between the claim and the lease's end.
        let (world, flake, worker, task) = try makeWorld()
        try world.run(until: claimedAt + leaseMs - 1)
        #expect(world.task(task)["status"]?.stringValue == "claimed")
        #expect(world.worker(worker)["reputation_score"]?.intValue == 1)
        try world.run(until: claimedAt + leaseMs)
        #expect(world.task(task)["status"]?.stringValue == "open", "the lease runs out exactly at claimed_at + lease")
        #expect(world.worker(worker)["reputation_score"]?.intValue == 0, "an abandoned claim takes a point")
        #expect(world.worker(worker)["abandoned_claims"]?.intValue == 1)

        // However long it runs, it claims again and again and never submits.
        try world.run(until: 1_000_000)
        #expect(flake.claims >= 3 && flake.abandoned == flake.claims && flake.submitted == 0)
        #expect(world.calls(of: "flake-1", method: "POST").allSatisfy { !$0.path.hasSuffix("/submit") })
        let abandonedClaims = world.worker(worker)["abandoned_claims"]?.intValue ?? -1
        #expect(abandonedClaims == Int64(flake.claims) || abandonedClaims == Int64(flake.claims - 1))
    }

    @Test func diligentHumanWithPerfectAccuracyAnswersRightAndAttachesProof() throws {
        let world = try PersonaWorld()
        let requester = world.add(RequesterAgent(profile: requesterProfile("facts-1", trust: .proofRequired, pollMs: 60_000,
                                                                            payReal: false),
                                                 catalog: catalog, seed: 8))
        let alice = world.add(resolverAgent(resolverProfile("alice-1", accuracy: 1, pollMs: 5_000, work: 10_000...20_000, proof: 1)))
        for _ in 0..<10 { requester.postTask(budgetSats: 100, world.context(of: requester)) }
        try world.run(until: 400_000)

        let truth = Dictionary(uniqueKeysWithValues: world.posted.map { ($0.taskID, $0.truth) })
        let submits = world.calls(of: "alice-1", method: "POST").filter { $0.path.hasSuffix("/submit") }
        #expect(submits.count == 10 && alice.submitted == 10 && alice.submitRefusals == 0)
        for s in submits {
            let taskID = s.path.split(separator: "/")[2]
            #expect(s.status == 200)
            #expect(s.body["answer_json"]?["answer"]?.stringValue == truth[String(taskID)])
            #expect(s.body["proof_url"]?.stringValue?.hasPrefix("https://proofs.prooflayer.sim/alice-1/") == true)
        }
        #expect(requester.scored == 10 && requester.correct == 10)
    }

    @Test func sloppyWorkerWithoutProofIsRefusedOnProofRequiredTasksAndPollsAgain() throws {
        let world = try PersonaWorld()
        let sloppy = world.add(resolverAgent(resolverProfile("sloppy-1", persona: .sloppyWorker, accuracy: 0.6, pollMs: 5_000,
                                                             work: 1_000...2_000, proof: 0, bias: 0.2)))
        let strict = try world.postTask(budget: 100, trust: "proof_required")
        try world.run(until: 10_000)

        let posts = world.calls(of: "sloppy-1", method: "POST")
        let submit = try #require(posts.first { $0.path == "/api/tasks/\(strict)/submit" })
        #expect(submit.status == 422)
        #expect(submit.response["error"]?["code"]?.stringValue == "proof_required")
        #expect(submit.body["proof_url"] == nil)
        #expect(sloppy.submitRefusals == 1 && sloppy.submitted == 0)
        // Back to polling: the next request is a feed read, a second after the refusal.
        let after = world.calls(of: "sloppy-1").drop { $0.path != "/api/tasks/\(strict)/submit" }.dropFirst()
        let next = try #require(after.first)
        #expect(next.method == "GET" && next.path == "/api/workers/feed" && next.atMs == submit.atMs + 1_000)

        // An auto task takes the same answer without proof.
        let easy = try world.postTask(budget: 100, trust: "auto")
        try world.run(until: 60_000)
        let second = try #require(world.calls(of: "sloppy-1", method: "POST").first { $0.path == "/api/tasks/\(easy)/submit" })
        #expect(second.status == 200 && sloppy.submitted == 1)
    }

    @Test func verifyTasksAreAnsweredByAnHTTPHeadThroughTheProbe() throws {
        let world = try PersonaWorld()
        let probe = RecordingProbe(SimulatedWebProbe(table: personaWeb, timeoutMs: personaTimeoutMs))
        let bot = world.add(resolverAgent(resolverProfile("gpt-1", persona: .fastAI, kind: .ai, accuracy: 0.9, pollMs: 2_000,
                                                          types: [.verify]), probe: probe))
        var taskURL: [String: String] = [:]
        for fixture in personaWeb.fixtures {
            taskURL[try world.postTask(type: "verify", budget: 100, input: ["url": .string(fixture.url)])] = fixture.url
        }
        try world.run(until: 60_000)

        #expect(bot.probes == personaWeb.fixtures.count)
        #expect(Set(probe.urls) == Set(personaWeb.fixtures.map(\.url)))
        let submits = world.calls(of: "gpt-1", method: "POST").filter { $0.path.hasSuffix("/submit") }
        #expect(submits.count == personaWeb.fixtures.count)
        let expected: [String: (answer: String, status: Int?, redirects: Int64)] = [
            "https://live.test/": ("yes", 200, 0),
            "https://dead.test/": ("no", 404, 0),
            "http://moved.test/": ("yes", 200, 1),
            "http://gone.test/": ("no", 404, 1),
            "https://flaky.test/": ("no", nil, 0),   // flaky_rate 1: every HEAD times out
            "https://down.test/": ("no", 503, 0),
        ]
        for s in submits {
            let id = String(s.path.split(separator: "/")[2])
            let url = try #require(taskURL[id])
            let want = try #require(expected[url])
            let answer = s.body["answer_json"]
            #expect(answer?["answer"]?.stringValue == want.answer, "\(url)")
            #expect(answer?["method"]?.stringValue == "HEAD")
            #expect(answer?["http_status"]?.intValue.map(Int.init) == want.status, "\(url)")
            #expect(answer?["redirects"]?.intValue == want.redirects, "\(url)")
            if want.status == nil {
                #expect(answer?["error"]?.stringValue?.contains("timed out") == true)
            }
            // "yes" exactly when the probe found the URL live.
            let live = SimulatedWebProbe(table: personaWeb, timeoutMs: personaTimeoutMs).head(url, flake: url.contains("flaky")).isLive
            #expect((answer?["answer"]?.stringValue == "yes") == live)
        }
    }

    @Test func resolverAnswersFromItsOwnProbeNotFromGroundTruth() throws {
        // The resolver's web says the live page is gone: it must report what it saw.
        let world = try PersonaWorld()
        let brokenWeb = WebTable([WebFixture(url: "https://live.test/", status: 410, latencyMs: 10)])
        let bot = world.add(ResolverAgent(profile: resolverProfile("gpt-1", persona: .fastAI, kind: .ai, pollMs: 2_000, types: [.verify]),
                                          catalog: catalog, probe: SimulatedWebProbe(table: brokenWeb, timeoutMs: 2000),
                                          flakyRate: { _ in 0 }, seed: 1))
        _ = try world.postTask(type: "verify", budget: 100, input: ["url": "https://live.test/"])
        try world.run(until: 60_000)
        let submit = try #require(world.calls(of: "gpt-1", method: "POST").first { $0.path.hasSuffix("/submit") })
        #expect(submit.body["answer_json"]?["answer"]?.stringValue == "no")
        #expect(submit.body["answer_json"]?["http_status"]?.intValue == 410)
        #expect(bot.probes == 1)
    }

    /// Mean confidence, empirical accuracy and the model's chance of being right, over `n` answer tasks.
    private func confidenceStudy(_ profile: ResolverProfile, difficulty: Double, n: Int) throws
        -> (meanConfidence: Double, accuracy: Double, confidences: [Double]) {
        let questions = (0..<4).map {
            QuestionItem(id: "q\($0)", question: "Q\($0)?", answer: "a\($0)", choices: ["a\($0)", "b\($0)", "c\($0)"],
                         difficulty: difficulty, taskType: .answer)
        }
        let studyCatalog = TaskCatalog(verifyTargets: [], questions: questions)
        let world = try PersonaWorld()
        let agent = world.add(ResolverAgent(profile: profile, catalog: studyCatalog, probe: SimulatedWebProbe(table: personaWeb, timeoutMs: 2000),
                                            flakyRate: { _ in 0 }, seed: 77))
        for i in 0..<n { _ = try world.postTask(budget: 100, input: questionInput(questions[i % questions.count])) }
        try world.run(until: Int64(n) * 5_000)   // about 3 s a task: poll, work, submit
        let submits = world.calls(of: profile.name, method: "POST").filter { $0.path.hasSuffix("/submit") && $0.status == 200 }
        try #require(submits.count == n && agent.submitted == n)
        var confidences: [Double] = []
        var right = 0
        for s in submits {
            let id = try #require(s.body["answer_json"]?["question_id"]?.stringValue)
            let q = try #require(studyCatalog.question(id: id))
            if s.body["answer_json"]?["answer"]?.stringValue == q.answer { right += 1 }
            confidences.append(try #require(s.body["confidence"]?.doubleValue))
        }
        return (confidences.reduce(0, +) / Double(n), Double(right) / Double(n), confidences)
    }

    @Test func confidenceIsCalibratedAndABiasMakesAWorkerOverconfident() throws {
        let n = 100
        let difficulty = 0.1
        let careful = try confidenceStudy(resolverProfile("careful-1", accuracy: 0.95, pollMs: 1_000, work: 1_000...1_000), difficulty: difficulty, n: n)
        let sloppy = try confidenceStudy(resolverProfile("sloppy-1", persona: .sloppyWorker, accuracy: 0.6, pollMs: 1_000,
                                                         work: 1_000...1_000, bias: 0.2),
                                         difficulty: difficulty, n: n)
        let pCareful = 0.95 * (1 - 0.5 * difficulty)   // 0.9025
        let pSloppy = 0.6 * (1 - 0.5 * difficulty)     // 0.57

        for c in careful.confidences + sloppy.confidences {
            #expect(c >= 0.01 && c <= 0.99)
            #expect(abs(c * 100 - (c * 100).rounded()) < 1e-9, "confidence \(c) is not rounded to hundredths")
        }
        // Calibrated: the careful worker's confidence sits near its real chance of being right (noise is +-0.05).
        #expect(abs(careful.meanConfidence - pCareful) < 0.03, "mean confidence \(careful.meanConfidence)")
        #expect(abs(careful.accuracy - pCareful) < 0.12, "accuracy \(careful.accuracy)")
        #expect(abs(careful.meanConfidence - careful.accuracy) < 0.12)
        // Biased: +0.2 on top of a lower chance; it claims far more than it delivers.
        #expect(abs(sloppy.meanConfidence - (pSloppy + 0.2)) < 0.03, "mean confidence \(sloppy.meanConfidence)")
        #expect(abs(sloppy.accuracy - pSloppy) < 0.15, "accuracy \(sloppy.accuracy)")
        #expect(sloppy.meanConfidence - sloppy.accuracy > 0.08)
        #expect(sloppy.accuracy < careful.accuracy)
    }
}
