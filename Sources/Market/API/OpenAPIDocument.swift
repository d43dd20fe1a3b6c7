import JSON

/// The OpenAPI 3.1 description of every route in `MarketRouter.routes` (served at `GET /api/openapi.json`).
/// `OpenAPITests` keeps it true: every route documented and nothing else, and real responses fit its schemas.
public enum OpenAPIDocument {
    /// The whole document.
    public static let document: JSONValue = [
        "openapi": "3.1.0",
        "info": [
            "title": "ProofLayer market API",
            "version": "1.0.0",
            "description": .string("""
                Agent uncertainty = paid task. L402 in, worker resolves, JSON out. Every error is \
                {"error": {"code", "message"}} with a fitting status; no input produces a 5xx. \
                See SPEC.md section 6.
                """),
        ],
        "servers": [["url": "/"]],
        "paths": .object(paths),
        "components": [
            "schemas": .object(schemas),
            "responses": .object(errorResponses),
            "securitySchemes": [
                "L402": [
                    "type": "http",
                    "scheme": "L402",
                    "description": "Authorization: L402 <base64 macaroon>:<hex preimage> (LSAT accepted). Demo mode also accepts L402 sim_token:sim_valid_preimage.",
                ],
            ],
        ],
    ]

    // MARK: Schema helpers

    static func ref(_ name: String) -> JSONValue { ["$ref": .string("#/components/schemas/\(name)")] }
    static func type(_ t: String, _ extra: [String: JSONValue] = [:]) -> JSONValue {
        var o = extra
        o["type"] = .string(t)
        return .object(o)
    }
    static func nullable(_ t: String, _ extra: [String: JSONValue] = [:]) -> JSONValue {
        var o = extra
        o["type"] = [.string(t), "null"]
        return .object(o)
    }
    static func nullableRef(_ name: String) -> JSONValue { ["anyOf": [ref(name), ["type": "null"]]] }
    static func enumeration(_ values: [String]) -> JSONValue { ["type": "string", "enum": .array(values.map { .string($0) })] }
    static func object(_ properties: [String: JSONValue], required: [String]? = nil, description: String? = nil,
                       additional: Bool = true) -> JSONValue {
        var o: [String: JSONValue] = ["type": "object", "properties": .object(properties),
                                      "required": .array((required ?? properties.keys.sorted()).map { .string($0) })]
        if !additional { o["additionalProperties"] = false }
        if let description { o["description"] = .string(description) }
        return .object(o)
    }
    static let int = type("integer")
    static let string = type("string")
    static let number = type("number")
    static let bool = type("boolean")
    static let time = type("string", ["format": "date-time"])
    static let nullableTime = nullable("string", ["format": "date-time"])
    static let sats = type("number", ["description": "sats; fractional only when the msat amount is not whole"])
    static let anyJSON: JSONValue = ["description": "any JSON value"]

    static let workerKinds = ["human", "ai", "hybrid"]
    static let workerRequirements = ["human", "ai", "hybrid", "any"]
    static let taskTypes = ["verify", "answer", "judge", "unblock", "delegate"]
    static let trustModes = ["proof_required", "auto", "review"]
    static let taskStatuses = ["open", "claimed", "submitted", "completed", "expired"]
    static let tiers = ["new", "trusted", "expert"]

    // MARK: Schemas

    static let schemas: [String: JSONValue] = [
        "Error": object([
            "error": object([
                "code": type("string", ["pattern": "^[a-z0-9_]+$"]),
                "message": string,
                "field": type("string", ["description": "the offending field, for 422s"]),
                "status": type("string", ["description": "invalid_state: the task's current status"]),
                "task_id": type("string", ["description": "token_spent: the task this token already bought"]),
            ], required: ["code", "message"]),
        ], description: "Every error: a snake_case code and a sentence a person can act on; some codes add members."),
        "PaymentRequired": object([
            "error": object([
                "code": enumeration(["payment_required", "token_spent"]),
                "message": string,
                "macaroon": type("string", ["description": "base64 v2 macaroon bound to the payment hash, service, budget and expiry"]),
                "invoice": type("string", ["description": "BOLT11 invoice for exactly the budget (lnbcrt in simulation)"]),
                "payment_hash": type("string", ["pattern": "^[0-9a-f]{64}$"]),
                "amount_sats": int,
                "amount_msat": int,
                "expires_at": time,
                "spent_on_task_id": type("string", ["description": "token_spent only: the task this token already bought"]),
            ], required: ["code", "message", "macaroon", "invoice", "payment_hash", "amount_sats", "amount_msat", "expires_at"]),
        ], description: "The L402 challenge: the same invoice and macaroon as the WWW-Authenticate header."),
        "RegisterWorker": object([
            "display_name": type("string", ["minLength": 1, "maxLength": 200]),
            "lightning_address": type("string", ["maxLength": 320, "description": "LUD-16 user@domain", "examples": ["alice@getalby.com"]]),
            "type": enumeration(workerKinds),
        ]),
        "Worker": object([
            "id": string, "display_name": string, "lightning_address": string, "type": enumeration(workerKinds),
            "reputation_score": type("integer", ["minimum": 0]), "tier": enumeration(tiers), "completed_jobs": int,
            "abandoned_claims": int, "rejected_submissions": int, "bonus_eligible": bool, "payout_multiplier": number,
            "created_at": time,
        ]),
        "WorkerSummary": object([
            "id": string, "display_name": string, "type": enumeration(workerKinds),
            "reputation_score": type("integer", ["minimum": 0]), "tier": enumeration(tiers),
        ]),
        "CreateTask": object([
            "task_type": enumeration(taskTypes),
            "title": type("string", ["minLength": 1, "maxLength": 300]),
            "input": type("object", ["description": "what the worker needs (url, question, context, attachments...); at most 64 KiB"]),
            "budget_sats": type("integer", ["minimum": 1, "maximum": 2_100_000_000_000_000,
                                            "description": "optional when the query gives it; must agree with the query"]),
            "worker_type": enumeration(workerRequirements),
            "trust_mode": enumeration(trustModes),
            "refund_lightning_address": type("string", ["description": "LUD-16 address the budget is paid back to if the task expires; without it the refund stays credited"]),
        ], required: ["task_type", "title"]),
        "Submission": object([
            "worker_id": string, "answer_json": anyJSON, "confidence": number, "proof_url": nullable("string"), "submitted_at": time,
        ]),
        "Payment": object([
            "method": enumeration(["l402", "sim_token"]), "payment_hash": nullable("string"), "amount_msat": int, "status": string,
        ]),
        "Refund": object([
            "amount_msat": int, "amount_sats": sats, "status": enumeration(["credited", "pending", "settled", "failed"]),
            "created_at": time, "lightning_address": nullable("string"), "payment_hash": nullable("string"),
            "preimage": nullable("string"), "routing_fee_msat": int, "attempts": int, "settled_at": nullableTime,
            "failure_reason": nullable("string"),
        ]),
        "Payout": object([
            "id": string, "task_id": string, "worker_id": string, "lightning_address": string,
            "budget_msat": int, "amount_msat": int, "amount_sats": sats, "platform_fee_msat": int, "platform_fee_sats": sats,
            "bonus_applied": bool, "payout_multiplier": number, "reputation_before": int,
            "status": enumeration(["pending", "settled", "failed"]), "payment_hash": nullable("string"), "preimage": nullable("string"),
            "routing_fee_msat": int, "attempts": int, "created_at": time, "settled_at": nullableTime,
            "next_attempt_at": nullableTime, "failure_reason": nullable("string"),
        ]),
        "Task": object([
            "id": string, "task_type": enumeration(taskTypes), "title": string, "input": anyJSON,
            "budget_sats": sats, "budget_msat": int, "worker_type": enumeration(workerRequirements),
            "trust_mode": enumeration(trustModes), "status": enumeration(taskStatuses), "created_at": time, "expires_at": time,
            "worker": nullableRef("WorkerSummary"), "claimed_at": nullableTime, "lease_expires_at": nullableTime,
            "submission": nullableRef("Submission"), "release_due_at": nullableTime, "completed_at": nullableTime,
            "expired_at": nullableTime, "payment": ref("Payment"), "payout": nullableRef("Payout"), "refund": nullableRef("Refund"),
            "refund_lightning_address": nullable("string"),
        ]),
        "FeedItem": object([
            "id": string, "task_type": enumeration(taskTypes), "title": string, "input": anyJSON, "budget_sats": sats,
            "budget_msat": int, "worker_type": enumeration(workerRequirements), "trust_mode": enumeration(trustModes),
            "status": enumeration(taskStatuses), "created_at": time, "expires_at": time,
        ]),
        "MarketEvent": object([
            "seq": int, "at": time, "kind": string, "task_id": nullable("string"), "worker_id": nullable("string"),
            "amount_msat": nullable("integer"), "detail": string,
        ]),
        "HistorySnapshot": object([
            "at": time, "volume_msat": int, "platform_fees_msat": int, "worker_earnings_msat": int, "open_tasks": int,
            "completed_tasks": int, "workers": int, "mean_reputation": number, "max_reputation": int,
            "workers_above_threshold": int,
        ]),
        "Market": object([
            "now": time,
            "tasks": object(Dictionary(uniqueKeysWithValues: taskStatuses.map { ($0, int) })),
            "volume_msat": int, "volume_sats": sats, "platform_fees_msat": int, "worker_earnings_msat": int,
            "owed_payouts_msat": int, "routing_fees_msat": int, "refunds_msat": int, "escrow_msat": int,
            "ledger_balanced": bool, "workers": int,
            "reputation": object(["mean_score": number, "max_score": int, "workers_above_threshold": int]),
            "top_workers": type("array", ["items": ref("WorkerSummary")]),
            "latest_events": type("array", ["items": ref("MarketEvent")]),
            "history": type("array", ["items": ref("HistorySnapshot"),
                                      "description": "periodic snapshots in market time, oldest first, bounded"]),
            "fee_policy": object(["worker_share": number, "bonus_multiplier": number, "bonus_threshold": int]),
        ]),
        "Wallet": object(["id": string, "balance_msat": int]),
        "PaymentResult": object([
            "payment_hash": string, "preimage": nullable("string"), "amount_msat": int, "fee_msat": int,
            "status": enumeration(["succeeded", "failed", "in_flight"]), "failure_reason": nullable("string"),
        ]),
    ]

    // MARK: Responses

    static func json(_ schema: JSONValue) -> JSONValue { ["application/json": ["schema": schema]] }
    static func ok(_ description: String, _ schema: JSONValue, headers: JSONValue? = nil) -> JSONValue {
        var o: [String: JSONValue] = ["description": .string(description), "content": json(schema)]
        if let headers { o["headers"] = headers }
        return .object(o)
    }
    static func wrap(_ key: String, _ name: String) -> JSONValue { object([key: ref(name)]) }

    static let errorResponses: [String: JSONValue] = [
        "Malformed": ["description": "malformed JSON or a body that is not an object", "content": json(ref("Error"))],
        "Unauthorized": ["description": "a forged, mismatched, expired or unpaid credential", "content": json(ref("Error"))],
        "PaymentRequired": [
            "description": "L402 challenge: pay the invoice, then retry with Authorization: L402 <macaroon>:<preimage hex>",
            "headers": ["WWW-Authenticate": ["required": true, "schema": ["type": "string"],
                                              "description": "L402 macaroon=\"<base64>\", invoice=\"<bolt11>\""]],
            "content": json(ref("PaymentRequired")),
        ],
        "NotFound": ["description": "unknown id", "content": json(ref("Error"))],
        "Conflict": ["description": "the task is not in a state that allows this", "content": json(ref("Error"))],
        "TooLarge": ["description": "request body too large", "content": json(ref("Error"))],
        "Invalid": ["description": "a missing or invalid field (error.field names it)", "content": json(ref("Error"))],
    ]

    static func errors(_ names: [String]) -> [String: JSONValue] {
        let statuses = ["Malformed": "400", "Unauthorized": "401", "PaymentRequired": "402", "NotFound": "404",
                        "Conflict": "409", "TooLarge": "413", "Invalid": "422"]
        var out: [String: JSONValue] = [:]
        for n in names { if let s = statuses[n] { out[s] = ["$ref": .string("#/components/responses/\(n)")] } }
        return out
    }

    // MARK: Parameters

    static func pathID(_ name: String, _ what: String) -> JSONValue {
        ["name": .string(name), "in": "path", "required": true, "description": .string(what),
         "schema": ["type": "string", "pattern": "^[A-Za-z0-9_-]{1,100}$"]]
    }
    static func query(_ name: String, _ schema: JSONValue, _ description: String) -> JSONValue {
        ["name": .string(name), "in": "query", "required": false, "description": .string(description), "schema": schema]
    }
    static let authorization: JSONValue = [
        "name": "Authorization", "in": "header", "required": false,
        "description": "L402 <macaroon>:<preimage hex>",
        "schema": ["type": "string"],
        "example": "L402 sim_token:sim_valid_preimage",
    ]
    static func body(_ schema: JSONValue, required: Bool = true, example: JSONValue? = nil) -> JSONValue {
        var media: [String: JSONValue] = ["schema": schema]
        if let example { media["example"] = example }
        return ["required": .bool(required), "content": ["application/json": .object(media)]]
    }

    /// The seed page's requests, as examples.
    static let seedWorker: JSONValue = ["display_name": "Alice Tester", "lightning_address": "alice@getalby.com", "type": "human"]
    static let seedTask: JSONValue = [
        "task_type": "verify", "title": "Is this URL still live?",
        "input": [
            "url": "https://example.com", "question": "Does it return 200?",
            "context": "The agent needs a worker to verify the external page state.",
            "instructions": "Open the URL, confirm the response and attach proof if required.",
            "image_url": "https://example.com/screenshot.png",
            "attachments": [["type": "image", "url": "https://example.com/screenshot.png", "label": "Reference screenshot"]],
        ],
        "budget_sats": 100, "worker_type": "human", "trust_mode": "proof_required",
    ]

    static func operation(_ id: String, _ summary: String, tags: [String], parameters: [JSONValue] = [], body: JSONValue? = nil,
                          responses: [String: JSONValue], security: Bool = false) -> JSONValue {
        var o: [String: JSONValue] = ["operationId": .string(id), "summary": .string(summary),
                                      "tags": .array(tags.map { .string($0) }), "responses": .object(responses)]
        if !parameters.isEmpty { o["parameters"] = .array(parameters) }
        if let body { o["requestBody"] = body }
        if security { o["security"] = [[:], ["L402": []]] }
        return .object(o)
    }

    static func merge(_ a: [String: JSONValue], _ b: [String: JSONValue]) -> [String: JSONValue] { a.merging(b) { x, _ in x } }

    static let workerID = pathID("worker_id", "a worker id from POST /api/workers")
    static let taskID = pathID("task_id", "a task id from POST /api/tasks")

    // MARK: Paths

    static let paths: [String: JSONValue] = [
        "/": ["get": operation("dashboard", "The live market dashboard and API console (self-contained HTML)", tags: ["dashboard"], responses: [
            "200": ["description": "the page", "content": ["text/html": ["schema": ["type": "string"]]]],
        ])],
        "/healthz": ["get": operation("health", "Liveness and the market's mode", tags: ["dashboard"], responses: [
            "200": ok("alive", object(["status": enumeration(["ok"]), "mode": enumeration(["demo", "strict"])])),
        ])],
        "/api/openapi.json": ["get": operation("openAPI", "This document", tags: ["dashboard"], responses: [
            "200": ok("the OpenAPI 3.1 document", type("object")),
        ])],
        "/api/market": ["get": operation("market", "Live market figures, top workers, latest events and their history", tags: ["dashboard"], responses: [
            "200": ok("the market now", ref("Market")),
        ])],
        "/api/workers": ["post": operation("registerWorker", "Register worker", tags: ["workers"], body: body(ref("RegisterWorker"), example: seedWorker),
                                           responses: merge(["201": ok("the new worker", wrap("worker", "Worker"),
                                                                       headers: ["Location": ["schema": ["type": "string"]]])],
                                                            errors(["Malformed", "TooLarge", "Invalid"])))],
        "/api/workers/feed": ["get": operation("feed", "Open task feed", tags: ["tasks"], parameters: [
            query("task_type", enumeration(taskTypes), "only tasks of this type"),
            query("worker_type", enumeration(workerRequirements), "only tasks this kind of worker may claim"),
            query("budget_min", type("integer", ["minimum": 0, "maximum": 9_223_372_036_854_775]), "smallest budget, in sats"),
            query("limit", type("integer", ["minimum": 1, "maximum": 100]), "page size (default 20)"),
            query("cursor", type("string", ["pattern": "^c[0-9]{1,18}$"]), "next_cursor from the previous page"),
        ], responses: merge(["200": ok("a page of open tasks", object([
            "tasks": type("array", ["items": ref("FeedItem")]), "count": int, "next_cursor": nullable("string"),
        ]))], errors(["Invalid"])))],
        "/api/workers/{worker_id}": ["get": operation("workerProfile", "Worker profile", tags: ["workers"], parameters: [workerID],
                                                      responses: merge(["200": ok("the worker", wrap("worker", "Worker"))], errors(["NotFound"])))],
        "/api/workers/{worker_id}/payouts": ["get": operation("payoutHistory", "Payout history", tags: ["workers"], parameters: [workerID],
                                                              responses: merge(["200": ok("settled payouts, with pending and failed ones listed separately", object([
            "worker_id": string, "lightning_address": string,
            "payouts": type("array", ["items": ref("Payout")]), "pending": type("array", ["items": ref("Payout")]),
            "failed": type("array", ["items": ref("Payout")]), "total_earned_msat": int, "total_earned_sats": sats,
            "pending_msat": int, "failed_msat": int,
        ]))], errors(["NotFound"])))],
        "/api/tasks": ["post": operation("createTask", "Payment gate / Create L402 task", tags: ["tasks"], parameters: [
            query("budget_sats", type("integer", ["minimum": 1, "maximum": 2_100_000_000_000_000, "examples": [100]]), "the task's budget in sats (or in the body)"),
            authorization,
        ], body: body(ref("CreateTask"), example: seedTask), responses: merge([
            "201": ok("the task, status open", wrap("task", "Task"), headers: ["Location": ["schema": ["type": "string"]]]),
            "200": ok("an identical retry with the same credential: the task it already created", wrap("task", "Task")),
        ], errors(["Malformed", "Unauthorized", "PaymentRequired", "TooLarge", "Invalid"])), security: true)],
        "/api/tasks/{task_id}": ["get": operation("taskStatus", "Task status", tags: ["tasks"], parameters: [taskID],
                                                  responses: merge(["200": ok("the task as it stands", wrap("task", "Task"))], errors(["NotFound"])))],
        "/api/tasks/{task_id}/claim": ["post": operation("claimTask", "Claim task", tags: ["tasks"], parameters: [taskID],
                                                         body: body(object(["worker_id": type("string", ["minLength": 1, "maxLength": 100])])),
                                                         responses: merge(["200": ok("the claimed task", wrap("task", "Task"))],
                                                                          errors(["Malformed", "NotFound", "Conflict", "TooLarge", "Invalid"])))],
        "/api/tasks/{task_id}/submit": ["post": operation("submitResult", "Submit result", tags: ["tasks"], parameters: [taskID],
                                                          body: body(object([
            "worker_id": type("string", ["minLength": 1, "maxLength": 100]),
            "answer_json": anyJSON,
            "confidence": type("number", ["minimum": 0, "maximum": 1]),
            "proof_url": type("string", ["format": "uri", "description": "http(s) URL; required by trust_mode proof_required"]),
        ], required: ["worker_id", "answer_json", "confidence"])),
                                                          responses: merge(["200": ok("the submitted task (auto-release follows unless review)", wrap("task", "Task"))],
                                                                           errors(["Malformed", "NotFound", "Conflict", "TooLarge", "Invalid"])))],
        "/api/tasks/{task_id}/release": ["post": operation("releasePayout", "Release payout (idempotent)", tags: ["tasks"], parameters: [taskID, authorization],
                                                           body: body(type("object"), required: false),
                                                           responses: merge(["200": ok("the completed task and its one payout", object([
            "task": ref("Task"), "payout": nullableRef("Payout"),
        ]))], errors(["Malformed", "Unauthorized", "NotFound", "Conflict", "TooLarge", "Invalid"])), security: true)],
        "/api/tasks/{task_id}/reject": ["post": operation("rejectSubmission", "Reject a submission (review mode)", tags: ["tasks"],
                                                          parameters: [taskID, authorization],
                                                          body: body(object(["reason": type("string", ["maxLength": 1000])], required: []), required: false),
                                                          responses: merge(["200": ok("the reopened task", wrap("task", "Task"))],
                                                                           errors(["Malformed", "Unauthorized", "NotFound", "Conflict", "TooLarge", "Invalid"])),
                                                          security: true)],
        "/sim/lightning/wallets": ["post": operation("createWallet", "Create a simulated Lightning wallet", tags: ["lightning"],
                                                     body: body(object(["balance_sats": type("integer", ["minimum": 0, "maximum": 2_100_000_000_000_000])], required: []), required: false),
                                                     responses: merge(["201": ok("the wallet", wrap("wallet", "Wallet"))], errors(["Malformed", "TooLarge", "Invalid"])))],
        "/sim/lightning/wallets/{wallet_id}": ["get": operation("walletBalance", "A simulated wallet's balance", tags: ["lightning"],
                                                               parameters: [pathID("wallet_id", "a wallet id from POST /sim/lightning/wallets")],
                                                               responses: merge(["200": ok("the wallet", wrap("wallet", "Wallet"))], errors(["NotFound"])))],
        "/sim/lightning/pay": ["post": operation("pay", "Pay a BOLT11 invoice on the simulated network", tags: ["lightning"],
                                                 body: body(object([
            "invoice": type("string", ["maxLength": 7089]),
            "wallet_id": type("string", ["maxLength": 100, "description": "optional in demo mode (the shared demo wallet pays)"]),
        ], required: ["invoice"])),
                                                 responses: merge(["200": ok("the payment (status failed carries failure_reason)", ref("PaymentResult"))],
                                                                  errors(["Malformed", "NotFound", "Conflict", "TooLarge", "Invalid"])))],
    ]
}
