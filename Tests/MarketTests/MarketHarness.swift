import Foundation
import HTTPKit
import JSON
import Lightning
@testable import Market

/// A whole market in process, on a manual clock and a seeded generator, for tests.
struct MarketHarness {
    let clock: ManualClock
    let node: InProcessNode
    let service: MarketService
    let router: MarketRouter

    static let start = Instant(seconds: 1_796_000_000) // 2026-11-30

    /// `nodeRandom` replaces the node's seeded generator (e.g. a tap that lets a test learn an unpaid preimage).
    init(mode: MarketMode = .demo, seed: UInt64 = 7, path: String = ":memory:", nodeRandom: (any RandomSource)? = nil,
         configure: (inout MarketConfiguration) -> Void = { _ in }) throws {
        clock = ManualClock(Self.start)
        let random = SeededRandom(seed: seed)
        node = try InProcessNode(clock: clock, random: nodeRandom ?? SeededRandom(seed: seed, stream: "node"))
        var config = MarketConfiguration(mode: mode)
        configure(&config)
        service = try MarketService(configuration: config, store: try MarketStore(path: path), node: node, clock: clock, random: random)
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
