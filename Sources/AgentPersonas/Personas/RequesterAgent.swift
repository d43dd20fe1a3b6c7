import JSON
import Lightning
import Market

/// The requester personas of SPEC section 8: who asks what, how they pay, how they review.
public enum RequesterPersona: String, Sendable, CaseIterable {
    /// Asks whether URLs are live (`verify`), wants proof.
    case researchAgent = "research_agent"
    /// Asks questions with a known answer (`answer`), auto-release.
    case factChecker = "fact_checker"
    /// Gets operational blocks cleared (`unblock`), high budgets, reviews the work, hybrid workers.
    case opsAgent = "ops_agent"
    /// Asks for judgment on ambiguous decisions (`judge`), reviews the work, human workers.
    case judgmentSeeker = "judgment_seeker"
}

/// One requester agent's settings (the scenario's group settings with the persona's defaults applied).
public struct RequesterProfile: Sendable, Equatable {
    public var name: String
    public var persona: RequesterPersona
    public var taskType: TaskType
    public var trustMode: TrustMode
    public var workerType: WorkerRequirement
    public var pollMs: Int64
    /// Pay the 402's invoice over the simulated network (true) or use the demo token (demo mode only).
    public var payRealL402: Bool
    /// In review mode, reject submissions whose confidence is below this.
    public var reviewRejectBelow: Double
    public var walletBalanceSats: Int64

    public init(name: String, persona: RequesterPersona, taskType: TaskType, trustMode: TrustMode, workerType: WorkerRequirement,
                pollMs: Int64, payRealL402: Bool, reviewRejectBelow: Double, walletBalanceSats: Int64) {
        self.name = name; self.persona = persona; self.taskType = taskType; self.trustMode = trustMode
        self.workerType = workerType; self.pollMs = pollMs; self.payRealL402 = payRealL402
        self.reviewRejectBelow = reviewRejectBelow; self.walletBalanceSats = walletBalanceSats
    }
}

/// A requester: posts tasks through 402 -> pay -> retry with the L402 credential, polls them, reviews them when
/// it must, and scores the answers against ground truth.
public final class RequesterAgent: Agent {
    public static let pollKind: Int32 = 1

    private struct Pending {
        var taskID: String
        var truth: String
        var authorization: String
    }

    public let profile: RequesterProfile
    public var name: String { profile.name }
    private let catalog: TaskCatalog
    private var rng: SplitMix64
    private var walletID: String?
    private var pending: [Int64: Pending] = [:]
    private var nextSlot: Int64 = 0

    /// Counters for reports and tests.
    public private(set) var posted = 0
    public private(set) var postFailures = 0
    public private(set) var scored = 0
    public private(set) var correct = 0
    public private(set) var rejected = 0

    public init(profile: RequesterProfile, catalog: TaskCatalog, seed: UInt64) {
        self.profile = profile
        self.catalog = catalog
        self.rng = SplitMix64.stream(seed: seed, label: profile.name)
    }

    /// Tasks posted and not yet finished with.
    public var inFlight: Int { pending.count }

    public func start(_ ctx: any AgentContext) {
        guard profile.payRealL402 else { return }
        let r = ctx.call(name, "POST", "/sim/lightning/wallets", body: ["balance_sats": .int(profile.walletBalanceSats)]) { r in
            r.status == 201 ? "wallet \(Brief.id(r.json["wallet"]?["id"]?.stringValue)) funded with \(profile.walletBalanceSats) sats" : Brief.error(r)
        }
        walletID = r.json["wallet"]?["id"]?.stringValue
    }

    /// Posts one task of `budgetSats` now: the whole L402 dance, then schedules polling.
    public func postTask(budgetSats: Int64, _ ctx: any AgentContext) {
        guard let (body, truth) = makeTask(budgetSats: budgetSats) else { postFailures += 1; return }
        let target = "/api/tasks?budget_sats=\(budgetSats)"
        let gate = ctx.call(name, "POST", target, body: body) { r in
            r.status == 402 ? "\(r.errorCode ?? ""): invoice \(Brief.invoice(r.json["error"]?["invoice"]?.stringValue)) for \(budgetSats) sats" : Brief.error(r)
        }
        guard gate.status == 402, let challenge = gate.json["error"] else { postFailures += 1; return }
        var authorization = "L402 sim_token:sim_valid_preimage"
        if profile.payRealL402 {
            guard let invoice = challenge["invoice"]?.stringValue, let macaroon = challenge["macaroon"]?.stringValue else {
                postFailures += 1
                return
            }
            var payBody: [String: JSONValue] = ["invoice": .string(invoice)]
            if let walletID { payBody["wallet_id"] = .string(walletID) }
            let pay = ctx.call(name, "POST", "/sim/lightning/pay", body: .object(payBody)) { r in
                r.status == 200 ? "\(r.json["status"]?.stringValue ?? "?") preimage \(Brief.invoice(r.json["preimage"]?.stringValue))" : Brief.error(r)
            }
            guard pay.status == 200, pay.json["status"]?.stringValue == "succeeded", let preimage = pay.json["preimage"]?.stringValue else {
                postFailures += 1
                return
            }
            authorization = "L402 \(macaroon):\(preimage)"
        }
        let created = ctx.call(name, "POST", target, body: body, headers: [(name: "Authorization", value: authorization)]) { r in
            r.status == 201
                ? "\(Brief.id(r.json["task"]?["id"]?.stringValue)) \(r.json["task"]?["status"]?.stringValue ?? "?"), \(profile.taskType.rawValue), \(budgetSats) sats"
                : Brief.error(r)
        }
        guard created.status == 201, let taskID = created.json["task"]?["id"]?.stringValue else { postFailures += 1; return }
        posted += 1
        ctx.taskPosted(taskID: taskID, requester: name, truth: truth)
        let slot = nextSlot
        nextSlot += 1
        pending[slot] = Pending(taskID: taskID, truth: truth, authorization: authorization)
        ctx.wake(after: profile.pollMs, kind: Self.pollKind, arg: slot)
    }

    public func wake(kind: Int32, arg: Int64, _ ctx: any AgentContext) {
        guard kind == Self.pollKind, let p = pending[arg] else { return }
        let r = ctx.call(name, "GET", "/api/tasks/\(p.taskID)") { r in Self.statusSummary(r) }
        guard r.status == 200, let task = r.json["task"], let status = task["status"]?.stringValue else {
            ctx.wake(after: profile.pollMs, kind: Self.pollKind, arg: arg)
            return
        }
        switch status {
        case "completed":
            score(task, p, ctx)
            pending[arg] = nil
        case "expired":
            pending[arg] = nil
        case "submitted" where profile.trustMode == .review:
            review(task, p, slot: arg, ctx)
        default:
            ctx.wake(after: profile.pollMs, kind: Self.pollKind, arg: arg)
        }
    }

    private func review(_ task: JSONValue, _ p: Pending, slot: Int64, _ ctx: any AgentContext) {
        let confidence = task["submission"]?["confidence"]?.doubleValue ?? 0
        let auth = [(name: "Authorization", value: p.authorization)]
        if confidence >= profile.reviewRejectBelow {
            let r = ctx.call(name, "POST", "/api/tasks/\(p.taskID)/release", headers: auth) { r in
                r.status == 200 ? "accepted: payout \(Brief.sats(r.json["payout"]?["amount_sats"])) sats to \(Brief.id(r.json["payout"]?["worker_id"]?.stringValue))" : Brief.error(r)
            }
            if r.status == 200, let done = r.json["task"] {
                score(done, p, ctx)
                pending[slot] = nil
                return
            }
        } else {
            let r = ctx.call(name, "POST", "/api/tasks/\(p.taskID)/reject", body: ["reason": .string("confidence \(Brief.confidence(confidence)) is below \(Brief.confidence(profile.reviewRejectBelow))")],
                             headers: auth) { r in r.status == 200 ? "rejected: task reopened" : Brief.error(r) }
            if r.status == 200 { rejected += 1 }
        }
        ctx.wake(after: profile.pollMs, kind: Self.pollKind, arg: slot)
    }

    private func score(_ task: JSONValue, _ p: Pending, _ ctx: any AgentContext) {
        guard let answer = task["submission"]?["answer_json"]?["answer"]?.stringValue else { return }
        let ok = answer.lowercased() == p.truth.lowercased()
        scored += 1
        if ok { correct += 1 }
        ctx.answerScored(taskID: p.taskID, correct: ok)
    }

    static func statusSummary(_ r: APIResult) -> String {
        guard r.status == 200, let t = r.json["task"] else { return Brief.error(r) }
        let status = t["status"]?.stringValue ?? "?"
        if status == "completed" {
            let p = t["payout"]
            return "completed: \(Brief.sats(p?["amount_sats"])) sats to \(Brief.id(p?["worker_id"]?.stringValue)), platform \(Brief.sats(p?["platform_fee_sats"])) sats, answer \(t["submission"]?["answer_json"]?["answer"]?.stringValue ?? "?")"
        }
        return "\(Brief.id(t["id"]?.stringValue)) \(status)"
    }

    /// The request body and the right answer of a new task.
    private func makeTask(budgetSats: Int64) -> (JSONValue, String)? {
        var input: [String: JSONValue]
        let title: String
        let truth: String
        if profile.taskType == .verify {
            guard !catalog.verifyTargets.isEmpty else { return nil }
            let target = catalog.verifyTargets[rng.index(catalog.verifyTargets.count)]
            title = "Is this URL still live?"
            input = [
                "url": .string(target.url),
                "question": "Does it return 200?",
                "context": "The agent needs a worker to verify the external page state.",
                "instructions": "Send an HTTP HEAD, report whether the page is live and attach proof.",
            ]
            truth = target.live ? "yes" : "no"
        } else {
            let pool = catalog.questions(for: profile.taskType)
            guard !pool.isEmpty else { return nil }
            let q = catalog.questions[pool[rng.index(pool.count)]]
            title = String(q.question.prefix(300))
            input = [
                "question_id": .string(q.id),
                "question": .string(q.question),
                "choices": .array(q.choices.map { .string($0) }),
            ]
            truth = q.answer
        }
        input["requester"] = .string(name)
        let body: JSONValue = [
            "task_type": .string(profile.taskType.rawValue),
            "title": .string(title),
            "input": .object(input),
            "budget_sats": .int(budgetSats),
            "worker_type": .string(profile.workerType.rawValue),
            "trust_mode": .string(profile.trustMode.rawValue),
        ]
        return (body, truth)
    }
}
