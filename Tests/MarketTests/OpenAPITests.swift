import Foundation
import HTTPKit
import JSON
import Lightning
import Testing
@testable import Market

/// Keeps `GET /api/openapi.json` true: the router's route table and the document list the same operations, every
/// `$ref` resolves, and real responses from the router (success and error) fit the documented schemas.
@Suite struct OpenAPITests {
    static let doc = OpenAPIDocument.document
    static let methods: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    static var documentedOperations: Set<String> {
        var out: Set<String> = []
        for (path, item) in doc["paths"]?.objectValue ?? [:] {
            for key in (item.objectValue ?? [:]).keys where methods.contains(key) { out.insert("\(key.uppercased()) \(path)") }
        }
        return out
    }

    @Test func documentIsOpenAPI31() {
        #expect(Self.doc["openapi"] == "3.1.0")
        #expect(Self.doc["info"]?["title"]?.stringValue != nil)
    }

    @Test func everyRouteIsDocumentedAndEveryDocumentedOperationIsARoute() {
        let routes = Set(MarketRouter.routes.map(\.description))
        let documented = Self.documentedOperations
        #expect(routes.subtracting(documented).isEmpty, "routes missing from the OpenAPI document: \(routes.subtracting(documented).sorted())")
        #expect(documented.subtracting(routes).isEmpty, "documented operations the router does not have: \(documented.subtracting(routes).sorted())")
        #expect(routes.count == MarketRouter.routes.count, "the route table lists an operation twice")
    }

    @Test func servedDocumentIsTheDocument() throws {
        let m = try MarketHarness()
        let r = m.call("GET", "/api/openapi.json")
        #expect(r.status == 200)
        #expect(r.json == Self.doc)
    }

    /// The router answers every route in its table (no `not_found`, no 405), and refuses other methods with 405.
    @Test(arguments: MarketRouter.routes)
    func routerAnswersEveryRouteInItsTable(_ route: APIRoute) throws {
        let m = try MarketHarness()
        let path = route.path.replacingOccurrences(of: "{worker_id}", with: "wrk_x")
            .replacingOccurrences(of: "{task_id}", with: "task_x").replacingOccurrences(of: "{wallet_id}", with: "wal_x")
        let r = m.call(route.method, path, rawBody: route.method == "POST" ? Array("{}".utf8) : nil)
        #expect(r.status != 405 && r.json["error"]?["code"] != "not_found", "\(route): \(r.status) \(r.json)")
        let other = route.method == "GET" ? "DELETE" : "GET"
        let wrong = m.call(other, path)
        #expect(wrong.status == 405 && wrong.response.header("Allow") != nil, "\(other) \(route.path): \(wrong.status)")
    }

    @Test func unknownPathsAreNotFound() throws {
        let m = try MarketHarness()
        for path in ["/api", "/api/nope", "/api/workers/a/b/c", "/sim/lightning", "/index.html"] {
            let r = m.call("GET", path)
            #expect(r.status == 404 && r.json["error"]?["code"] == "not_found", "\(path): \(r.status)")
        }
    }

    @Test func everyRefResolves() {
        var refs: [String] = []
        func walk(_ v: JSONValue) {
            switch v {
            case .object(let o):
                if let r = o["$ref"]?.stringValue { refs.append(r) }
                o.values.forEach(walk)
            case .array(let a): a.forEach(walk)
            default: break
            }
        }
        walk(Self.doc)
        #expect(!refs.isEmpty)
        for r in refs { #expect(OpenAPIValidator(document: Self.doc).resolve(r) != nil, "unresolved \(r)") }
    }

    /// The whole seed flow plus the real L402 path, the simulated Lightning endpoints, review-mode reject and a
    /// spread of errors: each response's status must be documented for its operation and its JSON must fit.
    @Test func realResponsesFitTheDocumentedSchemas() throws {
        let m = try MarketHarness()
        let validator = OpenAPIValidator(document: Self.doc)
        var checked = 0
        func check(_ method: String, _ target: String, body: JSONValue? = nil, raw: String? = nil, headers: [(String, String)] = [],
                   expect status: Int, sourceLocation: SourceLocation = #_sourceLocation) -> JSONValue {
            let r = m.call(method, target, body: body, rawBody: raw.map { Array($0.utf8) }, headers: headers)
            #expect(r.status == status, "\(method) \(target): \(r.status) \(r.json)", sourceLocation: sourceLocation)
            let problems = validator.validate(method: method, target: target, response: r.response)
            #expect(problems.isEmpty, "\(method) \(target) \(r.status): \(problems)", sourceLocation: sourceLocation)
            checked += 1
            return r.json
        }
        let auth = MarketHarness.simAuth
        _ = check("GET", "/healthz", expect: 200)
        _ = check("GET", "/api/market", expect: 200)
        _ = check("GET", "/", expect: 200)
        let worker = try #require(check("POST", "/api/workers", body: MarketHarness.aliceBody, expect: 201)["worker"]?["id"]?.stringValue)
        _ = check("GET", "/api/workers/\(worker)", expect: 200)
        let gate = check("POST", "/api/tasks?budget_sats=100", body: MarketHarness.seedTaskBody, expect: 402)
        let task = try #require(check("POST", "/api/tasks?budget_sats=100", body: MarketHarness.seedTaskBody, headers: [auth], expect: 201)["task"]?["id"]?.stringValue)
        _ = check("GET", "/api/workers/feed?task_type=verify&worker_type=human&budget_min=100", expect: 200)
        _ = check("GET", "/api/workers/feed?limit=1", expect: 200)
        _ = check("GET", "/api/tasks/\(task)", expect: 200)
        _ = check("POST", "/api/tasks/\(task)/claim", body: ["worker_id": .string(worker)], expect: 200)
        _ = check("POST", "/api/tasks/\(task)/claim", body: ["worker_id": .string(worker)], expect: 409)
        _ = check("POST", "/api/tasks/\(task)/submit", body: [
            "worker_id": .string(worker), "answer_json": ["answer": "yes", "notes": "URL returns 200, verified manually"],
            "confidence": 0.95, "proof_url": "https://example.com/proof.png",
        ], expect: 200)
        _ = check("GET", "/api/tasks/\(task)", expect: 200)
        _ = check("POST", "/api/tasks/\(task)/release", expect: 200)
        _ = check("POST", "/api/tasks/\(task)/release", expect: 200)
        _ = check("GET", "/api/workers/\(worker)/payouts", expect: 200)
        _ = check("GET", "/api/market", expect: 200)

        // The real L402 path.
        let invoice = try #require(gate["error"]?["invoice"]?.stringValue)
        let macaroon = try #require(gate["error"]?["macaroon"]?.stringValue)
        let wallet = try #require(check("POST", "/sim/lightning/wallets", body: ["balance_sats": 1000], expect: 201)["wallet"]?["id"]?.stringValue)
        _ = check("GET", "/sim/lightning/wallets/\(wallet)", expect: 200)
        let paid = check("POST", "/sim/lightning/pay", body: ["invoice": .string(invoice), "wallet_id": .string(wallet)], expect: 200)
        let preimage = try #require(paid["preimage"]?.stringValue)
        let credential = ("Authorization", "L402 \(macaroon):\(preimage)")
        _ = check("POST", "/api/tasks?budget_sats=100", body: MarketHarness.seedTaskBody, headers: [credential], expect: 201)
        _ = check("POST", "/api/tasks?budget_sats=100", body: MarketHarness.seedTaskBody, headers: [credential], expect: 200)
        var other = MarketHarness.seedTaskBody.objectValue ?? [:]
        other["title"] = "Another task"
        _ = check("POST", "/api/tasks?budget_sats=100", body: .object(other), headers: [credential], expect: 402)
        _ = check("POST", "/sim/lightning/pay", body: ["invoice": .string(invoice)], expect: 409)

        // Review mode: reject reopens the task.
        let review = try m.createTask(trust: "review")
        m.claim(review, by: worker)
        m.submit(review, by: worker)
        _ = check("POST", "/api/tasks/\(review)/reject", body: ["reason": "no proof"], headers: [auth], expect: 200)

        // Errors.
        _ = check("GET", "/api/workers/wrk_nope", expect: 404)
        _ = check("GET", "/api/workers/wrk_nope/payouts", expect: 404)
        _ = check("GET", "/api/tasks/task_nope", expect: 404)
        _ = check("GET", "/sim/lightning/wallets/wal_nope", expect: 404)
        _ = check("POST", "/api/workers", raw: "{bad", expect: 400)
        _ = check("POST", "/api/workers", body: ["display_name": "A", "lightning_address": "nope", "type": "human"], expect: 422)
        _ = check("POST", "/api/tasks?budget_sats=100", body: MarketHarness.seedTaskBody, headers: [("Authorization", "L402 abc:00")], expect: 401)
        _ = check("GET", "/api/workers/feed?limit=0", expect: 422)
        _ = check("POST", "/sim/lightning/pay", body: ["invoice": "lnbc1garbage"], expect: 422)
        _ = check("POST", "/api/tasks/\(task)/submit", body: ["worker_id": .string(worker), "answer_json": 1, "confidence": 2], expect: 422)
        #expect(checked >= 36)
    }

    /// The validator itself catches what it is there to catch.
    @Test func validatorRejectsMissingKeysWrongTypesAndUndocumentedKeys() {
        let v = OpenAPIValidator(document: Self.doc)
        let worker = OpenAPIDocument.ref("WorkerSummary")
        let good: JSONValue = ["id": "w", "display_name": "A", "type": "ai", "reputation_score": 1, "tier": "new"]
        #expect(v.validate(good, worker).isEmpty)
        var missing = good.objectValue ?? [:]
        missing["tier"] = nil
        #expect(!v.validate(.object(missing), worker).isEmpty)
        var wrongType = good.objectValue ?? [:]
        wrongType["reputation_score"] = "1"
        #expect(!v.validate(.object(wrongType), worker).isEmpty)
        var wrongEnum = good.objectValue ?? [:]
        wrongEnum["tier"] = "guru"
        #expect(!v.validate(.object(wrongEnum), worker).isEmpty)
        var extra = good.objectValue ?? [:]
        extra["secret"] = "x"
        #expect(!v.validate(.object(extra), worker).isEmpty)
        #expect(v.validate(.null, OpenAPIDocument.nullableRef("WorkerSummary")).isEmpty)
        #expect(!v.validate(.int(3), OpenAPIDocument.nullableRef("WorkerSummary")).isEmpty)
    }
}

/// A structural JSON Schema check against the document: `$ref`, `anyOf`, `type` (one or a list), `enum`,
/// `required`, `properties` (keys not declared are reported, so the document stays complete), `items`,
/// `minimum`/`maximum`. Enough to keep the description honest; not a full JSON Schema implementation.
struct OpenAPIValidator {
    let document: JSONValue

    func resolve(_ ref: String) -> JSONValue? {
        guard ref.hasPrefix("#/") else { return nil }
        var node: JSONValue? = document
        for part in ref.dropFirst(2).split(separator: "/") { node = node?[String(part)] }
        return node
    }

    /// Problems with `response` for the operation that `method target` reaches; empty when it fits.
    func validate(method: String, target: String, response: HTTPResponse) -> [String] {
        let (path, _) = HTTPRequest.splitTarget(target)
        let segments = path.split(separator: "/", omittingEmptySubsequences: true).map { HTTPRequest.percentDecode(String($0)) }
        guard let route = MarketRouter.routes.first(where: { $0.method == method && $0.match(segments) != nil }) else {
            return ["no route for \(method) \(path)"]
        }
        guard var spec = document["paths"]?[route.path]?[method.lowercased()]?["responses"]?[String(response.status)] else {
            return ["status \(response.status) is not documented for \(route)"]
        }
        if let ref = spec["$ref"]?.stringValue {
            guard let resolved = resolve(ref) else { return ["unresolved \(ref)"] }
            spec = resolved
        }
        var problems: [String] = []
        for (name, header) in spec["headers"]?.objectValue ?? [:] where header["required"] == true && response.header(name) == nil {
            problems.append("header \(name) is documented as required but missing")
        }
        let contentType = response.header("Content-Type")?.split(separator: ";").first.map(String.init) ?? ""
        guard let media = spec["content"]?[contentType] else {
            return problems + ["content type \(contentType) is not documented for \(route) \(response.status)"]
        }
        guard contentType == "application/json" else { return problems }
        guard let body = try? JSONValue.parse(response.body) else { return problems + ["the body is not JSON"] }
        return problems + validate(body, media["schema"] ?? [:])
    }

    func validate(_ value: JSONValue, _ schema: JSONValue, at path: String = "$") -> [String] {
        if let ref = schema["$ref"]?.stringValue {
            guard let target = resolve(ref) else { return ["\(path): unresolved \(ref)"] }
            return validate(value, target, at: path)
        }
        if let options = schema["anyOf"]?.arrayValue {
            return options.contains { validate(value, $0, at: path).isEmpty } ? [] : ["\(path): fits none of anyOf"]
        }
        var problems: [String] = []
        if let type = schema["type"] {
            let allowed = type.arrayValue?.compactMap(\.stringValue) ?? [type.stringValue].compactMap { $0 }
            if !allowed.contains(where: { Self.isType(value, $0) }) {
                return ["\(path): expected \(allowed.joined(separator: " or ")), got \(value.typeName)"]
            }
        }
        if let options = schema["enum"]?.arrayValue, !options.contains(value) {
            problems.append("\(path): \(value) is not one of \(options)")
        }
        if let d = value.doubleValue {
            if let min = schema["minimum"]?.doubleValue, d < min { problems.append("\(path): \(d) < minimum \(min)") }
            if let max = schema["maximum"]?.doubleValue, d > max { problems.append("\(path): \(d) > maximum \(max)") }
        }
        if case .object(let o) = value {
            for key in schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where o[key] == nil {
                problems.append("\(path): missing required key \(key)")
            }
            if let properties = schema["properties"]?.objectValue {
                for (key, v) in o.sorted(by: { $0.key < $1.key }) {
                    if let sub = properties[key] {
                        problems += validate(v, sub, at: "\(path).\(key)")
                    } else {
                        problems.append("\(path): key \(key) is not documented")
                    }
                }
            }
        }
        if case .array(let a) = value, let items = schema["items"] {
            for (i, v) in a.enumerated() { problems += validate(v, items, at: "\(path)[\(i)]") }
        }
        return problems
    }

    static func isType(_ v: JSONValue, _ type: String) -> Bool {
        switch (type, v) {
        case ("null", .null), ("boolean", .bool), ("integer", .int), ("number", .int), ("number", .double),
             ("string", .string), ("array", .array), ("object", .object): return true
        default: return false
        }
    }
}
