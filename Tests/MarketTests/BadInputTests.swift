import Foundation
import HTTPKit
import JSON
import Lightning
import Testing
@testable import Market

/// SPEC section 6: every bad input gets a 4xx with `{"error": {"code", "message"}}` naming the field; never a 5xx.
@Suite struct BadInputTests {
    /// One bad request. Targets may contain `{w}` (a worker), `{t}` (an open task), `{c}` (a task claimed by `{w}`).
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var method: String
        var target: String
        var body: [UInt8]
        var headers: [(String, String)]
        var status: Int
        var code: String?
        var field: String?
        var testDescription: String { "\(method) \(target): \(name)" }

        init(_ name: String, _ method: String, _ target: String, bytes: [UInt8], headers: [(String, String)] = [],
             _ status: Int, _ code: String? = nil, field: String? = nil) {
            self.name = name
            self.method = method
            self.target = target
            self.body = bytes
            self.headers = headers
            self.status = status
            self.code = code
            self.field = field
        }

        init(_ name: String, _ method: String, _ target: String, _ body: String, headers: [(String, String)] = [],
             _ status: Int, _ code: String? = nil, field: String? = nil) {
            self.init(name, method, target, bytes: Array(body.utf8), headers: headers, status, code, field: field)
        }

        init(_ name: String, _ method: String, _ target: String, headers: [(String, String)] = [],
             _ status: Int, _ code: String? = nil, field: String? = nil) {
            self.init(name, method, target, bytes: [], headers: headers, status, code, field: field)
        }
    }

    /// A market with a worker, an open task and a claimed task, and the ids to fill into targets.
    struct Fixture {
        let m: MarketHarness
        let worker: String, open: String, claimed: String

        init(mode: MarketMode = .demo) throws {
            m = try MarketHarness(mode: mode)
            worker = try m.registerWorker()
            if mode == .demo {
                open = try m.createTask()
                claimed = try m.createTask()
                #expect(m.claim(claimed, by: worker).status == 200)
            } else {
                open = "task_none"
                claimed = "task_none"
            }
        }

        func fill(_ s: String) -> String {
            s.replacingOccurrences(of: "{w}", with: worker).replacingOccurrences(of: "{t}", with: open)
                .replacingOccurrences(of: "{c}", with: claimed)
        }

        func send(_ c: Case) -> (status: Int, json: JSONValue, response: HTTPResponse) {
            var bytes = c.body
            // Fill ids into valid UTF-8 bodies; keep invalid bytes and huge bodies untouched.
            if bytes.count < 100_000, let text = String(validating: bytes, as: UTF8.self) { bytes = Array(fill(text).utf8) }
            return m.call(c.method, fill(c.target), rawBody: bytes, headers: [("Content-Type", "application/json")] + c.headers)
        }
    }

    static let nested = String(repeating: "[", count: 100_000)
    static let nestedAnswer = "{\"worker_id\":\"{w}\",\"confidence\":0.5,\"answer_json\":" + String(repeating: "[", count: 70) + String(repeating: "]", count: 70) + "}"
    static let long300 = String(repeating: "x", count: 301)
    static let bigInput = "{\"task_type\":\"verify\",\"title\":\"t\",\"input\":{\"blob\":\"" + String(repeating: "a", count: 70_000) + "\"}}"
    static let bigAnswer = "{\"worker_id\":\"{w}\",\"confidence\":0.5,\"answer_json\":\"" + String(repeating: "a", count: 70_000) + "\"}"
    static let task = #"{"task_type":"verify","title":"t"}"#

    static let generic: [Case] = [
        // Malformed bodies on every endpoint that reads one.
        Case("empty body", "POST", "/api/workers", "", 400, "malformed_json"),
        Case("truncated JSON", "POST", "/api/workers", "{\"display_name\":", 400, "malformed_json"),
        Case("array body", "POST", "/api/workers", "[]", 400, "malformed_json"),
        Case("string body", "POST", "/api/workers", "\"alice\"", 400, "malformed_json"),
        Case("null body", "POST", "/api/workers", "null", 400, "malformed_json"),
        Case("number body", "POST", "/api/tasks?budget_sats=100", "42", 400, "malformed_json"),
        Case("trailing garbage", "POST", "/api/tasks?budget_sats=100", task + "x", 400, "malformed_json"),
        Case("invalid UTF-8", "POST", "/api/workers", bytes: [0x7b, 0x22, 0x61, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d], 400, "malformed_json"),
        Case("invalid UTF-8 in claim", "POST", "/api/tasks/{t}/claim", bytes: [0x7b, 0x22, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d], 400, "malformed_json"),
        Case("lone surrogate escape", "POST", "/api/workers", #"{"display_name":"\ud800","lightning_address":"a@b.co","type":"ai"}"#, 400, "malformed_json"),
        Case("deep nesting", "POST", "/api/workers", nested, 400, "malformed_json"),
        Case("deep nesting in answer_json", "POST", "/api/tasks/{c}/submit", nestedAnswer, 400, "malformed_json"),
        Case("duplicate keys", "POST", "/api/tasks/{t}/claim", #"{"worker_id":"{w}","worker_id":"{w}"}"#, 400, "malformed_json"),
        Case("NaN", "POST", "/api/tasks/{c}/submit", #"{"worker_id":"{w}","answer_json":1,"confidence":NaN}"#, 400, "malformed_json"),
        Case("BOM", "POST", "/api/tasks/{t}/claim", bytes: [0xef, 0xbb, 0xbf] + Array(#"{"worker_id":"x"}"#.utf8), 400, "malformed_json"),
        Case("array to claim", "POST", "/api/tasks/{t}/claim", "[1]", 400, "malformed_json"),
        Case("array to submit", "POST", "/api/tasks/{c}/submit", "[1]", 400, "malformed_json"),
        Case("array to release", "POST", "/api/tasks/{c}/release", "[1]", 400, "malformed_json"),
        Case("broken release body", "POST", "/api/tasks/{c}/release", "{", 400, "malformed_json"),
        Case("array to reject", "POST", "/api/tasks/{c}/reject", "[]", 400, "malformed_json"),
        Case("string to wallets", "POST", "/sim/lightning/wallets", "\"x\"", 400, "malformed_json"),
        Case("empty pay", "POST", "/sim/lightning/pay", "", 400, "malformed_json"),
        Case("array to pay", "POST", "/sim/lightning/pay", "[]", 400, "malformed_json"),

        // POST /api/workers
        Case("no fields", "POST", "/api/workers", "{}", 422, "missing_field", field: "display_name"),
        Case("display_name number", "POST", "/api/workers", #"{"display_name":5,"lightning_address":"a@b.co","type":"ai"}"#, 422, "invalid_field", field: "display_name"),
        Case("display_name empty", "POST", "/api/workers", #"{"display_name":"  ","lightning_address":"a@b.co","type":"ai"}"#, 422, "invalid_field", field: "display_name"),
        Case("display_name null", "POST", "/api/workers", #"{"display_name":null,"lightning_address":"a@b.co","type":"ai"}"#, 422, "missing_field", field: "display_name"),
        Case("display_name too long", "POST", "/api/workers", "{\"display_name\":\"\(String(repeating: "n", count: 201))\",\"lightning_address\":\"a@b.co\",\"type\":\"ai\"}", 422, "invalid_field", field: "display_name"),
        Case("display_name with NUL", "POST", "/api/workers", #"{"display_name":"\u0000x","lightning_address":"a@b.co","type":"ai"}"#, 422, "invalid_field", field: "display_name"),
        Case("display_name of 150 decomposed accents", "POST", "/api/workers",
             "{\"display_name\":\"\(String(repeating: "e\u{0301}", count: 150))\",\"lightning_address\":\"a@b.co\",\"type\":\"ai\"}", 422, "invalid_field", field: "display_name"),
        Case("display_name object", "POST", "/api/workers", #"{"display_name":{},"lightning_address":"a@b.co","type":"ai"}"#, 422, "invalid_field", field: "display_name"),
        Case("address missing", "POST", "/api/workers", #"{"display_name":"A","type":"ai"}"#, 422, "missing_field", field: "lightning_address"),
        Case("address without @", "POST", "/api/workers", #"{"display_name":"A","lightning_address":"alice","type":"ai"}"#, 422, "invalid_field", field: "lightning_address"),
        Case("address without dot", "POST", "/api/workers", #"{"display_name":"A","lightning_address":"a@b","type":"ai"}"#, 422, "invalid_field", field: "lightning_address"),
        Case("address two @", "POST", "/api/workers", #"{"display_name":"A","lightning_address":"a@b@c.co","type":"ai"}"#, 422, "invalid_field", field: "lightning_address"),
        Case("address with space", "POST", "/api/workers", #"{"display_name":"A","lightning_address":"a b@c.co","type":"ai"}"#, 422, "invalid_field", field: "lightning_address"),
        Case("address number", "POST", "/api/workers", #"{"display_name":"A","lightning_address":7,"type":"ai"}"#, 422, "invalid_field", field: "lightning_address"),
        Case("type missing", "POST", "/api/workers", #"{"display_name":"A","lightning_address":"a@b.co"}"#, 422, "missing_field", field: "type"),
        Case("type unknown", "POST", "/api/workers", #"{"display_name":"A","lightning_address":"a@b.co","type":"robot"}"#, 422, "invalid_field", field: "type"),
        Case("type any (tasks only)", "POST", "/api/workers", #"{"display_name":"A","lightning_address":"a@b.co","type":"any"}"#, 422, "invalid_field", field: "type"),
        Case("type array", "POST", "/api/workers", #"{"display_name":"A","lightning_address":"a@b.co","type":["ai"]}"#, 422, "invalid_field", field: "type"),

        // GET /api/workers/{id}
        Case("unknown worker", "GET", "/api/workers/wrk_nope", 404, "worker_not_found"),
        Case("percent garbage id", "GET", "/api/workers/%ZZ%00", 404, "worker_not_found"),
        Case("encoded NUL id", "GET", "/api/workers/wrk%00x", 404, "worker_not_found"),
        Case("very long id", "GET", "/api/workers/" + String(repeating: "w", count: 5_000), 404, "worker_not_found"),
        Case("POST on a profile", "POST", "/api/workers/{w}", "{}", 405, "method_not_allowed"),
        Case("DELETE on a profile", "DELETE", "/api/workers/{w}", 405, "method_not_allowed"),

        // POST /api/tasks
        Case("no budget", "POST", "/api/tasks", task, 422, "missing_field", field: "budget_sats"),
        Case("budget abc", "POST", "/api/tasks?budget_sats=abc", task, 422, "invalid_field", field: "budget_sats"),
        Case("budget 1.5", "POST", "/api/tasks?budget_sats=1.5", task, 422, "invalid_field", field: "budget_sats"),
        Case("budget 0", "POST", "/api/tasks?budget_sats=0", task, 422, "invalid_field", field: "budget_sats"),
        Case("budget -1", "POST", "/api/tasks?budget_sats=-1", task, 422, "invalid_field", field: "budget_sats"),
        Case("budget empty", "POST", "/api/tasks?budget_sats=", task, 422, "invalid_field", field: "budget_sats"),
        Case("budget overflow", "POST", "/api/tasks?budget_sats=99999999999999999999", task, 422, "invalid_field", field: "budget_sats"),
        Case("budget Int64.max", "POST", "/api/tasks?budget_sats=9223372036854775807", task, 422, "invalid_field", field: "budget_sats"),
        Case("budget above 21M BTC", "POST", "/api/tasks?budget_sats=2100000000000001", task, 422, "invalid_field", field: "budget_sats"),
        Case("budget in body 1.5", "POST", "/api/tasks", #"{"task_type":"verify","title":"t","budget_sats":1.5}"#, 422, "invalid_field", field: "budget_sats"),
        Case("budget in body string", "POST", "/api/tasks", #"{"task_type":"verify","title":"t","budget_sats":"100"}"#, 422, "invalid_field", field: "budget_sats"),
        Case("budget in body 1e300", "POST", "/api/tasks", #"{"task_type":"verify","title":"t","budget_sats":1e300}"#, 422, "invalid_field", field: "budget_sats"),
        Case("budget in body huge int", "POST", "/api/tasks", #"{"task_type":"verify","title":"t","budget_sats":123456789012345678901234567890}"#, 422, "invalid_field", field: "budget_sats"),
        Case("budget query and body differ", "POST", "/api/tasks?budget_sats=100", #"{"task_type":"verify","title":"t","budget_sats":200}"#, 422, "invalid_field", field: "budget_sats"),
        Case("task_type missing", "POST", "/api/tasks?budget_sats=100", #"{"title":"t"}"#, 422, "missing_field", field: "task_type"),
        Case("task_type unknown", "POST", "/api/tasks?budget_sats=100", #"{"task_type":"guess","title":"t"}"#, 422, "invalid_field", field: "task_type"),
        Case("task_type number", "POST", "/api/tasks?budget_sats=100", #"{"task_type":1,"title":"t"}"#, 422, "invalid_field", field: "task_type"),
        Case("title missing", "POST", "/api/tasks?budget_sats=100", #"{"task_type":"verify"}"#, 422, "missing_field", field: "title"),
        Case("title too long", "POST", "/api/tasks?budget_sats=100", "{\"task_type\":\"verify\",\"title\":\"\(long300)\"}", 422, "invalid_field", field: "title"),
        Case("title bool", "POST", "/api/tasks?budget_sats=100", #"{"task_type":"verify","title":true}"#, 422, "invalid_field", field: "title"),
        Case("input string", "POST", "/api/tasks?budget_sats=100", #"{"task_type":"verify","title":"t","input":"url"}"#, 422, "invalid_field", field: "input"),
        Case("input too large", "POST", "/api/tasks?budget_sats=100", bigInput, 422, "invalid_field", field: "input"),
        Case("worker_type unknown", "POST", "/api/tasks?budget_sats=100", #"{"task_type":"verify","title":"t","worker_type":"robot"}"#, 422, "invalid_field", field: "worker_type"),
        Case("trust_mode unknown", "POST", "/api/tasks?budget_sats=100", #"{"task_type":"verify","title":"t","trust_mode":"maybe"}"#, 422, "invalid_field", field: "trust_mode"),
        Case("Bearer token", "POST", "/api/tasks?budget_sats=100", task, headers: [("Authorization", "Bearer abc")], 401, "invalid_credential"),
        Case("scheme only", "POST", "/api/tasks?budget_sats=100", task, headers: [("Authorization", "L402")], 401, "invalid_credential"),
        Case("no colon", "POST", "/api/tasks?budget_sats=100", task, headers: [("Authorization", "L402 abc")], 401, "invalid_credential"),
        Case("empty preimage", "POST", "/api/tasks?budget_sats=100", task, headers: [("Authorization", "L402 abc:")], 401, "invalid_credential"),
        Case("empty token", "POST", "/api/tasks?budget_sats=100", task, headers: [("Authorization", "LSAT :00")], 401, "invalid_credential"),
        Case("not base64", "POST", "/api/tasks?budget_sats=100", task, headers: [("Authorization", "L402 !!!$$$:00ff")], 401, "invalid_credential"),
        Case("valid base64, not a macaroon", "POST", "/api/tasks?budget_sats=100", task, headers: [("Authorization", "L402 aGVsbG8gd29ybGQ=:" + String(repeating: "0", count: 64))], 401, "invalid_credential"),
        Case("preimage not hex", "POST", "/api/tasks?budget_sats=100", task, headers: [("Authorization", "L402 AgEEbHNhdAJCAAA=:zz")], 401),
        Case("wrong sim preimage", "POST", "/api/tasks?budget_sats=100", task, headers: [("Authorization", "L402 sim_token:wrong")], 401),
        Case("whitespace inside", "POST", "/api/tasks?budget_sats=100", task, headers: [("Authorization", "L402 a b:c")], 401, "invalid_credential"),
        Case("control characters", "POST", "/api/tasks?budget_sats=100", task, headers: [("Authorization", "L402 \u{1}\u{7f}:\u{0}")], 401),
        Case("GET on tasks", "GET", "/api/tasks", 405, "method_not_allowed"),

        // GET /api/workers/feed
        Case("feed task_type", "GET", "/api/workers/feed?task_type=guess", 422, "invalid_field", field: "task_type"),
        Case("feed worker_type", "GET", "/api/workers/feed?worker_type=robot", 422, "invalid_field", field: "worker_type"),
        Case("feed budget_min -1", "GET", "/api/workers/feed?budget_min=-1", 422, "invalid_field", field: "budget_min"),
        Case("feed budget_min abc", "GET", "/api/workers/feed?budget_min=abc", 422, "invalid_field", field: "budget_min"),
        Case("feed budget_min overflow", "GET", "/api/workers/feed?budget_min=9223372036854775807", 422, "invalid_field", field: "budget_min"),
        Case("feed budget_min 1.5", "GET", "/api/workers/feed?budget_min=1.5", 422, "invalid_field", field: "budget_min"),
        Case("feed limit 0", "GET", "/api/workers/feed?limit=0", 422, "invalid_field", field: "limit"),
        Case("feed limit abc", "GET", "/api/workers/feed?limit=abc", 422, "invalid_field", field: "limit"),
        Case("feed limit -5", "GET", "/api/workers/feed?limit=-5", 422, "invalid_field", field: "limit"),
        Case("feed limit 101", "GET", "/api/workers/feed?limit=101", 422, "invalid_field", field: "limit"),
        Case("feed limit empty", "GET", "/api/workers/feed?limit=", 422, "invalid_field", field: "limit"),
        Case("feed limit huge", "GET", "/api/workers/feed?limit=99999999999999999999999", 422, "invalid_field", field: "limit"),
        Case("feed cursor garbage", "GET", "/api/workers/feed?cursor=garbage", 422, "invalid_field", field: "cursor"),
        Case("feed cursor negative", "GET", "/api/workers/feed?cursor=c-1", 422, "invalid_field", field: "cursor"),
        Case("feed cursor overflow", "GET", "/api/workers/feed?cursor=c99999999999999999999", 422, "invalid_field", field: "cursor"),
        Case("feed cursor encoded NUL", "GET", "/api/workers/feed?cursor=c1%00", 422, "invalid_field", field: "cursor"),
        Case("POST on feed", "POST", "/api/workers/feed", "{}", 405, "method_not_allowed"),

        // GET /api/tasks/{id}
        Case("unknown task", "GET", "/api/tasks/task_nope", 404, "task_not_found"),
        Case("encoded slash id", "GET", "/api/tasks/a%2Fb", 404, "task_not_found"),
        Case("real id plus encoded NUL and junk", "GET", "/api/tasks/{t}%00junk", 404, "task_not_found"),
        Case("real worker id plus encoded NUL", "GET", "/api/workers/{w}%00", 404, "worker_not_found"),
        Case("claim with NUL-suffixed worker id", "POST", "/api/tasks/{t}/claim", #"{"worker_id":"{w}\u0000x"}"#, 422, "invalid_field", field: "worker_id"),
        Case("PUT on a task", "PUT", "/api/tasks/{t}", "{}", 405, "method_not_allowed"),

        // POST /api/tasks/{id}/claim
        Case("claim without worker", "POST", "/api/tasks/{t}/claim", "{}", 422, "missing_field", field: "worker_id"),
        Case("claim empty body", "POST", "/api/tasks/{t}/claim", "", 400, "malformed_json"),
        Case("claim worker number", "POST", "/api/tasks/{t}/claim", #"{"worker_id":5}"#, 422, "invalid_field", field: "worker_id"),
        Case("claim worker empty", "POST", "/api/tasks/{t}/claim", #"{"worker_id":""}"#, 422, "invalid_field", field: "worker_id"),
        Case("claim worker too long", "POST", "/api/tasks/{t}/claim", "{\"worker_id\":\"\(long300)\"}", 422, "invalid_field", field: "worker_id"),
        Case("claim unknown worker", "POST", "/api/tasks/{t}/claim", #"{"worker_id":"wrk_nope"}"#, 404, "worker_not_found"),
        Case("claim unknown task", "POST", "/api/tasks/task_nope/claim", #"{"worker_id":"{w}"}"#, 404, "task_not_found"),
        Case("GET claim", "GET", "/api/tasks/{t}/claim", 405, "method_not_allowed"),

        // POST /api/tasks/{id}/submit
        Case("submit without worker", "POST", "/api/tasks/{c}/submit", #"{"answer_json":1,"confidence":0.5}"#, 422, "missing_field", field: "worker_id"),
        Case("submit without answer", "POST", "/api/tasks/{c}/submit", #"{"worker_id":"{w}","confidence":0.5}"#, 422, "missing_field", field: "answer_json"),
        Case("submit null answer", "POST", "/api/tasks/{c}/submit", #"{"worker_id":"{w}","answer_json":null,"confidence":0.5}"#, 422, "missing_field", field: "answer_json"),
        Case("submit answer too large", "POST", "/api/tasks/{c}/submit", bigAnswer, 422, "invalid_field", field: "answer_json"),
        Case("submit without confidence", "POST", "/api/tasks/{c}/submit", #"{"worker_id":"{w}","answer_json":1}"#, 422, "missing_field", field: "confidence"),
        Case("submit confidence 1.5", "POST", "/api/tasks/{c}/submit", #"{"worker_id":"{w}","answer_json":1,"confidence":1.5}"#, 422, "invalid_field", field: "confidence"),
        Case("submit confidence -0.1", "POST", "/api/tasks/{c}/submit", #"{"worker_id":"{w}","answer_json":1,"confidence":-0.1}"#, 422, "invalid_field", field: "confidence"),
        Case("submit confidence string", "POST", "/api/tasks/{c}/submit", #"{"worker_id":"{w}","answer_json":1,"confidence":"high"}"#, 422, "invalid_field", field: "confidence"),
        Case("submit confidence 1e400", "POST", "/api/tasks/{c}/submit", #"{"worker_id":"{w}","answer_json":1,"confidence":1e400}"#, 400, "malformed_json"),
        Case("submit proof not a URL", "POST", "/api/tasks/{c}/submit", #"{"worker_id":"{w}","answer_json":1,"confidence":0.5,"proof_url":"not a url"}"#, 422, "invalid_field", field: "proof_url"),
        Case("submit proof javascript", "POST", "/api/tasks/{c}/submit", #"{"worker_id":"{w}","answer_json":1,"confidence":0.5,"proof_url":"javascript:alert(1)"}"#, 422, "invalid_field", field: "proof_url"),
        Case("submit proof without host", "POST", "/api/tasks/{c}/submit", #"{"worker_id":"{w}","answer_json":1,"confidence":0.5,"proof_url":"https:///x"}"#, 422, "invalid_field", field: "proof_url"),
        Case("submit proof with space", "POST", "/api/tasks/{c}/submit", #"{"worker_id":"{w}","answer_json":1,"confidence":0.5,"proof_url":"https://exa mple.com"}"#, 422, "invalid_field", field: "proof_url"),
        Case("submit proof number", "POST", "/api/tasks/{c}/submit", #"{"worker_id":"{w}","answer_json":1,"confidence":0.5,"proof_url":5}"#, 422, "invalid_field", field: "proof_url"),
        Case("submit proof too long", "POST", "/api/tasks/{c}/submit", "{\"worker_id\":\"{w}\",\"answer_json\":1,\"confidence\":0.5,\"proof_url\":\"https://e.com/\(String(repeating: "p", count: 2100))\"}", 422, "invalid_field", field: "proof_url"),
        Case("submit unknown task", "POST", "/api/tasks/task_nope/submit", #"{"worker_id":"{w}","answer_json":1,"confidence":0.5}"#, 404, "task_not_found"),
        Case("submit unknown worker", "POST", "/api/tasks/{c}/submit", #"{"worker_id":"wrk_nope","answer_json":1,"confidence":0.5}"#, 404, "worker_not_found"),
        Case("GET submit", "GET", "/api/tasks/{c}/submit", 405, "method_not_allowed"),

        // POST /api/tasks/{id}/release and /reject
        Case("release unknown", "POST", "/api/tasks/task_nope/release", 404, "task_not_found"),
        Case("release garbage credential", "POST", "/api/tasks/{c}/release", headers: [("Authorization", "Basic Zm9vOmJhcg==")], 401, "invalid_credential"),
        Case("GET release", "GET", "/api/tasks/{c}/release", 405, "method_not_allowed"),
        Case("reject reason number", "POST", "/api/tasks/{c}/reject", #"{"reason":5}"#, headers: [("Authorization", "L402 sim_token:sim_valid_preimage")], 422, "invalid_field", field: "reason"),
        Case("reject reason too long", "POST", "/api/tasks/{c}/reject", "{\"reason\":\"\(String(repeating: "r", count: 1001))\"}", headers: [("Authorization", "L402 sim_token:sim_valid_preimage")], 422, "invalid_field", field: "reason"),
        Case("reject without credential", "POST", "/api/tasks/{c}/reject", "{}", 401, "requester_credential_required"),
        Case("reject unknown", "POST", "/api/tasks/task_nope/reject", headers: [("Authorization", "L402 sim_token:sim_valid_preimage")], 404, "task_not_found"),
        Case("reject claimed task", "POST", "/api/tasks/{c}/reject", headers: [("Authorization", "L402 sim_token:sim_valid_preimage")], 409, "invalid_state"),
        Case("DELETE reject", "DELETE", "/api/tasks/{c}/reject", 405, "method_not_allowed"),

        // GET /api/workers/{id}/payouts
        Case("payouts unknown", "GET", "/api/workers/wrk_nope/payouts", 404, "worker_not_found"),
        Case("POST payouts", "POST", "/api/workers/{w}/payouts", 405, "method_not_allowed"),

        // POST /sim/lightning/wallets
        Case("wallet negative", "POST", "/sim/lightning/wallets", #"{"balance_sats":-1}"#, 422, "invalid_field", field: "balance_sats"),
        Case("wallet string", "POST", "/sim/lightning/wallets", #"{"balance_sats":"10"}"#, 422, "invalid_field", field: "balance_sats"),
        Case("wallet 1.5", "POST", "/sim/lightning/wallets", #"{"balance_sats":1.5}"#, 422, "invalid_field", field: "balance_sats"),
        Case("wallet 1e30", "POST", "/sim/lightning/wallets", #"{"balance_sats":1e30}"#, 422, "invalid_field", field: "balance_sats"),
        Case("wallet above 21M BTC", "POST", "/sim/lightning/wallets", #"{"balance_sats":2100000000000001}"#, 422, "invalid_field", field: "balance_sats"),
        Case("wallet Int64.max", "POST", "/sim/lightning/wallets", #"{"balance_sats":9223372036854775807}"#, 422, "invalid_field", field: "balance_sats"),
        Case("GET wallets", "GET", "/sim/lightning/wallets", 405, "method_not_allowed"),
        Case("unknown wallet balance", "GET", "/sim/lightning/wallets/wal_nope", 404, "wallet_not_found"),

        // POST /sim/lightning/pay
        Case("pay without invoice", "POST", "/sim/lightning/pay", "{}", 422, "missing_field", field: "invoice"),
        Case("pay invoice number", "POST", "/sim/lightning/pay", #"{"invoice":5}"#, 422, "invalid_field", field: "invoice"),
        Case("pay invoice empty", "POST", "/sim/lightning/pay", #"{"invoice":""}"#, 422, "invalid_field", field: "invoice"),
        Case("pay invoice garbage", "POST", "/sim/lightning/pay", #"{"invoice":"lnbc1garbage"}"#, 422, "invalid_invoice", field: "invoice"),
        Case("pay invoice too long", "POST", "/sim/lightning/pay", "{\"invoice\":\"lnbcrt\(String(repeating: "q", count: 7100))\"}", 422, "invalid_field", field: "invoice"),
        Case("pay wallet_id number", "POST", "/sim/lightning/pay", #"{"invoice":"lnbc1x","wallet_id":5}"#, 422, "invalid_field", field: "wallet_id"),
        Case("GET pay", "GET", "/sim/lightning/pay", 405, "method_not_allowed"),

        // GET /api/market
        Case("POST market", "POST", "/api/market", "{}", 405, "method_not_allowed"),
        Case("DELETE market", "DELETE", "/api/market", 405, "method_not_allowed"),

        // Unknown paths and odd methods
        Case("POST on the dashboard", "POST", "/", "{}", 405, "method_not_allowed"),
        Case("dashboard page under another name", "GET", "/index.html", 404, "not_found"),
        Case("api root", "GET", "/api", 404, "not_found"),
        Case("unknown api", "GET", "/api/nope", 404, "not_found"),
        Case("unknown task action", "POST", "/api/tasks/{t}/explode", "{}", 404, "not_found"),
        Case("too deep", "GET", "/api/tasks/{t}/claim/extra", 404, "not_found"),
        Case("sim root", "GET", "/sim/lightning", 404, "not_found"),
        Case("empty method", "", "/api/market", 405, "method_not_allowed"),
        Case("unknown method", "BREW", "/api/workers", 405, "method_not_allowed"),
        Case("path traversal", "GET", "/api/../../etc/passwd", 404, "not_found"),
    ]

    @Test(arguments: generic)
    func badInputGetsA4xxNamingTheField(_ c: Case) throws {
        let f = try Fixture()
        let r = f.send(c)
        expectAPIError(r, c.status, c.code, field: c.field)
        #expect(r.status < 500)
        #expect(r.response.header("Content-Type") == "application/json")
        if c.status == 405 {
            let allow = try #require(r.response.header("Allow"))
            #expect(allow == "POST" || allow == "GET, HEAD")
        }
    }

    @Test func wrongMethodsNameTheAllowedOnes() throws {
        let f = try Fixture()
        let expectations: [(String, String, String)] = [
            ("GET", "/api/workers", "POST"), ("PUT", "/api/workers/{w}", "GET, HEAD"), ("POST", "/api/market", "GET, HEAD"),
            ("DELETE", "/api/tasks/{t}/claim", "POST"), ("PATCH", "/api/workers/{w}/payouts", "GET, HEAD"),
            ("GET", "/sim/lightning/pay", "POST"), ("GET", "/api/tasks", "POST"),
        ]
        for (method, target, allow) in expectations {
            let r = f.m.call(method, f.fill(target))
            expectAPIError(r, 405, "method_not_allowed")
            #expect(r.response.header("Allow") == allow, "\(method) \(target)")
        }
    }

    @Test func oversizedBodiesAre413() throws {
        let f = try Fixture()
        let big = [UInt8](repeating: 0x20, count: f.m.router.maxBodyBytes + 1)
        for target in ["/api/workers", "/api/tasks?budget_sats=100", "/api/tasks/\(f.open)/claim", "/sim/lightning/pay", "/api/market"] {
            expectAPIError(f.m.call("POST", target, rawBody: big), 413, "payload_too_large")
        }
        // A router with a small limit applies it before anything else, even for GET.
        let small = try MarketRouter(service: f.m.service, maxBodyBytes: 64)
        let body = Array(#"{"display_name":"Alice Tester","lightning_address":"alice@getalby.com","type":"human"}"#.utf8)
        let r = small.handle(HTTPRequest(method: "POST", target: "/api/workers", body: body))
        #expect(r.status == 413)
        #expect((try? JSONValue.parse(r.body))?["error"]?["code"] == "payload_too_large")
        #expect(small.handle(HTTPRequest(method: "GET", target: "/api/market", body: body)).status == 413)
        #expect(small.handle(HTTPRequest(method: "POST", target: "/api/workers", body: Array(body.prefix(64)))).status == 400)
    }

    @Test func strictModeRefusesTheDemoTokenAndDemoWallet() throws {
        let f = try Fixture(mode: .strict)
        let r = f.m.call("POST", "/api/tasks?budget_sats=100", body: MarketHarness.seedTaskBody, headers: [MarketHarness.simAuth])
        expectAPIError(r, 401, "invalid_credential")
        #expect(r.json["error"]?["message"]?.stringValue?.contains("demo mode") == true)
        let gate = f.m.call("POST", "/api/tasks?budget_sats=100", body: MarketHarness.seedTaskBody)
        let invoice = try #require(gate.json["error"]?["invoice"]?.stringValue)
        expectAPIError(f.m.call("POST", "/sim/lightning/pay", body: ["invoice": .string(invoice)]), 422, "missing_field", field: "wallet_id")
    }

    @Test func payRefusesUnknownWalletsSpentAndExpiredInvoices() throws {
        let f = try Fixture()
        func invoice() throws -> String {
            let gate = f.m.call("POST", "/api/tasks?budget_sats=100", body: MarketHarness.seedTaskBody)
            return try #require(gate.json["error"]?["invoice"]?.stringValue)
        }
        let a = try invoice()
        expectAPIError(f.m.call("POST", "/sim/lightning/pay", body: ["invoice": .string(a), "wallet_id": "wal_nope"]), 404, "wallet_not_found")
        #expect(f.m.call("POST", "/sim/lightning/pay", body: ["invoice": .string(a)]).status == 200)
        expectAPIError(f.m.call("POST", "/sim/lightning/pay", body: ["invoice": .string(a)]), 409, "invoice_already_paid")
        let b = try invoice()
        f.m.advance(minutes: 61)
        expectAPIError(f.m.call("POST", "/sim/lightning/pay", body: ["invoice": .string(b)]), 409, "invoice_expired")
        // A poor wallet: the payment is reported as failed, not as a server error.
        let c = try invoice()
        let wallet = try #require(f.m.call("POST", "/sim/lightning/wallets", body: ["balance_sats": 5]).json["wallet"]?["id"]?.stringValue)
        let poor = f.m.call("POST", "/sim/lightning/pay", body: ["invoice": .string(c), "wallet_id": .string(wallet)])
        #expect(poor.status < 500)
        #expect(poor.json["status"] == "failed")
        #expect(poor.json["failure_reason"]?.stringValue?.contains("insufficient") == true)
    }

    @Test func hugeButValidBudgetsAreHandled() throws {
        let f = try Fixture()
        let max: Int64 = 2_100_000_000_000_000
        let gate = f.m.call("POST", "/api/tasks?budget_sats=\(max)", body: MarketHarness.seedTaskBody.objectValue.map { var b = $0; b["budget_sats"] = .int(max); return .object(b) })
        #expect(gate.status == 402)
        #expect(gate.json["error"]?["amount_msat"] == .int(max * 1000))
        let wallet = f.m.call("POST", "/sim/lightning/wallets", body: ["balance_sats": .int(max)])
        #expect(wallet.status == 201)
        #expect(wallet.json["wallet"]?["balance_msat"] == .int(max * 1000))
        let task = try f.m.createTask(budget: max, trust: "auto")
        #expect(f.m.task(task)["budget_msat"] == .int(max * 1000))
    }

    // MARK: Fuzz

    @Test func seededFuzzNeverProducesA5xx() throws {
        let f = try Fixture()
        let rng = SeededRandom(seed: 0xF022)
        func pick<T>(_ xs: [T]) -> T { xs[Int(rng.uniform(UInt64(xs.count)))] }
        let methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "", "get", "post", "BREW"]
        let ids = [f.worker, f.open, f.claimed, f.worker, f.open, f.claimed, "wrk_nope", "task_nope", "", "%00", "%ZZ", "..", "feed", "payouts",
                   String(repeating: "x", count: 300), "é", "🙂", "a%2Fb", "c1"]
        // Each path with the method it expects; a random method replaces it now and then (405s).
        let paths: [(String, String)] = [
            ("POST", "/api/workers"), ("GET", "/api/workers/{id}"), ("GET", "/api/workers/feed"), ("GET", "/api/workers/{id}/payouts"),
            ("POST", "/api/tasks"), ("POST", "/api/tasks?budget_sats=100"), ("GET", "/api/tasks/{id}"), ("POST", "/api/tasks/{id}/claim"),
            ("POST", "/api/tasks/{id}/submit"), ("POST", "/api/tasks/{id}/release"), ("POST", "/api/tasks/{id}/reject"),
            ("POST", "/sim/lightning/wallets"), ("GET", "/sim/lightning/wallets/{id}"), ("POST", "/sim/lightning/pay"),
            ("GET", "/api/market"), ("GET", "/healthz"), ("GET", "/"), ("GET", "/api/{id}"), ("POST", "/{id}/{id}/{id}/{id}/{id}"),
        ]
        let queryNames = ["budget_sats", "limit", "cursor", "task_type", "worker_type", "budget_min", "x", ""]
        let queryValues = ["100", "0", "-1", "1.5", "abc", "", "c1", "c-5", "99999999999999999999", "verify", "human", "any",
                           "%00", "%FF", "+", "2100000000000000", "9223372036854775807"]
        let validBodies: [JSONValue] = [
            MarketHarness.aliceBody, MarketHarness.seedTaskBody, ["worker_id": .string(f.worker)],
            ["worker_id": .string(f.worker), "answer_json": ["a": 1], "confidence": 0.5, "proof_url": "https://e.com/p"],
            ["balance_sats": 1_000], ["invoice": "lnbcrt1garbage"], ["reason": "no"], [:],
        ]
        let values: [JSONValue] = [.null, true, 0, -1, 1.5, 1e300, "", "x", "https://e.com", [], [:], ["a": [1, [2, [3]]]],
                                   .int(Int64.max), .int(Int64.min), .string(String(repeating: "s", count: 400))]
        let authHeaders = ["", "", "", "", "", "L402 sim_token:sim_valid_preimage", "L402 sim_token:sim_valid_preimage", "L402", "LSAT x:y", "Bearer z", "L402 ::::",
                           "L402 \(String(repeating: "A", count: 5000)):00", "l402 sim_token:sim_valid_preimage"]

        var statuses: [Int: Int] = [:]
        for i in 0..<3_000 {
            var (method, target) = pick(paths)
            if rng.uniform(7) == 0 { method = pick(methods) }
            while let r = target.range(of: "{id}") { target.replaceSubrange(r, with: pick(ids)) }
            if rng.uniform(2) == 0 {
                let n = Int(rng.uniform(4)) + 1
                target += (target.contains("?") ? "&" : "?") + (0..<n).map { _ in "\(pick(queryNames))=\(pick(queryValues))" }.joined(separator: "&")
            }
            var body: [UInt8]
            switch rng.uniform(6) {
            case 0: body = []
            case 1: body = pick(validBodies).serialized()
            case 2:
                // A valid body with one field replaced by a value of a random type.
                var object = pick(validBodies).objectValue ?? [:]
                let key = object.keys.sorted().first ?? "worker_id"
                object[rng.uniform(3) == 0 ? "extra" : key] = pick(values)
                body = JSONValue.object(object).serialized()
            case 3:
                // Byte-level mutations: flips, insertions, truncation.
                body = pick(validBodies).serialized()
                for _ in 0..<(Int(rng.uniform(4)) + 1) where !body.isEmpty {
                    let at = Int(rng.uniform(UInt64(body.count)))
                    switch rng.uniform(3) {
                    case 0: body[at] = UInt8(truncatingIfNeeded: rng.nextUInt64())
                    case 1: body.insert(UInt8(truncatingIfNeeded: rng.nextUInt64()), at: at)
                    default: body.removeLast(body.count - at)
                    }
                }
            case 4: body = (0..<Int(rng.uniform(64))).map { _ in UInt8(truncatingIfNeeded: rng.nextUInt64()) }
            default: body = pick(values).serialized()
            }
            var headers: [(String, String)] = [("Content-Type", "application/json")]
            let auth = pick(authHeaders)
            if !auth.isEmpty { headers.append(("Authorization", auth)) }
            if i % 500 == 499 { f.m.advance(minutes: Int64(rng.uniform(600))) }

            let r = f.m.call(method, target, rawBody: body, headers: headers)
            statuses[r.status, default: 0] += 1
            #expect(r.status < 500, "\(method) \(target) body \(String(decoding: body, as: UTF8.self).prefix(200)) -> \(r.status) \(r.json)")
            // Everything is JSON but the dashboard page itself (GET / is HTML).
            let isPage = r.status == 200 && r.response.header("Content-Type")?.hasPrefix("text/html") == true
            #expect(isPage || (try? JSONValue.parse(r.response.body)) != nil, "\(method) \(target): unparseable response")
            if r.status >= 400 {
                #expect(r.json["error"]?["code"]?.stringValue?.isEmpty == false && r.json["error"]?["message"]?.stringValue?.isEmpty == false,
                        "\(method) \(target) -> \(r.status) \(r.json)")
            }
        }
        // The fuzz reached both successes and the main error classes.
        for status in [200, 400, 401, 402, 404, 405, 409, 422] {
            #expect(statuses[status, default: 0] > 0, "no \(status) in \(statuses.sorted { $0.key < $1.key })")
        }
        #expect(try MarketFigures.compute(f.m.service).ledger.isBalanced)
    }
}
