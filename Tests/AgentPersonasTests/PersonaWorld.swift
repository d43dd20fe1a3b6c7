import Foundation
import HTTPKit
import JSON
import Lightning
import Market
@testable import AgentPersonas

/// One request an agent sent and what it got back.
struct RecordedCall {
    var agent: String
    var atMs: Int64
    var method: String
    var path: String
    var queryItems: [(name: String, value: String)]
    var headers: [(name: String, value: String)]
    var body: JSONValue
    var status: Int
    var response: JSONValue

    var authorization: String? { headers.first { $0.name.lowercased() == "authorization" }?.value }
    /// The query parameters (the last value of each name).
    var query: [String: String] {
        var out: [String: String] = [:]
        for item in queryItems { out[item.name] = item.value }
        return out
    }
}

/// A whole market in process on a manual clock, a tiny event loop for agents, and a fake `AgentContext` that
/// records every request. The loop mirrors the engine: wakes run in (time, order) and the market's due work
/// (leases, releases, expiries) runs exactly at its deadline.
final class PersonaWorld: @unchecked Sendable {
    static let start = Instant(seconds: 1_796_000_000)

    let clock: ManualClock
    let node: InProcessNode
    let service: MarketService
    let router: MarketRouter
    private(set) var nowMs: Int64 = 0
    private(set) var calls: [RecordedCall] = []
    private(set) var posted: [(taskID: String, requester: String, truth: String)] = []
    private(set) var scored: [(taskID: String, correct: Bool)] = []
    private(set) var registered: [(workerID: String, agent: String)] = []
    private(set) var transcriptLines = 0

    private var agents: [any Agent] = []
    private var contexts: [FakeContext] = []
    private var queue: [(time: Int64, seq: Int, agent: Int, kind: Int32, arg: Int64)] = []
    private var seq = 0

    init(mode: MarketMode = .demo, seed: UInt64 = 11, configure: (inout MarketConfiguration) -> Void = { _ in }) throws {
        clock = ManualClock(Self.start)
        node = try InProcessNode(clock: clock, random: SeededRandom(seed: seed, stream: "node"))
        var config = MarketConfiguration(mode: mode)
        config.recordEvents = false
        configure(&config)
        service = try MarketService(configuration: config, store: try MarketStore(path: ":memory:"), node: node, clock: clock,
                                    random: SeededRandom(seed: seed, stream: "market"))
        router = try MarketRouter(service: service)
    }

    /// Adds an agent and starts it now.
    @discardableResult
    func add<A: Agent>(_ agent: A) -> A {
        let ctx = FakeContext(world: self, index: agents.count)
        agents.append(agent)
        contexts.append(ctx)
        agent.start(ctx)
        return agent
    }

    func context(of agent: any Agent) -> FakeContext {
        contexts[agents.firstIndex { $0 === agent }!]
    }

    /// Runs wakes and due market work up to and including `untilMs`, then leaves the clock there.
    func run(until untilMs: Int64) throws {
        while true {
            let due = service.nextDueInstant.map { $0.milliseconds - Self.start.milliseconds }
            let next = queue.min { ($0.time, $0.seq) < ($1.time, $1.seq) }
            let t = min(due.map { max($0, nowMs) } ?? Int64.max, next?.time ?? Int64.max)
            guard t != Int64.max, t <= untilMs else { break }
            setNow(t)
            try service.processDue()
            if let next, next.time <= nowMs {
                wake(next)
            } else if let after = service.nextDueInstant, after.milliseconds - Self.start.milliseconds <= nowMs {
                throw WorldError.stuckDeadline(nowMs)
            }
        }
        setNow(untilMs)
        try service.processDue()
    }

    private func wake(_ e: (time: Int64, seq: Int, agent: Int, kind: Int32, arg: Int64)) {
        queue.removeAll { $0.seq == e.seq }
        agents[e.agent].wake(kind: e.kind, arg: e.arg, contexts[e.agent])
    }

    private func setNow(_ ms: Int64) {
        nowMs = max(nowMs, ms)
        clock.set(Self.start.adding(milliseconds: nowMs))
    }

    fileprivate func schedule(agent: Int, after ms: Int64, kind: Int32, arg: Int64) {
        seq += 1
        queue.append((time: nowMs + max(0, ms), seq: seq, agent: agent, kind: kind, arg: arg))
    }

    fileprivate func record(_ call: RecordedCall) { calls.append(call) }
    fileprivate func notePosted(_ id: String, _ requester: String, _ truth: String) { posted.append((id, requester, truth)) }
    fileprivate func noteScored(_ id: String, _ ok: Bool) { scored.append((id, ok)) }
    fileprivate func noteRegistered(_ id: String, _ agent: String) { registered.append((id, agent)) }
    fileprivate func noteTranscript() { transcriptLines += 1 }

    // MARK: Direct market access (the "other side" a test plays)

    @discardableResult
    func call(_ method: String, _ target: String, body: JSONValue? = nil, headers: [(name: String, value: String)] = []) -> APIResult {
        InProcessMarketClient(handler: router).call(method, target, body: body, headers: headers)
    }

    func task(_ id: String) -> JSONValue { call("GET", "/api/tasks/\(id)").json["task"] ?? .null }
    func worker(_ id: String) -> JSONValue { call("GET", "/api/workers/\(id)").json["worker"] ?? .null }

    /// Posts a task with the demo token; returns its id.
    func postTask(type: String = "answer", budget: Int64 = 100, workerType: String = "any", trust: String = "auto",
                  input: JSONValue = ["question_id": "q-easy"]) throws -> String {
        let body: JSONValue = ["task_type": .string(type), "title": "t", "input": input, "budget_sats": .int(budget),
                               "worker_type": .string(workerType), "trust_mode": .string(trust)]
        let r = call("POST", "/api/tasks?budget_sats=\(budget)", body: body,
                     headers: [(name: "Authorization", value: "L402 sim_token:sim_valid_preimage")])
        guard r.status == 201, let id = r.json["task"]?["id"]?.stringValue else { throw WorldError.unexpected(r.status, r.json) }
        return id
    }

    func registerWorker(_ name: String, kind: String = "human") throws -> String {
        let r = call("POST", "/api/workers", body: ["display_name": .string(name), "lightning_address": .string("\(name)@w.sim"),
                                                    "type": .string(kind)])
        guard r.status == 201, let id = r.json["worker"]?["id"]?.stringValue else { throw WorldError.unexpected(r.status, r.json) }
        return id
    }

    /// Calls of one agent, optionally only those whose path starts with `prefix`.
    func calls(of agent: String, method: String? = nil, pathPrefix: String = "") -> [RecordedCall] {
        calls.filter { $0.agent == agent && (method == nil || $0.method == method) && $0.path.hasPrefix(pathPrefix) }
    }

    enum WorldError: Error { case unexpected(Int, JSONValue), stuckDeadline(Int64) }
}

/// The agents' view of the world: the clock, the recording client, and wakes into the world's queue.
final class FakeContext: AgentContext {
    unowned let world: PersonaWorld
    let index: Int

    init(world: PersonaWorld, index: Int) {
        self.world = world
        self.index = index
    }

    var nowMs: Int64 { world.nowMs }
    var client: any MarketClient { RecordingClient(world: world) }
    var wantsTranscript: Bool { true }

    func wake(after ms: Int64, kind: Int32, arg: Int64) { world.schedule(agent: index, after: ms, kind: kind, arg: arg) }
    func transcript(agent: String, method: String, path: String, status: Int, summary: String) {
        world.noteTranscript()
        // The agent's name is only known here: stamp it on the call just recorded.
        world.stampLastCall(agent: agent)
    }
    func taskPosted(taskID: String, requester: String, truth: String) { world.notePosted(taskID, requester, truth) }
    func workerRegistered(workerID: String, agent: String) { world.noteRegistered(workerID, agent) }
    func answerScored(taskID: String, correct: Bool) { world.noteScored(taskID, correct) }
}

extension PersonaWorld {
    fileprivate func stampLastCall(agent: String) {
        if !calls.isEmpty && calls[calls.count - 1].agent.isEmpty { calls[calls.count - 1].agent = agent }
    }
}

/// Sends to the router and records the exchange (the agent's name is stamped by the transcript callback).
struct RecordingClient: MarketClient, @unchecked Sendable {
    unowned let world: PersonaWorld

    func send(_ request: HTTPRequest) -> HTTPResponse {
        let response = world.router.handle(request)
        let body = request.body.isEmpty ? JSONValue.null : ((try? JSONValue.parse(request.body)) ?? .null)
        let json = response.body.isEmpty ? JSONValue.null : ((try? JSONValue.parse(response.body)) ?? .null)
        world.record(RecordedCall(agent: "", atMs: world.nowMs, method: request.method, path: request.path, queryItems: request.query,
                                  headers: request.headers, body: body, status: response.status, response: json))
        return response
    }
}
