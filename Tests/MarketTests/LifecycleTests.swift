import Foundation
import HTTPKit
import JSON
import Lightning
import Testing
@testable import Market

/// SPEC section 5 on the pure `TaskLifecycle` functions.
@Suite struct LifecyclePureTests {
    static let t0 = Instant(seconds: 1_796_000_000)
    static let timing = MarketTiming.default

    static func task(_ status: TaskStatus = .open, requirement: WorkerRequirement = .any, trust: TrustMode = .auto) -> MarketTask {
        MarketTask(id: TaskID("task_1"), taskType: .verify, title: "t", inputJSON: "{}", budget: MilliSats(100_000),
                   workerRequirement: requirement, trustMode: trust, status: status, createdAt: t0,
                   expiresAt: t0.adding(milliseconds: timing.taskTTLMs), paymentMethod: .simToken, paymentHash: nil)
    }

    static func worker(_ kind: WorkerKind = .human, id: String = "wrk_a") -> Worker {
        Worker(id: WorkerID(id), displayName: "A", lightningAddress: "a@example.com", kind: kind, createdAt: t0)
    }

    static func claimed(trust: TrustMode = .auto, at now: Instant = t0) throws -> MarketTask {
        try TaskLifecycle.claim(task(trust: trust), by: worker(), now: now, timing: timing)
    }

    static func submission(_ worker: String = "wrk_a", proof: String? = "https://example.com/p") -> Submission {
        Submission(workerID: WorkerID(worker), answerJSON: "{}", confidence: 0.5, proofURL: proof, submittedAt: t0)
    }

    @Test func claimMovesOpenToClaimedWithATenMinuteLease() throws {
        let next = try Self.claimed()
        #expect(next.status == .claimed)
        #expect(next.claimedBy == WorkerID("wrk_a"))
        #expect(next.claimedAt == Self.t0)
        #expect(next.leaseExpiresAt == Self.t0.adding(milliseconds: 600_000))
    }

    @Test(arguments: [TaskStatus.claimed, .submitted, .completed, .expired])
    func claimIsRefusedUnlessOpen(_ status: TaskStatus) {
        #expect(throws: MarketError.invalidState(task: TaskID("task_1"), status: status, action: "claimed")) {
            try TaskLifecycle.claim(Self.task(status), by: Self.worker(), now: Self.t0, timing: Self.timing)
        }
    }

    @Test func claimAfterTheTTLIsRefusedAsExpired() {
        let late = Self.t0.adding(milliseconds: Self.timing.taskTTLMs)
        #expect(throws: MarketError.invalidState(task: TaskID("task_1"), status: .expired, action: "claimed")) {
            try TaskLifecycle.claim(Self.task(), by: Self.worker(), now: late, timing: Self.timing)
        }
    }

    @Test(arguments: WorkerRequirement.allCases, WorkerKind.allCases)
    func workerTypeMustMatchOrBeAny(_ requirement: WorkerRequirement, _ kind: WorkerKind) {
        let allowed = requirement == .any || requirement.rawValue == kind.rawValue
        #expect(requirement.admits(kind) == allowed)
        do {
            let next = try TaskLifecycle.claim(Self.task(requirement: requirement), by: Self.worker(kind), now: Self.t0, timing: Self.timing)
            #expect(allowed && next.status == .claimed)
        } catch {
            #expect(!allowed)
            #expect(error == .workerTypeMismatch(task: TaskID("task_1"), required: requirement, worker: kind))
        }
    }

    @Test(arguments: [(TrustMode.auto, Int64(0)), (.proofRequired, 0), (.review, 3_600_000)])
    func submitSchedulesTheRelease(_ trust: TrustMode, _ delay: Int64) throws {
        let now = Self.t0.adding(milliseconds: 1_000)
        let next = try TaskLifecycle.submit(try Self.claimed(trust: trust), submission: Self.submission(), now: now, timing: Self.timing)
        #expect(next.status == .submitted)
        #expect(next.submission == Self.submission())
        #expect(next.leaseExpiresAt == nil)
        #expect(next.releaseDueAt == now.adding(milliseconds: delay))
        #expect(!TaskLifecycle.releaseIsDue(next, now: now.adding(milliseconds: delay - 1)))
        #expect(TaskLifecycle.releaseIsDue(next, now: now.adding(milliseconds: delay)))
    }

    @Test(arguments: [TaskStatus.open, .submitted, .completed, .expired])
    func submitIsRefusedUnlessClaimed(_ status: TaskStatus) {
        #expect(throws: MarketError.invalidState(task: TaskID("task_1"), status: status, action: "submitted")) {
            try TaskLifecycle.submit(Self.task(status), submission: Self.submission(), now: Self.t0, timing: Self.timing)
        }
    }

    @Test func submitByAnotherWorkerIsRefused() throws {
        #expect(throws: MarketError.notClaimant(task: TaskID("task_1"), worker: WorkerID("wrk_b"))) {
            try TaskLifecycle.submit(try Self.claimed(), submission: Self.submission("wrk_b"), now: Self.t0, timing: Self.timing)
        }
    }

    @Test func submitAtOrAfterTheLeaseIsRefused() throws {
        let lease = Self.t0.adding(milliseconds: Self.timing.claimLeaseMs)
        #expect(throws: MarketError.self) {
            try TaskLifecycle.submit(try Self.claimed(), submission: Self.submission(), now: lease, timing: Self.timing)
        }
        let justBefore = try TaskLifecycle.submit(try Self.claimed(), submission: Self.submission(), now: lease.adding(milliseconds: -1), timing: Self.timing)
        #expect(justBefore.status == .submitted)
    }

    @Test(arguments: [nil, "", "https://example.com/p"] as [String?])
    func proofRequiredNeedsAProofURL(_ proof: String?) throws {
        let claimed = try Self.claimed(trust: .proofRequired)
        if let proof, !proof.isEmpty {
            #expect(try TaskLifecycle.submit(claimed, submission: Self.submission(proof: proof), now: Self.t0, timing: Self.timing).status == .submitted)
        } else {
            #expect(throws: MarketError.proofRequired(TaskID("task_1"))) {
                try TaskLifecycle.submit(claimed, submission: Self.submission(proof: proof), now: Self.t0, timing: Self.timing)
            }
            // Other modes accept a submission without proof.
            #expect(try TaskLifecycle.submit(try Self.claimed(trust: .auto), submission: Self.submission(proof: proof), now: Self.t0, timing: Self.timing).status == .submitted)
        }
    }

    @Test func completeMovesSubmittedToCompleted() throws {
        let submitted = try TaskLifecycle.submit(try Self.claimed(), submission: Self.submission(), now: Self.t0, timing: Self.timing)
        let done = try TaskLifecycle.complete(submitted, now: Self.t0.adding(seconds: 5))
        #expect(done.status == .completed)
        #expect(done.completedAt == Self.t0.adding(seconds: 5))
        #expect(done.releaseDueAt == nil)
        #expect(done.submission == submitted.submission)
    }

    @Test(arguments: [TaskStatus.open, .claimed, .completed, .expired])
    func completeIsRefusedUnlessSubmitted(_ status: TaskStatus) {
        #expect(throws: MarketError.invalidState(task: TaskID("task_1"), status: status, action: "released")) {
            try TaskLifecycle.complete(Self.task(status), now: Self.t0)
        }
    }

    @Test func rejectReopensAReviewTaskAndClearsTheClaim() throws {
        let submitted = try TaskLifecycle.submit(try Self.claimed(trust: .review), submission: Self.submission(), now: Self.t0, timing: Self.timing)
        let reopened = try TaskLifecycle.reject(submitted, now: Self.t0)
        #expect(reopened.status == .open)
        #expect(reopened.claimedBy == nil && reopened.claimedAt == nil && reopened.leaseExpiresAt == nil)
        #expect(reopened.submission == nil && reopened.releaseDueAt == nil)
        #expect(reopened.reopenCount == 1)
        #expect(reopened.expiresAt == submitted.expiresAt)
    }

    @Test(arguments: [TrustMode.auto, .proofRequired])
    func rejectIsRefusedOutsideReviewMode(_ trust: TrustMode) throws {
        let submitted = try TaskLifecycle.submit(try Self.claimed(trust: trust), submission: Self.submission(), now: Self.t0, timing: Self.timing)
        #expect(throws: MarketError.self) { try TaskLifecycle.reject(submitted, now: Self.t0) }
    }

    @Test(arguments: [TaskStatus.open, .claimed, .completed, .expired])
    func rejectIsRefusedUnlessSubmitted(_ status: TaskStatus) {
        #expect(throws: MarketError.invalidState(task: TaskID("task_1"), status: status, action: "rejected")) {
            try TaskLifecycle.reject(Self.task(status, trust: .review), now: Self.t0)
        }
    }

    @Test func leaseExpiryReopensOnlyAtOrAfterTheLease() throws {
        let claimed = try Self.claimed()
        let lease = try #require(claimed.leaseExpiresAt)
        #expect(TaskLifecycle.expireLease(claimed, now: lease.adding(milliseconds: -1)) == nil)
        let reopened = try #require(TaskLifecycle.expireLease(claimed, now: lease))
        #expect(reopened.status == .open && reopened.claimedBy == nil && reopened.reopenCount == 1)
        for status in [TaskStatus.open, .submitted, .completed, .expired] {
            #expect(TaskLifecycle.expireLease(Self.task(status), now: lease.adding(seconds: 3600)) == nil)
        }
    }

    @Test func ttlExpiresOnlyOpenTasks() throws {
        let ttl = Self.t0.adding(milliseconds: Self.timing.taskTTLMs)
        #expect(TaskLifecycle.expire(Self.task(), now: ttl.adding(milliseconds: -1)) == nil)
        let expired = try #require(TaskLifecycle.expire(Self.task(), now: ttl))
        #expect(expired.status == .expired && expired.expiredAt == ttl)
        for status in [TaskStatus.claimed, .submitted, .completed, .expired] {
            #expect(TaskLifecycle.expire(Self.task(status), now: ttl.adding(seconds: 1)) == nil)
        }
    }
}

/// SPEC section 5 through the router, with the status and error code a client sees.
@Suite struct LifecycleRouterTests {
    @Test func claimOpenTaskReturns200AndClaimedTaskReturns409() throws {
        let m = try MarketHarness()
        let alice = try m.registerWorker()
        let bob = try m.registerWorker("Bob", address: "bob@example.com")
        let task = try m.createTask()
        let first = m.claim(task, by: alice)
        #expect(first.status == 200)
        #expect(first.json["task"]?["status"] == "claimed")
        #expect(first.json["task"]?["worker"]?["id"] == .string(alice))
        #expect(first.json["task"]?["lease_expires_at"] == .string(MarketHarness.start.adding(minutes: 10).iso8601))
        let second = m.claim(task, by: bob)
        expectAPIError(second, 409, "invalid_state")
        #expect(second.json["error"]?["status"] == "claimed")
        expectAPIError(m.claim(task, by: alice), 409, "invalid_state")
        expectAPIError(m.claim("task_nope", by: alice), 404, "task_not_found")
        expectAPIError(m.claim(task, by: "wrk_nope"), 404, "worker_not_found")
    }

    @Test func claimByWorkerOfTheWrongTypeIs409() throws {
        let m = try MarketHarness()
        let ai = try m.registerWorker("Bot", kind: "ai", address: "bot@example.com")
        let task = try m.createTask() // the seed body asks for a human
        expectAPIError(m.claim(task, by: ai), 409, "worker_type_mismatch")
        #expect(m.task(task)["status"] == "open")
    }

    @Test(arguments: WorkerKind.allCases)
    func anyTaskIsClaimableByEveryKind(_ kind: WorkerKind) throws {
        let m = try MarketHarness()
        let worker = try m.registerWorker("W", kind: kind.rawValue, address: "w@example.com")
        var body = MarketHarness.seedTaskBody.objectValue ?? [:]
        body["worker_type"] = "any"
        let task = try m.createTask(body: .object(body))
        #expect(m.claim(task, by: worker).status == 200)
        let feed = m.call("GET", "/api/workers/feed?worker_type=\(kind.rawValue)")
        #expect(feed.status == 200)
        #expect(feed.json["count"] == 0) // claimed tasks leave the feed
    }

    @Test func submitByNonClaimantIs409() throws {
        let m = try MarketHarness()
        let alice = try m.registerWorker()
        let bob = try m.registerWorker("Bob", address: "bob@example.com")
        let task = try m.createTask()
        expectAPIError(m.submit(task, by: alice), 409, "invalid_state") // not claimed yet
        #expect(m.claim(task, by: alice).status == 200)
        expectAPIError(m.submit(task, by: bob), 409, "not_claimant")
        #expect(m.task(task)["status"] == "claimed")
    }

    @Test func submitWithoutProofInProofRequiredModeIs422() throws {
        let m = try MarketHarness()
        let alice = try m.registerWorker()
        let task = try m.createTask(trust: "proof_required")
        #expect(m.claim(task, by: alice).status == 200)
        expectAPIError(m.submit(task, by: alice, proof: nil), 422, "proof_required", field: "proof_url")
        expectAPIError(m.submit(task, by: alice, proof: "   "), 422, nil, field: "proof_url")
        expectAPIError(m.submit(task, by: alice, proof: "ftp://example.com/x"), 422, "invalid_field", field: "proof_url")
        #expect(m.task(task)["status"] == "claimed")
        #expect(m.submit(task, by: alice).status == 200)
    }

    @Test func submitAfterLeaseExpiryReopensTheTaskAndPenalisesTheWorker() throws {
        let m = try MarketHarness()
        let fresh = try m.registerWorker()
        let task = try m.createTask()
        #expect(m.claim(task, by: fresh).status == 200)
        m.advance(minutes: 10)
        let late = m.submit(task, by: fresh)
        expectAPIError(late, 409, "invalid_state")
        let t = m.task(task)
        #expect(t["status"] == "open")
        #expect(t["worker"] == .null)
        let p = m.profile(fresh)
        #expect(p["reputation_score"] == 0) // 0 - 1 floored at 0
        #expect(p["abandoned_claims"] == 1)

        // A worker with a score loses exactly one point.
        let seasoned = try m.registerWorker("Bob", address: "bob@example.com")
        for _ in 0..<2 {
            let t = try m.createTask(trust: "auto")
            try m.claimAndSubmit(task: t, worker: seasoned)
        }
        #expect(m.profile(seasoned)["reputation_score"] == 2)
        #expect(m.claim(task, by: seasoned).status == 200)
        m.advance(minutes: 9, seconds: 59)
        #expect(m.task(task)["status"] == "claimed")
        m.advance(seconds: 1)
        #expect(m.task(task)["status"] == "open")
        let q = m.profile(seasoned)
        #expect(q["reputation_score"] == 1)
        #expect(q["abandoned_claims"] == 1)
        // The task can be claimed again after it reopened.
        #expect(m.claim(task, by: fresh).status == 200)
    }

    @Test func ttlExpiryRefundsTheBudgetAndRefusesClaims() throws {
        let m = try MarketHarness()
        let alice = try m.registerWorker()
        let task = try m.createTask(budget: 250)
        m.advance(minutes: 24 * 60 - 1)
        #expect(m.task(task)["status"] == "open")
        m.advance(minutes: 1)
        let t = m.task(task)
        #expect(t["status"] == "expired")
        #expect(t["expired_at"] == .string(MarketHarness.start.adding(seconds: 24 * 3600).iso8601))
        #expect(t["refund"]?["amount_msat"] == 250_000)
        #expect(t["refund"]?["amount_sats"] == 250)
        #expect(t["refund"]?["status"] == "credited")
        let claim = m.claim(task, by: alice)
        expectAPIError(claim, 409, "invalid_state")
        #expect(claim.json["error"]?["status"] == "expired")
        #expect(m.call("GET", "/api/workers/feed").json["count"] == 0)
        let market = m.call("GET", "/api/market").json
        #expect(market["refunds_msat"] == 250_000)
        #expect(market["tasks"]?["expired"] == 1)
        #expect(market["ledger_balanced"] == true)
        let refunds = try m.service.store.read { db in try db.queryOne("SELECT COUNT(*) FROM refunds") { $0.int(0) } }
        #expect(refunds == 1)
    }

    @Test func claimedTaskOutlivesItsTTLUntilTheLeaseLapses() throws {
        let m = try MarketHarness()
        let alice = try m.registerWorker()
        let task = try m.createTask(trust: "auto")
        m.advance(minutes: 24 * 60 - 5)
        #expect(m.claim(task, by: alice).status == 200)
        m.advance(minutes: 6) // past the TTL, inside the lease
        #expect(m.task(task)["status"] == "claimed")
        m.advance(minutes: 5) // lease lapsed: back to open, and the TTL has passed
        let t = m.task(task)
        #expect(t["status"] == "expired")
        #expect(t["refund"]?["amount_msat"] == 100_000)
        #expect(m.profile(alice)["abandoned_claims"] == 1)
    }

    @Test func rejectionAfterTheTTLExpiresTheTaskOnTheNextRequest() throws {
        let m = try MarketHarness()
        let alice = try m.registerWorker()
        let task = try m.createTask(trust: "review")
        m.advance(minutes: 24 * 60 - 10)
        #expect(m.claim(task, by: alice).status == 200)
        #expect(m.submit(task, by: alice).status == 200)
        m.advance(minutes: 15) // TTL passed while the submission waits for review
        #expect(m.task(task)["status"] == "submitted")
        let reject = m.call("POST", "/api/tasks/\(task)/reject", body: ["reason": "no"], headers: [MarketHarness.simAuth])
        #expect(reject.status == 200)
        m.advance(seconds: 1)
        let t = m.task(task)
        #expect(t["status"] == "expired")
        #expect(t["refund"]?["amount_msat"] == 100_000)
        #expect(m.call("GET", "/api/workers/feed").json["count"] == 0)
    }

    @Test func reviewModeWaitsForTheRequester() throws {
        let m = try MarketHarness()
        let alice = try m.registerWorker()
        let task = try m.createTask(trust: "review")
        #expect(m.claim(task, by: alice).status == 200)
        let submit = m.submit(task, by: alice, proof: nil)
        #expect(submit.status == 200)
        #expect(submit.json["task"]?["release_due_at"] == .string(MarketHarness.start.adding(seconds: 3600).iso8601))
        m.advance(minutes: 30)
        #expect(m.task(task)["status"] == "submitted")
        expectAPIError(m.call("POST", "/api/tasks/\(task)/release"), 401, "requester_credential_required")
        expectAPIError(m.call("POST", "/api/tasks/\(task)/release", headers: [("Authorization", "L402 bogus:00")]), 401)
        expectAPIError(m.call("POST", "/api/tasks/\(task)/reject"), 401, "requester_credential_required")
        #expect(m.task(task)["status"] == "submitted")
        #expect(try m.payoutRows(task: task) == 0)

        let release = m.call("POST", "/api/tasks/\(task)/release", headers: [MarketHarness.simAuth])
        #expect(release.status == 200)
        #expect(release.json["task"]?["status"] == "completed")
        #expect(release.json["payout"]?["amount_msat"] == 70_000)
        #expect(m.profile(alice)["completed_jobs"] == 1)
    }

    @Test func reviewRejectReopensWithATwoPointPenalty() throws {
        let m = try MarketHarness()
        let alice = try m.registerWorker()
        for _ in 0..<3 { try m.claimAndSubmit(task: try m.createTask(trust: "auto"), worker: alice) }
        #expect(m.profile(alice)["reputation_score"] == 3)
        let task = try m.createTask(trust: "review")
        #expect(m.claim(task, by: alice).status == 200)
        #expect(m.submit(task, by: alice).status == 200)
        let reject = m.call("POST", "/api/tasks/\(task)/reject", body: ["reason": "the proof does not show a 200"], headers: [MarketHarness.simAuth])
        #expect(reject.status == 200)
        #expect(reject.json["task"]?["status"] == "open")
        #expect(reject.json["task"]?["submission"] == .null)
        let p = m.profile(alice)
        #expect(p["reputation_score"] == 1)
        #expect(p["rejected_submissions"] == 1)
        #expect(p["tier"] == "new")
        #expect(try m.payoutRows(task: task) == 0)
        // Rejecting again is a state error; the reopened task is back on the feed and claimable.
        expectAPIError(m.call("POST", "/api/tasks/\(task)/reject", headers: [MarketHarness.simAuth]), 409, "invalid_state")
        #expect(m.call("GET", "/api/workers/feed").json["tasks"]?[0]?["id"] == .string(task))
        #expect(m.claim(task, by: alice).status == 200)
    }

    @Test func reviewIsAutoAcceptedAfterTheWindow() throws {
        let m = try MarketHarness()
        let alice = try m.registerWorker()
        let task = try m.createTask(trust: "review")
        #expect(m.claim(task, by: alice).status == 200)
        #expect(m.submit(task, by: alice).status == 200)
        m.advance(minutes: 59, seconds: 59)
        #expect(m.task(task)["status"] == "submitted")
        m.advance(seconds: 1)
        let t = m.task(task)
        #expect(t["status"] == "completed")
        #expect(t["payout"]?["status"] == "settled")
        #expect(t["payout"]?["amount_msat"] == 70_000)
        #expect(try m.payoutRows(task: task) == 1)
    }

    @Test func rejectIsRefusedForAutoModeTasks() throws {
        let m = try MarketHarness { $0.timing.autoReleaseDelayMs = 60_000 }
        let alice = try m.registerWorker()
        let task = try m.createTask(trust: "auto")
        #expect(m.claim(task, by: alice).status == 200)
        #expect(m.submit(task, by: alice).status == 200)
        expectAPIError(m.call("POST", "/api/tasks/\(task)/reject", headers: [MarketHarness.simAuth]), 409, "invalid_state")
        #expect(m.task(task)["status"] == "submitted")
        m.advance(minutes: 1)
        #expect(m.task(task)["status"] == "completed")
    }

    @Test(arguments: ["auto", "proof_required"])
    func autoModesReleaseOnTheNextRequestAfterSubmit(_ trust: String) throws {
        let m = try MarketHarness()
        let alice = try m.registerWorker()
        let task = try m.createTask(budget: 1, trust: trust)
        #expect(m.claim(task, by: alice).status == 200)
        let submit = m.submit(task, by: alice)
        #expect(submit.json["task"]?["status"] == "submitted")
        let t = m.task(task)
        #expect(t["status"] == "completed")
        #expect(t["payout"]?["amount_msat"] == 700)
        #expect(t["payout"]?["platform_fee_msat"] == 300)
        #expect(t["payout"]?["status"] == "settled")
        #expect(t["submission"]?["answer_json"]?["answer"] == "yes")
        #expect(m.profile(alice)["completed_jobs"] == 1)
    }

    @Test func releaseOfAnOpenOrClaimedTaskIs409() throws {
        let m = try MarketHarness()
        let alice = try m.registerWorker()
        let task = try m.createTask(trust: "auto")
        expectAPIError(m.call("POST", "/api/tasks/\(task)/release"), 409, "invalid_state")
        #expect(m.claim(task, by: alice).status == 200)
        let r = m.call("POST", "/api/tasks/\(task)/release")
        expectAPIError(r, 409, "invalid_state")
        #expect(r.json["error"]?["status"] == "claimed")
        expectAPIError(m.call("POST", "/api/tasks/task_nope/release"), 404, "task_not_found")
        #expect(try m.payoutRows(task: task) == 0)
        #expect(m.profile(alice)["completed_jobs"] == 0)
    }

    @Test func releaseIsIdempotent() throws {
        let m = try MarketHarness { $0.timing.autoReleaseDelayMs = 3_600_000 }
        let alice = try m.registerWorker()
        let task = try m.createTask(budget: 123, trust: "auto")
        #expect(m.claim(task, by: alice).status == 200)
        #expect(m.submit(task, by: alice).status == 200)
        let first = m.call("POST", "/api/tasks/\(task)/release")
        let second = m.call("POST", "/api/tasks/\(task)/release")
        m.advance(minutes: 120) // the scheduled automatic release finds nothing left to do
        let third = m.call("POST", "/api/tasks/\(task)/release", body: [:])
        for r in [first, second, third] {
            #expect(r.status == 200)
            #expect(r.json["payout"]?["id"] == first.json["payout"]?["id"])
            #expect(r.json["payout"]?["amount_msat"] == 86_100)
            #expect(r.json["payout"]?["platform_fee_msat"] == 36_900)
            #expect(r.json["payout"]?["payment_hash"] == first.json["payout"]?["payment_hash"])
        }
        #expect(first.json["payout"]?["id"]?.stringValue?.hasPrefix("pay_") == true)
        #expect(try m.payoutRows(task: task) == 1)
        #expect(m.profile(alice)["completed_jobs"] == 1)
        #expect(m.profile(alice)["reputation_score"] == 1)
        let wallet = try #require(m.node.wallet(forAddress: "alice@getalby.com"))
        #expect(m.node.balance(of: wallet) == MilliSats(86_100))
    }

    @Test func payoutHistoryListsSettledPayoutsAndTotals() throws {
        let m = try MarketHarness()
        let alice = try m.registerWorker()
        let bob = try m.registerWorker("Bob", address: "bob@example.com")
        for budget: Int64 in [100, 3, 1_000] {
            try m.claimAndSubmit(task: try m.createTask(budget: budget, trust: "auto"), worker: alice)
        }
        try m.claimAndSubmit(task: try m.createTask(budget: 50, trust: "auto"), worker: bob)
        let h = m.call("GET", "/api/workers/\(alice)/payouts")
        #expect(h.status == 200)
        #expect(h.json["worker_id"] == .string(alice))
        #expect(h.json["lightning_address"] == "alice@getalby.com")
        let payouts = try #require(h.json["payouts"]?.arrayValue)
        #expect(payouts.map { $0["amount_msat"] } == [70_000, 2_100, 700_000])
        #expect(payouts.allSatisfy { $0["status"] == "settled" && $0["worker_id"] == .string(alice) && $0["preimage"]?.stringValue?.count == 64 })
        #expect(h.json["total_earned_msat"] == 772_100)
        #expect(h.json["total_earned_sats"] == 772.1)
        #expect(h.json["pending"] == [])
        #expect(h.json["failed"] == [])
        #expect(h.json["pending_msat"] == 0)
        #expect(m.call("GET", "/api/workers/\(bob)/payouts").json["total_earned_msat"] == 35_000)
        let fresh = try m.registerWorker("Carol", address: "carol@example.com")
        let empty = m.call("GET", "/api/workers/\(fresh)/payouts")
        #expect(empty.status == 200 && empty.json["payouts"] == [] && empty.json["total_earned_msat"] == 0)
        expectAPIError(m.call("GET", "/api/workers/wrk_nope/payouts"), 404, "worker_not_found")
    }

    /// A payout the platform cannot fund is retried with backoff, listed as pending and then failed, never settled
    /// and never paid twice; the ledger still balances.
    @Test func unpayablePayoutIsRetriedThenListedAsFailed() throws {
        let m = try MarketHarness()
        let alice = try m.registerWorker()
        let task = try m.createTask(budget: 200_000_000, trust: "auto") // 1.4 BTC payout; the platform holds 1 BTC
        #expect(m.claim(task, by: alice).status == 200)
        #expect(m.submit(task, by: alice).status == 200)
        let t = m.task(task)
        #expect(t["status"] == "completed")
        #expect(t["payout"]?["status"] == "pending")
        #expect(t["payout"]?["attempts"] == 1)
        var h = m.call("GET", "/api/workers/\(alice)/payouts").json
        #expect(h["pending"]?.arrayValue?.count == 1)
        #expect(h["pending_msat"] == 140_000_000_000)
        #expect(h["total_earned_msat"] == 0)
        for _ in 0..<10 { m.advance(seconds: 20); _ = m.call("GET", "/api/market") }
        h = m.call("GET", "/api/workers/\(alice)/payouts").json
        #expect(h["pending"] == [])
        #expect(h["failed"]?.arrayValue?.count == 1)
        #expect(h["failed"]?[0]?["attempts"] == 5)
        #expect(h["failed_msat"] == 140_000_000_000)
        #expect(h["payouts"] == [])
        #expect(try m.payoutRows(task: task) == 1)
        #expect(m.node.wallet(forAddress: "alice@getalby.com").flatMap { m.node.balance(of: $0) } ?? .zero == .zero)
        let market = m.call("GET", "/api/market").json
        #expect(market["owed_payouts_msat"] == 140_000_000_000)
        #expect(market["ledger_balanced"] == true)
        // A second release returns the same (failed) payout rather than creating another.
        #expect(m.call("POST", "/api/tasks/\(task)/release").json["payout"]?["id"] == h["failed"]?[0]?["id"])
        // An operator's retry starts the attempt count afresh and keeps the amounts; it still cannot be funded.
        let id = try #require(h["failed"]?[0]?["id"]?.stringValue)
        let retried = try m.service.retryFailedPayout(PayoutID(id))
        #expect(retried.status == .pending && retried.attempts == 1)
        #expect(retried.split.workerPayout == MilliSats(140_000_000_000))
        #expect(m.call("GET", "/api/workers/\(alice)/payouts").json["pending"]?.arrayValue?.count == 1)
        #expect(try m.payoutRows(task: task) == 1)
    }

    /// In review mode only the L402 credential that paid for the task may release it.
    @Test func reviewReleaseNeedsTheCredentialThatPaid() throws {
        let m = try MarketHarness()
        let alice = try m.registerWorker()
        func paidCredential() throws -> String {
            let gate = m.call("POST", "/api/tasks?budget_sats=100", body: MarketHarness.seedTaskBody)
            #expect(gate.status == 402)
            let invoice = try #require(gate.json["error"]?["invoice"]?.stringValue)
            let macaroon = try #require(gate.json["error"]?["macaroon"]?.stringValue)
            let pay = m.call("POST", "/sim/lightning/pay", body: ["invoice": .string(invoice)])
            #expect(pay.status == 200 && pay.json["status"] == "succeeded")
            let preimage = try #require(pay.json["preimage"]?.stringValue)
            return "L402 \(macaroon):\(preimage)"
        }
        var body = MarketHarness.seedTaskBody.objectValue ?? [:]
        body["trust_mode"] = "review"
        let credA = try paidCredential(), credB = try paidCredential()
        let a = m.call("POST", "/api/tasks?budget_sats=100", body: .object(body), headers: [("Authorization", credA)])
        #expect(a.status == 201)
        let task = try #require(a.json["task"]?["id"]?.stringValue)
        #expect(m.claim(task, by: alice).status == 200)
        #expect(m.submit(task, by: alice).status == 200)
        expectAPIError(m.call("POST", "/api/tasks/\(task)/release", headers: [MarketHarness.simAuth]), 401, "requester_credential_required")
        // credB was paid but never used: it identifies a different requester.
        expectAPIError(m.call("POST", "/api/tasks/\(task)/release", headers: [("Authorization", credB)]), 401)
        #expect(m.task(task)["status"] == "submitted")
        let ok = m.call("POST", "/api/tasks/\(task)/release", headers: [("Authorization", credA)])
        #expect(ok.status == 200)
        #expect(ok.json["payout"]?["amount_msat"] == 70_000)
    }
}

extension Instant {
    func adding(minutes: Int64) -> Instant { adding(milliseconds: minutes * 60_000) }
}
