import JSON
import Lightning
import Market

/// The resolver personas of SPEC section 8; they differ in speed, accuracy, honesty, proof habits, budget floors
/// and abandonment (the numbers are in each scenario's group, with the persona's defaults).
public enum ResolverPersona: String, Sendable, CaseIterable {
    case diligentHuman = "diligent_human"
    case fastAI = "fast_ai"
    case hybrid
    case sloppyWorker = "sloppy_worker"
    case claimAbandoner = "claim_abandoner"
    /// Reads the whole feed page and claims the best-paid task above its floor.
    case cherryPicker = "cherry_picker"
}

/// One resolver agent's settings.
public struct ResolverProfile: Sendable, Equatable {
    public var name: String
    public var persona: ResolverPersona
    public var kind: WorkerKind
    /// Chance of answering an easy question right; lowered by the question's difficulty.
    public var accuracy: Double
    public var pollMs: Int64
    public var workMinMs: Int64
    public var workMaxMs: Int64
    public var budgetFloorSats: Int64
    /// Task types it takes; empty means all.
    public var taskTypes: [TaskType]
    public var abandonRate: Double
    public var proofRate: Double
    /// Added to the calibrated confidence (positive: overconfident).
    public var confidenceBias: Double

    public init(name: String, persona: ResolverPersona, kind: WorkerKind, accuracy: Double, pollMs: Int64, workMinMs: Int64,
                workMaxMs: Int64, budgetFloorSats: Int64, taskTypes: [TaskType], abandonRate: Double, proofRate: Double,
                confidenceBias: Double) {
        self.name = name; self.persona = persona; self.kind = kind; self.accuracy = accuracy; self.pollMs = pollMs
        self.workMinMs = workMinMs; self.workMaxMs = workMaxMs; self.budgetFloorSats = budgetFloorSats
        self.taskTypes = taskTypes; self.abandonRate = abandonRate; self.proofRate = proofRate
        self.confidenceBias = confidenceBias
    }

    /// The Lightning address its payouts go to.
    public var lightningAddress: String { Self.lightningAddress(for: name) }

    /// The Lightning address of the resolver agent called `name`.
    public static func lightningAddress(for name: String) -> String { "\(name.lowercased())@workers.prooflayer.sim" }
}

/// A resolver: polls the feed with its filters, claims, resolves (an HTTP HEAD through the web probe for
/// `verify`, the question bank with its accuracy for the rest) and submits with a calibrated confidence.
public final class ResolverAgent: Agent {
    public static let pollKind: Int32 = 1
    public static let resolveKind: Int32 = 2
    public static let submitKind: Int32 = 3

    private struct Work {
        var taskID: String
        var taskType: TaskType
        var input: JSONValue
        var answer: JSONValue?
        var confidence: Double
    }

    public let profile: ResolverProfile
    public var name: String { profile.name }
    private let catalog: TaskCatalog
    private let probe: any WebProbe
    private let flakyRate: @Sendable (String) -> Double
    private var rng: SplitMix64
    public private(set) var workerID: String?
    private var work: Work?

    public private(set) var claims = 0
    public private(set) var claimConflicts = 0
    public private(set) var abandoned = 0
    public private(set) var submitted = 0
    public private(set) var submitRefusals = 0
    public private(set) var probes = 0

    public init(profile: ResolverProfile, catalog: TaskCatalog, probe: any WebProbe,
                flakyRate: @escaping @Sendable (String) -> Double, seed: UInt64) {
        self.profile = profile
        self.catalog = catalog
        self.probe = probe
        self.flakyRate = flakyRate
        self.rng = SplitMix64.stream(seed: seed, label: profile.name)
    }

    public func start(_ ctx: any AgentContext) {
        let body: JSONValue = [
            "display_name": .string(profile.name),
            "lightning_address": .string(profile.lightningAddress),
            "type": .string(profile.kind.rawValue),
        ]
        let r = ctx.call(name, "POST", "/api/workers", body: body) { r in
            r.status == 201 ? "registered \(Brief.id(r.json["worker"]?["id"]?.stringValue)) (\(profile.kind.rawValue), \(profile.persona.rawValue))" : Brief.error(r)
        }
        guard r.status == 201, let id = r.json["worker"]?["id"]?.stringValue else { return }
        workerID = id
        ctx.workerRegistered(workerID: id, agent: name)
        // Stagger the first polls so resolvers do not all read the feed at the same instant.
        ctx.wake(after: rng.uniform(0...max(0, profile.pollMs)), kind: Self.pollKind, arg: 0)
    }

    public func wake(kind: Int32, arg: Int64, _ ctx: any AgentContext) {
        switch kind {
        case Self.pollKind: poll(ctx)
        case Self.resolveKind: resolve(ctx)
        case Self.submitKind: submit(ctx)
        default: break
        }
    }

    private var feedTarget: String {
        // Only a cherry-picker reads a whole page; the others take one of the oldest few.
        var q = "/api/workers/feed?worker_type=\(profile.kind.rawValue)&limit=\(profile.persona == .cherryPicker ? 20 : 5)"
        if profile.budgetFloorSats > 0 { q += "&budget_min=\(profile.budgetFloorSats)" }
        if profile.taskTypes.count == 1 { q += "&task_type=\(profile.taskTypes[0].rawValue)" }
        return q
    }

    private func poll(_ ctx: any AgentContext) {
        guard let workerID, work == nil else { return }
        let feed = ctx.call(name, "GET", feedTarget) { r in
            r.status == 200 ? "\(r.json["count"]?.intValue ?? 0) open tasks" : Brief.error(r)
        }
        var candidates: [JSONValue] = (feed.json["tasks"]?.arrayValue ?? []).filter { t in
            guard let type = t["task_type"]?.stringValue.flatMap(TaskType.init(rawValue:)) else { return false }
            return profile.taskTypes.isEmpty || profile.taskTypes.contains(type)
        }
        var attempts = 0
        while !candidates.isEmpty && attempts < 3 {
            attempts += 1
            let index = pick(candidates)
            let task = candidates.remove(at: index)
            guard let taskID = task["id"]?.stringValue else { continue }
            let claim = ctx.call(name, "POST", "/api/tasks/\(taskID)/claim", body: ["worker_id": .string(workerID)]) { r in
                r.status == 200 ? "claimed \(taskID) (\(Brief.sats(task["budget_sats"])) sats)" : Brief.error(r)
            }
            guard claim.status == 200 else { claimConflicts += 1; continue }
            claims += 1
            if rng.chance(profile.abandonRate) {
                // Claims and walks away: the lease runs out and the market takes a point off.
                abandoned += 1
                break
            }
            let type = task["task_type"]?.stringValue.flatMap(TaskType.init(rawValue:)) ?? .answer
            work = Work(taskID: taskID, taskType: type, input: task["input"] ?? [:], answer: nil, confidence: 0)
            ctx.wake(after: rng.uniform(profile.workMinMs...max(profile.workMinMs, profile.workMaxMs)), kind: Self.resolveKind, arg: 0)
            return
        }
        ctx.wake(after: profile.pollMs, kind: Self.pollKind, arg: 0)
    }

    /// Which of the candidates to claim: the best-paid for a cherry-picker, else one of the oldest few.
    private func pick(_ candidates: [JSONValue]) -> Int {
        if profile.persona == .cherryPicker {
            var best = 0
            for (i, t) in candidates.enumerated() where (t["budget_msat"]?.intValue ?? 0) > (candidates[best]["budget_msat"]?.intValue ?? 0) {
                best = i
            }
            return best
        }
        return rng.index(min(5, candidates.count))
    }

    private func resolve(_ ctx: any AgentContext) {
        guard var w = work else { return }
        var latency: Int64 = 0
        if w.taskType == .verify {
            let url = w.input["url"]?.stringValue ?? ""
            let outcome = probe.head(url, flake: rng.chance(flakyRate(url)))
            probes += 1
            latency = outcome.latencyMs
            var answer: [String: JSONValue] = [
                "answer": .string(outcome.isLive ? "yes" : "no"),
                "http_status": outcome.finalStatus.map { .int(Int64($0)) } ?? .null,
                "final_url": .string(outcome.finalURL),
                "redirects": .int(Int64(outcome.redirects)),
                "method": "HEAD",
            ]
            if let error = outcome.error { answer["error"] = .string(error) }
            w.answer = .object(answer)
            // A clean response is strong evidence; a timeout or failure is a guess.
            w.confidence = calibrated(outcome.finalStatus == nil ? 0.55 : profile.accuracy.squareRoot())
        } else {
            let id = w.input["question_id"]?.stringValue ?? ""
            if let q = catalog.question(id: id) {
                let p = max(0, min(1, profile.accuracy * (1 - 0.5 * q.difficulty)))
                let right = rng.chance(p)
                let wrong = q.choices.filter { $0.lowercased() != q.answer.lowercased() }
                let answer = right || wrong.isEmpty ? (right ? q.answer : "unsure") : wrong[rng.index(wrong.count)]
                w.answer = ["answer": .string(answer), "question_id": .string(id)]
                w.confidence = calibrated(p)
            } else {
                w.answer = ["answer": "unknown", "notes": "question not recognised"]
                w.confidence = calibrated(0.1)
            }
        }
        work = w
        ctx.wake(after: latency, kind: Self.submitKind, arg: 0)
    }

    /// A confidence near the real chance of being right, with a little noise and the persona's bias.
    private func calibrated(_ p: Double) -> Double {
        let noise = (rng.unit() - 0.5) * 0.1
        let c = p + noise + profile.confidenceBias
        return (max(0.01, min(0.99, c)) * 100).rounded() / 100
    }

    private func submit(_ ctx: any AgentContext) {
        guard let w = work, let workerID else { return }
        work = nil
        var body: [String: JSONValue] = [
            "worker_id": .string(workerID),
            "answer_json": w.answer ?? ["answer": "unknown"],
            "confidence": .double(w.confidence),
        ]
        if rng.chance(profile.proofRate) {
            body["proof_url"] = .string("https://proofs.prooflayer.sim/\(profile.name.lowercased())/\(w.taskID)")
        }
        let r = ctx.call(name, "POST", "/api/tasks/\(w.taskID)/submit", body: .object(body)) { r in
            r.status == 200
                ? "submitted answer=\(w.answer?["answer"]?.stringValue ?? "?") confidence=\(Brief.confidence(w.confidence))\(body["proof_url"] == nil ? " without proof" : " with proof")"
                : Brief.error(r)
        }
        if r.status == 200 { submitted += 1 } else { submitRefusals += 1 }
        ctx.wake(after: 1_000, kind: Self.pollKind, arg: 0)
    }
}
