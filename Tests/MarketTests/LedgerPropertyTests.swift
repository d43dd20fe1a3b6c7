import Foundation
import HTTPKit
import JSON
import Lightning
import Testing
@testable import Market

/// SPEC section 3's ledger invariant and section 5's "exactly one payout per completed task", over many seeded
/// random histories of registrations, tasks, claims, submissions, releases, rejections and clock jumps
/// (lease expiries, TTL expiries, automatic releases, payout retries).
@Suite struct LedgerPropertyTests {
    /// What the random histories exercised, summed over all seeds, so that the property cannot hold vacuously.
    struct Coverage {
        var completed = 0, expired = 0, abandoned = 0, rejected = 0, failedOrPending = 0, reviewReleases = 0, requests = 0
    }

    static let seeds = 40
    static let operations = 60

    @Test func ledgerBalancesAfterRandomHistories() throws {
        var coverage = Coverage()
        for seed in 0..<Self.seeds {
            try runHistory(seed: UInt64(seed), coverage: &coverage)
        }
        #expect(coverage.completed > 80)
        #expect(coverage.expired > 10)
        #expect(coverage.abandoned > 10)
        #expect(coverage.rejected > 5)
        #expect(coverage.failedOrPending > 0)
        #expect(coverage.reviewReleases > 5)
    }

    func runHistory(seed: UInt64, coverage: inout Coverage) throws {
        let m = try MarketHarness(seed: seed)
        let rng = SeededRandom(seed: seed, stream: "history")
        func pick<T>(_ xs: [T]) -> T? { xs.isEmpty ? nil : xs[Int(rng.uniform(UInt64(xs.count)))] }
        func chance(_ p: Double) -> Bool { rng.unitDouble() < p }
        func status(of id: String) throws -> TaskStatus? { try m.service.store.read { try $0.task(TaskID(id)) }?.status }
        func claimant(of id: String) throws -> String? { try m.service.store.read { try $0.task(TaskID(id)) }?.claimedBy?.rawValue }

        var workers: [(id: String, address: String)] = []
        var tasks: [String] = []
        let kinds = ["human", "ai", "hybrid"]
        let requirements = ["human", "ai", "hybrid", "any"]
        let trusts = ["auto", "proof_required", "review"]

        @discardableResult
        func send(_ method: String, _ target: String, body: JSONValue? = nil, headers: [(String, String)] = [],
                  allowed: Set<Int>) -> (status: Int, json: JSONValue, response: HTTPResponse) {
            let r = m.call(method, target, body: body, headers: headers)
            coverage.requests += 1
            #expect(allowed.contains(r.status), "seed \(seed): \(method) \(target) -> \(r.status) \(r.json)")
            return r
        }

        func kind(of workerID: String) throws -> WorkerKind? { try m.service.store.read { try $0.worker(WorkerID(workerID)) }?.kind }
        func requirement(of taskID: String) throws -> WorkerRequirement? { try m.service.store.read { try $0.task(TaskID(taskID)) }?.workerRequirement }

        for step in 0..<Self.operations {
            let roll = step < 3 ? 0 : rng.uniform(100)
            switch roll {
            case 0..<8:
                let n = workers.count
                let address = "w\(n)s\(seed)@example.com"
                let r = send("POST", "/api/workers", body: ["display_name": .string("W\(n)"), "lightning_address": .string(address),
                                                            "type": .string(pick(kinds)!)], allowed: [201])
                if let id = r.json["worker"]?["id"]?.stringValue { workers.append((id, address)) }
            case 8..<22:
                // Mostly small budgets; now and then one the platform cannot pay out (1.4 BTC > 1 BTC of liquidity).
                let budget: Int64 = chance(0.03) ? 200_000_000 : Int64(rng.uniform(5_000)) + 1
                let body: JSONValue = ["task_type": "answer", "title": "Q", "budget_sats": .int(budget),
                                       "worker_type": .string(pick(requirements)!), "trust_mode": .string(pick(trusts)!)]
                let r = send("POST", "/api/tasks?budget_sats=\(budget)", body: body, headers: [MarketHarness.simAuth], allowed: [201])
                if let id = r.json["task"]?["id"]?.stringValue { tasks.append(id) }
            case 22..<45:
                let open = try tasks.filter { try status(of: $0) == .open }
                guard let t = chance(0.9) ? pick(open) : pick(tasks) else { continue }
                // Usually a worker the task admits; sometimes anyone (a type mismatch is a 409).
                let admitted = try workers.filter { w in try kind(of: w.id).map { try requirement(of: t)?.admits($0) ?? false } ?? false }
                guard let w = chance(0.85) ? (pick(admitted) ?? pick(workers)) : pick(workers) else { continue }
                send("POST", "/api/tasks/\(t)/claim", body: ["worker_id": .string(w.id)], allowed: [200, 409])
            case 45..<67:
                let claimed = try tasks.filter { try status(of: $0) == .claimed }
                guard let t = pick(claimed) else { continue }
                let worker = try chance(0.9) ? claimant(of: t) : pick(workers)?.id
                guard let worker else { continue }
                var body: [String: JSONValue] = ["worker_id": .string(worker), "answer_json": ["answer": .int(Int64(rng.uniform(3)))],
                                                 "confidence": .double(rng.unitDouble())]
                if chance(0.85) { body["proof_url"] = "https://example.com/proof" }
                send("POST", "/api/tasks/\(t)/submit", body: .object(body), allowed: [200, 409, 422])
            case 67..<77:
                guard let t = pick(tasks) else { continue }
                let before = try status(of: t)
                let auth = chance(0.7)
                let r = send("POST", "/api/tasks/\(t)/release", headers: auth ? [MarketHarness.simAuth] : [], allowed: [200, 401, 409])
                if r.status == 200 && before == .submitted && auth { coverage.reviewReleases += 1 }
            case 77..<82:
                guard let t = pick(tasks) else { continue }
                send("POST", "/api/tasks/\(t)/reject", body: ["reason": "no"], headers: chance(0.9) ? [MarketHarness.simAuth] : [],
                     allowed: [200, 401, 409])
            case 82..<85:
                send("GET", "/api/market", allowed: [200])
            default:
                // Clock jumps: seconds (payout retries), minutes (leases, review windows), hours (TTLs).
                switch rng.uniform(10) {
                case 0..<5: m.advance(seconds: Int64(rng.uniform(30)))
                case 5..<8: m.advance(minutes: Int64(rng.uniform(20)) + 1)
                default: m.advance(minutes: Int64(rng.uniform(30 * 60)))
                }
                send("GET", "/api/workers/feed", allowed: [200])
            }
        }
        // Let every scheduled retry and release run.
        for _ in 0..<8 { m.advance(minutes: 1); send("GET", "/api/market", allowed: [200]) }

        let figures = try MarketFigures.compute(m.service)
        let l = figures.ledger
        #expect(l.isBalanced, "seed \(seed): \(l)")
        #expect(l.paidBudgets == l.settledPayouts + l.owedPayouts + l.platformFeesNet + l.routingFees + l.refunds + l.escrow)
        #expect(m.call("GET", "/api/market").json["ledger_balanced"] == true)

        // Settled payouts are exactly what reached the workers' wallets.
        var walletTotal = MilliSats.zero
        for w in workers {
            if let wallet = m.node.wallet(forAddress: w.address) { walletTotal += m.node.balance(of: wallet) ?? .zero }
        }
        #expect(walletTotal == l.settledPayouts, "seed \(seed)")
        #expect(m.node.platformBalance == MilliSats(100_000_000_000) - l.settledPayouts - l.routingFees)

        try m.service.store.read { db in
            let duplicates = try db.query("SELECT task_id FROM payouts GROUP BY task_id HAVING COUNT(*) > 1") { $0.text(0) }
            #expect(duplicates.isEmpty, "seed \(seed)")
            let completedWithoutPayout = try db.queryOne("""
                SELECT COUNT(*) FROM tasks t WHERE t.status = 'completed' AND NOT EXISTS (SELECT 1 FROM payouts p WHERE p.task_id = t.id)
                """) { $0.int(0) }
            #expect(completedWithoutPayout == 0)
            let payoutOfUncompleted = try db.queryOne("""
                SELECT COUNT(*) FROM payouts p JOIN tasks t ON t.id = p.task_id WHERE t.status != 'completed' OR t.budget_msat != p.budget_msat
                """) { $0.int(0) }
            #expect(payoutOfUncompleted == 0)
            let expiredWithoutRefund = try db.queryOne("""
                SELECT COUNT(*) FROM tasks t WHERE t.status = 'expired'
                AND NOT EXISTS (SELECT 1 FROM refunds r WHERE r.task_id = t.id AND r.amount_msat = t.budget_msat)
                """) { $0.int(0) }
            #expect(expiredWithoutRefund == 0)
            let refundsOfLiveTasks = try db.queryOne("SELECT COUNT(*) FROM refunds r JOIN tasks t ON t.id = r.task_id WHERE t.status != 'expired'") { $0.int(0) }
            #expect(refundsOfLiveTasks == 0)

            for p in try db.query("SELECT \(Database.payoutColumns) FROM payouts", [], Database.payout(from:)) {
                #expect(p.split.workerPayout + p.split.platformFee == p.split.budget)
                #expect(p.split == PayoutMath.split(budget: p.split.budget, scoreBeforeTask: p.scoreBefore, policy: .default))
                if p.status != .settled { coverage.failedOrPending += 1 }
            }
            for w in workers {
                let worker = try #require(try db.worker(WorkerID(w.id)))
                let paid = try db.payouts(forWorker: worker.id)
                #expect(worker.completedJobs == Int64(paid.count))
                #expect(worker.reputationScore >= 0)
                coverage.abandoned += Int(worker.abandonedClaims)
                coverage.rejected += Int(worker.rejectedSubmissions)
            }
        }
        coverage.completed += Int(figures.tasksByStatus[.completed] ?? 0)
        coverage.expired += Int(figures.tasksByStatus[.expired] ?? 0)
    }
}
