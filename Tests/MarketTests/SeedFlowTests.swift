import Foundation
import HTTPKit
import JSON
import Lightning
import Testing
@testable import Market

@Suite struct SeedFlowTests {
    @Test func seedPageFlowPaysSeventySatsToAFreshWorker() throws {
        let m = try MarketHarness()
        let reg = m.call("POST", "/api/workers", body: MarketHarness.aliceBody)
        #expect(reg.status == 201)
        let worker = try #require(reg.json["worker"]?["id"]?.stringValue)
        #expect(reg.json["worker"]?["tier"] == "new")

        let profile = m.call("GET", "/api/workers/\(worker)")
        #expect(profile.status == 200)
        #expect(profile.json["worker"]?["reputation_score"] == 0)

        let gate = m.call("POST", "/api/tasks?budget_sats=100", body: MarketHarness.seedTaskBody)
        #expect(gate.status == 402)
        let challenge = try #require(gate.response.header("WWW-Authenticate"))
        #expect(challenge.hasPrefix("L402 macaroon=\""))
        #expect(challenge.contains("invoice=\"lnbcrt1u1"))
        #expect(gate.json["error"]?["code"] == "payment_required")

        let created = m.call("POST", "/api/tasks?budget_sats=100", body: MarketHarness.seedTaskBody,
                             headers: [("Authorization", "L402 sim_token:sim_valid_preimage")])
        #expect(created.status == 201)
        #expect(created.json["task"]?["status"] == "open")
        let task = try #require(created.json["task"]?["id"]?.stringValue)

        let feed = m.call("GET", "/api/workers/feed?task_type=verify&worker_type=human&budget_min=100")
        #expect(feed.status == 200)
        #expect(feed.json["tasks"]?.arrayValue?.contains { $0["id"]?.stringValue == task } == true)

        #expect(m.call("GET", "/api/tasks/\(task)").json["task"]?["status"] == "open")
        let claim = m.call("POST", "/api/tasks/\(task)/claim", body: ["worker_id": .string(worker)])
        #expect(claim.status == 200)
        #expect(claim.json["task"]?["status"] == "claimed")

        let submit = m.call("POST", "/api/tasks/\(task)/submit", body: [
            "worker_id": .string(worker), "answer_json": ["answer": "yes", "notes": "URL returns 200, verified manually"],
            "confidence": 0.95, "proof_url": "https://example.com/proof.png",
        ])
        #expect(submit.status == 200)
        #expect(submit.json["task"]?["status"] == "submitted")

        let afterAuto = m.call("GET", "/api/tasks/\(task)")
        #expect(afterAuto.json["task"]?["status"] == "completed")
        let release = m.call("POST", "/api/tasks/\(task)/release")
        #expect(release.status == 200)
        #expect(release.json["payout"]?["amount_msat"] == 70_000)
        #expect(release.json["payout"]?["platform_fee_msat"] == 30_000)
        #expect(release.json["payout"]?["id"] == afterAuto.json["task"]?["payout"]?["id"])
        #expect(release.json["payout"]?["status"] == "settled")

        let history = m.call("GET", "/api/workers/\(worker)/payouts")
        #expect(history.status == 200)
        #expect(history.json["total_earned_sats"] == 70)
        #expect(history.json["payouts"]?.arrayValue?.count == 1)
        #expect(m.call("GET", "/api/workers/\(worker)").json["worker"]?["completed_jobs"] == 1)
    }
}

@Suite struct CanonicalJSONTests {
    /// Every response body is canonical JSON: parsing and printing it again (sorted keys, compact) gives the
    /// same bytes. The hot presenters write JSON by hand, so this guards their key order and escaping.
    @Test func everyResponseOfTheSeedFlowIsCanonicalJSON() throws {
        let m = try MarketHarness()
        var bodies: [[UInt8]] = []
        func record(_ r: (status: Int, json: JSONValue, response: HTTPResponse)) { bodies.append(r.response.body) }
        let w = try m.registerWorker("Zo\u{eb} \"Q\" \\ tab\t")
        record(m.call("GET", "/api/workers/\(w)"))
        record(m.call("POST", "/api/tasks?budget_sats=101", body: MarketHarness.seedTaskBody.withBudget(101)))
        let t = try m.createTask(budget: 101)
        record(m.call("GET", "/api/workers/feed?limit=5"))
        record(m.call("GET", "/api/tasks/\(t)"))
        record(m.call("POST", "/api/tasks/\(t)/claim", body: ["worker_id": .string(w)]))
        record(m.call("POST", "/api/tasks/\(t)/submit", body: [
            "worker_id": .string(w), "answer_json": ["answer": "y\u{e9}s \"quoted\"", "n": 1.5, "list": [1, 2]],
            "confidence": 0.5, "proof_url": "https://example.com/p",
        ]))
        record(m.call("POST", "/api/tasks/\(t)/release"))
        record(m.call("GET", "/api/tasks/\(t)"))
        record(m.call("GET", "/api/workers/\(w)/payouts"))
        record(m.call("GET", "/api/market"))
        for body in bodies {
            #expect(body.last == UInt8(ascii: "\n"))
            let text = Array(body.dropLast())
            let value = try JSONValue.parse(text)
            #expect(value.serialized() == text, "\(String(decoding: text, as: UTF8.self))")
        }
    }
}

extension JSONValue {
    func withBudget(_ sats: Int64) -> JSONValue {
        var o = objectValue ?? [:]
        o["budget_sats"] = .int(sats)
        return .object(o)
    }
}
