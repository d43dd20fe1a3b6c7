import HTTPKit
import JSON
import Lightning

/// The HTTP API of SPEC section 6 over a `MarketService`. The in-process client and the HTTP server both hand
/// it the same `HTTPRequest` values, so agents exercise the exact contract whatever the transport.
public final class MarketRouter: HTTPHandler, Sendable {
    public let service: MarketService
    let gate: L402Gate
    /// The demo wallet that pays for anyone who names no wallet (demo mode only).
    let demoWallet: WalletID
    /// Largest accepted request body; the HTTP server enforces the same limit on the socket.
    public let maxBodyBytes: Int
    /// Periodic market snapshots for the dashboard's charts (`history` in `GET /api/market`).
    public let history = DashboardHistory()

    public init(service: MarketService, maxBodyBytes: Int = 1 << 20) throws {
        self.service = service
        self.gate = try L402Gate(service: service)
        self.demoWallet = service.node.createWallet(balance: MilliSats(1_000_000_000_000)) // 10 BTC of demo money
        self.maxBodyBytes = maxBodyBytes
    }

    var config: MarketConfiguration { service.configuration }

    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        do {
            if request.body.count > maxBodyBytes {
                throw APIError(413, "payload_too_large", "request body exceeds \(maxBodyBytes) bytes")
            }
            do {
                try service.processDue()
            } catch {
                // Due work failing (e.g. a payout the node refuses) must not block the request itself.
            }
            return try route(request)
        } catch let error as APIError {
            return error.response
        } catch let error as MarketError {
            return APIError(error).response
        } catch let error as LightningError {
            return APIError(error).response
        } catch {
            return APIError(503, "unavailable", "the market could not complete this request: \(error)").response
        }
    }

    private func route(_ request: HTTPRequest) throws -> HTTPResponse {
        let segments = request.path.split(separator: "/", omittingEmptySubsequences: true).map { HTTPRequest.percentDecode(String($0)) }
        let method = request.method.uppercased()
        let candidates = Self.routes.compactMap { route in route.match(segments).map { (route, $0) } }
        guard !candidates.isEmpty else {
            throw APIError(404, "not_found", "no endpoint \(request.method) \(request.path); see GET /api/openapi.json")
        }
        guard let (route, ids) = candidates.first(where: { $0.0.method == method || ($0.0.method == "GET" && method == "HEAD") }) else {
            var allowed: [String] = []
            for (r, _) in candidates where !allowed.contains(r.method) { allowed.append(r.method) }
            let allowHeader = allowed.flatMap { $0 == "GET" ? ["GET", "HEAD"] : [$0] }
            throw APIError(405, "method_not_allowed", "\(request.method) is not allowed on \(request.path); use \(allowed.joined(separator: " or "))",
                           headers: [("Allow", allowHeader.joined(separator: ", "))])
        }
        let id = ids.first ?? ""
        switch route.endpoint {
        case .dashboard: return DashboardPage.response
        case .openAPI: return .json(200, OpenAPIDocument.document)
        case .health: return .json(200, ["status": "ok", "mode": .string(config.mode.rawValue)])
        case .registerWorker: return try registerWorker(request)
        case .createTask: return try createTask(request)
        case .market: return try market()
        case .feed: return try feed(request)
        case .workerProfile: return try workerProfile(WorkerID(id))
        case .payoutHistory: return try payoutHistory(WorkerID(id))
        case .taskStatus: return Present.taskResponse(200, try service.taskView(TaskID(id)), config)
        case .claim: return try claim(TaskID(id), request)
        case .submit: return try submit(TaskID(id), request)
        case .release: return try release(TaskID(id), request)
        case .reject: return try reject(TaskID(id), request)
        case .createWallet: return try createWallet(request)
        case .walletBalance: return try walletBalance(WalletID(id))
        case .pay: return try pay(request)
        }
    }

    // MARK: Workers

    private func registerWorker(_ request: HTTPRequest) throws -> HTTPResponse {
        let body = try BodyReader.parse(request.body)
        guard let name = try body.string("display_name", required: true, maxLength: 200),
              let address = try body.string("lightning_address", required: true, maxLength: 320),
              let kind = try body.enumeration("type", WorkerKind.self, required: true) else {
            throw APIError.malformed("request body is missing fields")
        }
        guard FieldRules.isLightningAddress(address) else {
            throw APIError.invalidField("lightning_address", "must be a Lightning address like alice@getalby.com, got \"\(address)\"")
        }
        let worker = try service.registerWorker(displayName: name, lightningAddress: address, kind: kind)
        return .json(201, ["worker": Present.worker(worker, config)], headers: [("Location", "/api/workers/\(worker.id)")])
    }

    private func workerProfile(_ id: WorkerID) throws -> HTTPResponse {
        .json(200, ["worker": Present.worker(try service.worker(id), config)])
    }

    private func payoutHistory(_ id: WorkerID) throws -> HTTPResponse {
        let (worker, payouts) = try service.payouts(of: id)
        func total(_ status: PayoutStatus) -> MilliSats {
            payouts.filter { $0.status == status }.reduce(.zero) { $0 + $1.split.workerPayout }
        }
        var o = JSONWriter(capacity: 1024 * (payouts.count + 1))
        func list(_ key: String, _ status: PayoutStatus) {
            o.key(key)
            o.beginArray()
            for p in payouts where p.status == status { Present.payout(p, into: &o) }
            o.endArray()
        }
        // Keys in sorted order, as in every response.
        o.beginObject()
        list("failed", .failed)
        o.field("failed_msat", total(.failed).rawValue)
        o.field("lightning_address", worker.lightningAddress)
        list("payouts", .settled)
        list("pending", .pending)
        o.field("pending_msat", total(.pending).rawValue)
        let earned = total(.settled)
        o.field("total_earned_msat", earned.rawValue)
        o.field("total_earned_sats", Present.sats(earned))
        o.field("worker_id", worker.id.rawValue)
        o.endObject()
        return .json(200, bytes: o.bytes)
    }

    // MARK: Tasks

    private func createTask(_ request: HTTPRequest) throws -> HTTPResponse {
        let budgetRange = config.minBudgetSats...config.maxBudgetSats
        var budgetSats: Int64?
        if let q = request.queryValue("budget_sats") {
            guard let v = Int64(q) else { throw APIError.invalidField("budget_sats", "must be a whole number of sats, got \"\(q)\"") }
            guard budgetRange.contains(v) else {
                throw APIError.invalidField("budget_sats", "must be between \(budgetRange.lowerBound) and \(budgetRange.upperBound), got \(v)")
            }
            budgetSats = v
        }
        let body = try BodyReader.parse(request.body)
        if let inBody = try body.integer("budget_sats", required: false, range: budgetRange) {
            if let q = budgetSats, q != inBody {
                throw APIError.invalidField("budget_sats", "the query says \(q) but the body says \(inBody); send one amount")
            }
            budgetSats = inBody
        }
        guard let budget = budgetSats else { throw APIError.missingField("budget_sats", "a whole number of sats, in the query or the body") }
        guard let taskType = try body.enumeration("task_type", TaskType.self, required: true),
              let title = try body.string("title", required: true, maxLength: 300) else {
            throw APIError.malformed("request body is missing fields")
        }
        var inputJSON = "{}"
        if let input = body.present("input") {
            guard input.objectValue != nil else { throw APIError.invalidField("input", "must be an object, got \(article(input.typeName))") }
            let bytes = input.serialized()
            guard bytes.count <= 64 << 10 else { throw APIError.invalidField("input", "must be at most 65536 bytes of JSON") }
            inputJSON = String(decoding: bytes, as: UTF8.self)
        }
        let refundAddress = try body.string("refund_lightning_address", required: false, maxLength: 320)
        if let refundAddress, !FieldRules.isLightningAddress(refundAddress) {
            throw APIError.invalidField("refund_lightning_address", "must be a Lightning address like agent@example.com, got \"\(refundAddress)\"")
        }
        let requirement = try body.enumeration("worker_type", WorkerRequirement.self, required: false) ?? .any
        let trust = try body.enumeration("trust_mode", TrustMode.self, required: false) ?? .auto
        let draft = TaskDraft(taskType: taskType, title: title, inputJSON: inputJSON, budget: MilliSats(budget * 1000),
                              workerRequirement: requirement, trustMode: trust, refundAddress: refundAddress)

        guard let authorization = request.header("Authorization"), !authorization.trimmingWhitespace().isEmpty else {
            throw gate.challenge(budgetSats: budget, title: title)
        }
        func tokenSpent(_ existing: TaskID) -> APIError {
            gate.challenge(budgetSats: budget, title: title, code: "token_spent",
                           message: "this L402 token already paid for task \(existing); pay this new invoice to create another task",
                           extra: ["spent_on_task_id": .string(existing.rawValue)])
        }
        let fingerprint = fingerprint(request, body: body)
        func respond(_ task: MarketTask, created: Bool) -> HTTPResponse {
            let view = TaskView(task: task, worker: nil, payout: nil, refund: nil)
            return Present.taskResponse(created ? 201 : 200, view, config,
                         headers: [("Location", "/api/tasks/\(task.id)")] + (created ? [] : [("Idempotent-Replay", "true")]))
        }
        let payment: TaskPayment
        switch Result(catching: { () throws(APIError) in try gate.authenticate(authorization, budgetSats: budget) }) {
        case .success(let p): payment = p
        case .failure(let refusal):
            // A token that already bought a task stays good for replaying that exact request, even after its expiry,
            // and is spent for anything else whatever budget it is now offered for: a fresh 402 lets a
            // token-caching client simply pay again.
            if refusal.code == "budget_mismatch" || refusal.code == "credential_expired",
               case .l402(let hash)? = try? gate.authenticate(authorization, budgetSats: nil, ownership: true),
               let existing = try service.task(paidBy: hash) {
                guard refusal.code == "credential_expired" else { throw tokenSpent(existing) }
                do {
                    let (task, created) = try service.createTask(draft, payment: .l402(paymentHash: hash), fingerprint: fingerprint)
                    return respond(task, created: created)
                } catch MarketError.tokenSpent(let spentOn) {
                    throw tokenSpent(spentOn)
                }
            }
            throw refusal
        }
        do {
            let (task, created) = try service.createTask(draft, payment: payment, fingerprint: fingerprint)
            return respond(task, created: created)
        } catch MarketError.tokenSpent(let existing) {
            throw tokenSpent(existing)
        }
    }

    /// Identifies "the identical request" for idempotent retries: method, path, query (sorted) and the body as
    /// canonical JSON, so key order and whitespace do not make a retry look like a different task.
    private func fingerprint(_ r: HTTPRequest, body: BodyReader) -> String {
        var bytes = Array("\(r.method.uppercased()) \(r.path)?".utf8)
        for (n, v) in r.query.sorted(by: { ($0.name, $0.value) < ($1.name, $1.value) }) { bytes += Array("\(n)=\(v)&".utf8) }
        bytes.append(0)
        bytes += JSONValue.object(body.object).serialized()
        return Hex.encode(Hash.sha256(bytes))
    }

    private func feed(_ request: HTTPRequest) throws -> HTTPResponse {
        var q = FeedQuery()
        if let v = request.queryValue("task_type") {
            guard let t = TaskType(rawValue: v) else {
                throw APIError.invalidField("task_type", "must be one of \(TaskType.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(v)\"")
            }
            q.taskType = t
        }
        if let v = request.queryValue("worker_type") {
            guard let w = WorkerRequirement(rawValue: v) else {
                throw APIError.invalidField("worker_type", "must be one of human, ai, hybrid, any, got \"\(v)\"")
            }
            q.workerKind = WorkerKind(rawValue: w.rawValue)
        }
        if let v = request.queryValue("budget_min") {
            guard let b = Int64(v), b >= 0, let m = MilliSats.sats(b) else {
                throw APIError.invalidField("budget_min", "must be a whole number of sats, 0 or more, got \"\(v)\"")
            }
            q.budgetMin = m
        }
        if let v = request.queryValue("limit") {
            guard let l = Int(v), (1...100).contains(l) else { throw APIError.invalidField("limit", "must be an integer from 1 to 100, got \"\(v)\"") }
            q.limit = l
        }
        if let v = request.queryValue("cursor"), !v.isEmpty {
            guard v.hasPrefix("c"), let a = Int64(v.dropFirst()), a >= 0 else {
                throw APIError.invalidField("cursor", "is not a cursor this feed returned (use next_cursor from the previous page)")
            }
            q.after = a
        }
        let (tasks, next) = try service.feed(q)
        var o = JSONWriter(capacity: 512 * (tasks.count + 1))
        o.beginObject()
        o.field("count", tasks.count)
        o.field("next_cursor", next.map { "c\($0)" })
        o.key("tasks")
        o.beginArray()
        for t in tasks { Present.feedItem(t, into: &o) }
        o.endArray()
        o.endObject()
        return .json(200, bytes: o.bytes)
    }

    private func workerID(_ body: BodyReader) throws -> WorkerID {
        guard let id = try body.string("worker_id", required: true, maxLength: 100) else { throw APIError.missingField("worker_id", "a string") }
        return WorkerID(id)
    }

    private func claim(_ id: TaskID, _ request: HTTPRequest) throws -> HTTPResponse {
        let body = try BodyReader.parse(request.body)
        let view = try service.claim(id, by: try workerID(body))
        return Present.taskResponse(200, view, config)
    }

    private func submit(_ id: TaskID, _ request: HTTPRequest) throws -> HTTPResponse {
        let body = try BodyReader.parse(request.body)
        let worker = try workerID(body)
        guard let answer = body.present("answer_json") else { throw APIError.missingField("answer_json", "any JSON value, usually an object") }
        let answerBytes = answer.serialized()
        guard answerBytes.count <= 64 << 10 else { throw APIError.invalidField("answer_json", "must be at most 65536 bytes of JSON") }
        guard let confidence = try body.number("confidence", required: true, range: 0...1) else {
            throw APIError.missingField("confidence", "a number from 0 to 1")
        }
        let proof = try body.string("proof_url", required: false, maxLength: 2048)
        if let proof, !FieldRules.isHTTPURL(proof) {
            throw APIError.invalidField("proof_url", "must be an http or https URL, got \"\(proof)\"")
        }
        let view = try service.submit(id, by: worker, answerJSON: String(decoding: answerBytes, as: UTF8.self),
                                      confidence: confidence, proofURL: proof)
        return Present.taskResponse(200, view, config)
    }

    private func requester(_ request: HTTPRequest) throws -> MarketService.Requester? {
        guard let header = request.header("Authorization"), !header.trimmingWhitespace().isEmpty else { return nil }
        switch try gate.authenticate(header, budgetSats: nil, ownership: true) {
        case .simToken: return .simToken
        case .l402(let hash): return .l402(paymentHash: hash)
        }
    }

    private func release(_ id: TaskID, _ request: HTTPRequest) throws -> HTTPResponse {
        _ = try BodyReader.parse(request.body, allowEmpty: true)
        let view = try service.release(id, requester: try requester(request))
        return Present.taskResponse(200, view, config, withPayout: true)
    }

    private func reject(_ id: TaskID, _ request: HTTPRequest) throws -> HTTPResponse {
        let body = try BodyReader.parse(request.body, allowEmpty: true)
        let reason = try body.string("reason", required: false, maxLength: 1000) ?? ""
        let view = try service.reject(id, requester: try requester(request), reason: reason)
        return Present.taskResponse(200, view, config)
    }

    private func market() throws -> HTTPResponse {
        let figures = try MarketFigures.compute(service)
        history.record(figures, at: service.clock.now())
        var json = figures.json(config)
        if case .object(var o) = json {
            o["now"] = .string(service.clock.now().iso8601)
            o["history"] = history.json()
            json = .object(o)
        }
        return .json(200, json)
    }

    // MARK: Simulated Lightning

    private func createWallet(_ request: HTTPRequest) throws -> HTTPResponse {
        let body = try BodyReader.parse(request.body, allowEmpty: true)
        let sats = try body.integer("balance_sats", required: false, range: 0...2_100_000_000_000_000) ?? 0
        let id = service.node.createWallet(balance: MilliSats(sats * 1000))
        return .json(201, ["wallet": ["id": .string(id.rawValue), "balance_msat": .int(sats * 1000)]])
    }

    private func walletBalance(_ id: WalletID) throws -> HTTPResponse {
        guard let b = service.node.balance(of: id) else { throw APIError(404, "wallet_not_found", "no wallet with id \(id)") }
        return .json(200, ["wallet": ["id": .string(id.rawValue), "balance_msat": .int(b.rawValue)]])
    }

    private func pay(_ request: HTTPRequest) throws -> HTTPResponse {
        let body = try BodyReader.parse(request.body)
        guard let invoice = try body.string("invoice", required: true, maxLength: 7089) else { throw APIError.missingField("invoice", "a BOLT11 string") }
        let wallet: WalletID
        if let w = try body.string("wallet_id", required: false, maxLength: 100) {
            wallet = WalletID(w)
        } else {
            guard config.mode == .demo else {
                throw APIError.missingField("wallet_id", "the paying wallet; create one with POST /sim/lightning/wallets (the shared demo wallet exists only in demo mode)")
            }
            wallet = demoWallet
        }
        let result = try service.node.pay(invoice: invoice, from: wallet, maxFee: MilliSats(10_000_000))
        return .json(200, [
            "payment_hash": .string(Hex.encode(result.paymentHash)),
            "preimage": result.preimage.map { .string(Hex.encode($0)) } ?? .null,
            "amount_msat": .int(result.amount.rawValue),
            "fee_msat": .int(result.fee.rawValue),
            "status": .string(result.status.rawValue),
            "failure_reason": result.failureReason.map { .string($0) } ?? .null,
        ])
    }
}
