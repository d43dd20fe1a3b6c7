import Foundation
import HTTPKit
import JSON
import Lightning
import Testing
@testable import Market

/// A whole market in process, on a manual clock and a seeded generator, for tests.
struct MarketHarness {
    let clock: ManualClock
    let node: InProcessNode
    let service: MarketService
    let router: MarketRouter

    static let start = Instant(seconds: 1_796_000_000) // 2026-11-30

    /// `nodeRandom` replaces the node's seeded generator (e.g. a tap that lets a test learn an unpaid preimage);
    /// `wrapNode` may put a test double around the in-process node; `node` stays the in-process node (for balances).
    init(mode: MarketMode = .demo, seed: UInt64 = 7, path: String = ":memory:", nodeRandom: (any RandomSource)? = nil,
         configure: (inout MarketConfiguration) -> Void = { _ in }, wrapNode: (InProcessNode) -> any LightningNode = { $0 }) throws {
        clock = ManualClock(Self.start)
        let random = SeededRandom(seed: seed)
        node = try InProcessNode(clock: clock, random: nodeRandom ?? SeededRandom(seed: seed, stream: "node"))
        var config = MarketConfiguration(mode: mode)
        configure(&config)
        service = try MarketService(configuration: config, store: try MarketStore(path: path), node: wrapNode(node), clock: clock, random: random)
        router = try MarketRouter(service: service)
    }

    /// Sends a request and parses the JSON response.
    @discardableResult
    func call(_ method: String, _ target: String, body: JSONValue? = nil, rawBody: [UInt8]? = nil,
              headers: [(String, String)] = []) -> (status: Int, json: JSONValue, response: HTTPResponse) {
        var hs = headers.map { (name: $0.0, value: $0.1) }
        var bytes: [UInt8] = rawBody ?? []
        if let body {
            bytes = body.serialized()
            hs.append((name: "Content-Type", value: "application/json"))
        }
        let response = router.handle(HTTPRequest(method: method, target: target, headers: hs, body: bytes))
        let json = (try? JSONValue.parse(response.body)) ?? .null
        return (response.status, json, response)
    }

    static let seedTaskBody: JSONValue = [
        "task_type": "verify",
        "title": "Is this URL still live?",
        "input": [
            "url": "https://example.com",
            "question": "Does it return 200?",
            "context": "The agent needs a worker to verify the external page state.",
            "instructions": "Open the URL, confirm the response and attach proof if required.",
            "image_url": "https://example.com/screenshot.png",
            "attachments": [["type": "image", "url": "https://example.com/screenshot.png", "label": "Reference screenshot"]],
        ],
        "budget_sats": 100,
        "worker_type": "human",
        "trust_mode": "proof_required",
    ]

    static let aliceBody: JSONValue = ["display_name": "Alice Tester", "lightning_address": "alice@getalby.com", "type": "human"]

    /// Registers a worker and returns its id.
    func registerWorker(_ name: String = "Alice Tester", kind: String = "human", address: String = "alice@getalby.com") throws -> String {
        let r = call("POST", "/api/workers", body: ["display_name": .string(name), "lightning_address": .string(address), "type": .string(kind)])
        guard r.status == 201, let id = r.json["worker"]?["id"]?.stringValue else { throw HarnessError.unexpected(r.status, r.json) }
        return id
    }

    /// Creates a task with the demo token and returns its id.
    func createTask(budget: Int64 = 100, body: JSONValue = MarketHarness.seedTaskBody, trust: String? = nil) throws -> String {
        var b = body.objectValue ?? [:]
        b["budget_sats"] = .int(budget)
        if let trust { b["trust_mode"] = .string(trust) }
        let r = call("POST", "/api/tasks?budget_sats=\(budget)", body: .object(b), headers: [("Authorization", "L402 sim_token:sim_valid_preimage")])
        guard r.status == 201, let id = r.json["task"]?["id"]?.stringValue else { throw HarnessError.unexpected(r.status, r.json) }
        return id
    }

    /// Claims and submits with proof; returns the submit response.
    @discardableResult
    func claimAndSubmit(task: String, worker: String) throws -> (status: Int, json: JSONValue, response: HTTPResponse) {
        let c = call("POST", "/api/tasks/\(task)/claim", body: ["worker_id": .string(worker)])
        guard c.status == 200 else { throw HarnessError.unexpected(c.status, c.json) }
        return call("POST", "/api/tasks/\(task)/submit", body: [
            "worker_id": .string(worker), "answer_json": ["answer": "yes"], "confidence": 0.95,
            "proof_url": "https://example.com/proof.png",
        ])
    }

    enum HarnessError: Error { case unexpected(Int, JSONValue) }
}

// MARK: - Helpers shared by the Market test suite

extension MarketHarness {
    /// The seed page's demo credential header.
    static let simAuth = ("Authorization", "L402 sim_token:sim_valid_preimage")

    /// Moves the manual clock forward.
    func advance(minutes: Int64 = 0, seconds: Int64 = 0, milliseconds: Int64 = 0) {
        clock.advance(milliseconds: minutes * 60_000 + seconds * 1000 + milliseconds)
    }

    /// Claims `task` for `worker` and returns the claim response.
    @discardableResult
    func claim(_ task: String, by worker: String) -> (status: Int, json: JSONValue, response: HTTPResponse) {
        call("POST", "/api/tasks/\(task)/claim", body: ["worker_id": .string(worker)])
    }

    /// Submits an answer for `task` (with a proof URL unless `proof` is nil).
    @discardableResult
    func submit(_ task: String, by worker: String, proof: String? = "https://example.com/proof.png",
                confidence: Double = 0.9) -> (status: Int, json: JSONValue, response: HTTPResponse) {
        var body: [String: JSONValue] = ["worker_id": .string(worker), "answer_json": ["answer": "yes"], "confidence": .double(confidence)]
        if let proof { body["proof_url"] = .string(proof) }
        return call("POST", "/api/tasks/\(task)/submit", body: .object(body))
    }

    /// The task as `GET /api/tasks/{id}` shows it.
    func task(_ id: String) -> JSONValue { call("GET", "/api/tasks/\(id)").json["task"] ?? .null }

    /// The worker profile as `GET /api/workers/{id}` shows it.
    func profile(_ id: String) -> JSONValue { call("GET", "/api/workers/\(id)").json["worker"] ?? .null }

    /// Number of payout rows recorded for `task` (straight from the store).
    func payoutRows(task: String) throws -> Int64 {
        try service.store.read { db in
            try db.queryOne("SELECT COUNT(*) FROM payouts WHERE task_id = ?", [.text(task)]) { $0.int(0) } ?? 0
        }
    }
}

/// Checks that `r` is the API error `status`/`code` with the standard `{"error": {"code", "message"}}` body,
/// and that the message names `field` when one is given.
func expectAPIError(_ r: (status: Int, json: JSONValue, response: HTTPResponse), _ status: Int, _ code: String? = nil,
                    field: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(r.status == status, "expected \(status), got \(r.status): \(r.json)", sourceLocation: sourceLocation)
    let error = r.json["error"]
    let message = error?["message"]?.stringValue ?? ""
    #expect(error?["code"]?.stringValue != nil && !message.isEmpty, "error body missing code/message: \(r.json)", sourceLocation: sourceLocation)
    if let code {
        #expect(error?["code"]?.stringValue == code, "expected code \(code), got \(r.json)", sourceLocation: sourceLocation)
    }
    if let field {
        #expect(message.contains(field), "message should name \(field): \(message)", sourceLocation: sourceLocation)
    }
}
