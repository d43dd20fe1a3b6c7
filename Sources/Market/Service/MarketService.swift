import Lightning
import Synchronization

/// What a requester asks for when creating a task (the validated request body).
public struct TaskDraft: Sendable, Equatable {
    public var taskType: TaskType
    public var title: String
    public var inputJSON: String
    public var budget: MilliSats
    public var workerRequirement: WorkerRequirement
    public var trustMode: TrustMode
    /// Where the budget is paid back if the task expires; nil keeps the refund credited.
    public var refundAddress: String?

    public init(taskType: TaskType, title: String, inputJSON: String, budget: MilliSats,
                workerRequirement: WorkerRequirement, trustMode: TrustMode, refundAddress: String? = nil) {
        self.refundAddress = refundAddress
        self.taskType = taskType
        self.title = title
        self.inputJSON = inputJSON
        self.budget = budget
        self.workerRequirement = workerRequirement
        self.trustMode = trustMode
    }
}

/// How a task's creation was paid for, after the credential was verified.
public enum TaskPayment: Sendable, Equatable {
    /// A verified L402 credential, by payment hash (hex).
    case l402(paymentHash: String)
    /// The demo token of the seed page.
    case simToken
}

/// A task with the worker and payout a client sees beside it.
public struct TaskView: Sendable, Equatable {
    public var task: MarketTask
    public var worker: Worker?
    public var payout: Payout?
    public var refund: Refund?
}

/// A budget given back to a requester after its task expired.
public struct Refund: Sendable, Equatable {
    public var taskID: TaskID
    public var amount: MilliSats
    /// `credited` (owed to the requester, no address given), `pending`, `settled` or `failed`.
    public var status: String
    public var createdAt: Instant
    /// The payment to the requester's refund address; nil for a credited refund.
    public var transfer: TransferProgress?
}

/// Filters of the open-task feed.
public struct FeedQuery: Sendable, Equatable {
    public var taskType: TaskType?
    /// Tasks a worker of this kind may claim (its own kind or `any`); nil for all.
    public var workerKind: WorkerKind?
    public var budgetMin: MilliSats?
    public var limit: Int
    /// Resume after this position (from the previous page's `next_cursor`).
    public var after: Int64?

    public init(taskType: TaskType? = nil, workerKind: WorkerKind? = nil, budgetMin: MilliSats? = nil, limit: Int = 20, after: Int64? = nil) {
        self.taskType = taskType
        self.workerKind = workerKind
        self.budgetMin = budgetMin
        self.limit = limit
        self.after = after
    }
}

/// The market: the rules applied to the store, with clock, ids and the Lightning node injected.
/// Safe to call from many threads: every change is one serialised transaction.
public final class MarketService: @unchecked Sendable {
    public let configuration: MarketConfiguration
    public let store: MarketStore
    public let node: any LightningNode
    public let clock: any Clock
    let random: any RandomSource
    /// The earliest instant at which `processDue` has work; nil when nothing is scheduled.
    private let nextDeadline = Mutex<Instant?>(nil)
    /// Held while a payout is being paid, so that a release and a concurrent `processDue` never both pay one payout.
    let payoutLock = Mutex<Void>(())

    /// Told of every committed change, in commit order (the simulator's instrumentation).
    public let observer: (any MarketObserver)?

    public init(configuration: MarketConfiguration, store: MarketStore, node: any LightningNode,
                clock: any Clock, random: any RandomSource, observer: (any MarketObserver)? = nil) throws {
        try configuration.fees.validate()
        self.observer = observer
        self.configuration = configuration
        self.store = store
        self.node = node
        self.clock = clock
        self.random = random
        try refreshDeadline()
    }

    func newID(_ prefix: String) -> String { prefix + random.hexID(8) }

    /// One write transaction whose market events reach the observer only after it commits.
    func transaction<T>(_ body: (Database, inout [MarketEvent]) throws -> T) throws -> T {
        var events: [MarketEvent] = []
        let result = try store.write { db in try body(db, &events) }
        if let observer {
            for e in events { observer.marketDidChange(e) }
        }
        return result
    }

    // MARK: Workers

    /// Registers a worker with score 0.
    public func registerWorker(displayName: String, lightningAddress: String, kind: WorkerKind) throws -> Worker {
        let worker = Worker(id: WorkerID(newID("wrk_")), displayName: displayName, lightningAddress: lightningAddress,
                            kind: kind, createdAt: clock.now())
        try transaction { db, out in
            try db.insertWorker(worker)
            try event(db, "worker_registered", worker: worker.id, detail: worker.displayName)
            out.append(.workerRegistered(worker))
        }
        return worker
    }

    /// The worker with `id`.
    public func worker(_ id: WorkerID) throws -> Worker {
        guard let w = try store.read({ try $0.worker(id) }) else { throw MarketError.workerNotFound(id) }
        return w
    }

    /// A worker's payouts, oldest first.
    public func payouts(of id: WorkerID) throws -> (Worker, [Payout]) {
        try store.read { db in
            guard let w = try db.worker(id) else { throw MarketError.workerNotFound(id) }
            return (w, try db.payouts(forWorker: id))
        }
    }

    // MARK: Tasks

    /// Records an L402 challenge so that the credential paying it can later create one task.
    public func recordChallenge(paymentHash: String, tokenID: String, budget: MilliSats, invoice: String, expiresAt: Instant) throws {
        _ = try store.write { db in
            try db.run("INSERT INTO l402_tokens (payment_hash, token_id, budget_msat, invoice, created_at, expires_at) VALUES (?,?,?,?,?,?)",
                       [.text(paymentHash), .text(tokenID), .integer(budget.rawValue), .text(invoice),
                        .integer(clock.now().milliseconds), .integer(expiresAt.milliseconds)])
        }
    }

    /// The task an L402 token (by payment hash, hex) already created, if any.
    public func task(paidBy paymentHash: String) throws -> TaskID? {
        try store.read { db in
            try db.queryOne("SELECT task_id FROM l402_tokens WHERE payment_hash = ?", [.text(paymentHash)]) { $0.optionalText(0) }
        }.flatMap { $0 }.map(TaskID.init)
    }

    /// Creates an open task paid by `payment`. A retry of the identical request (same `fingerprint`) with the
    /// same token returns the task it created (`created == false`); a different request gets `tokenSpent`.
    public func createTask(_ draft: TaskDraft, payment: TaskPayment, fingerprint: String) throws -> (task: MarketTask, created: Bool) {
        let now = clock.now()
        return try transaction { db, out in
            var method = PaymentMethod.simToken
            var hash: String?
            if case .l402(let paymentHash) = payment {
                method = .l402
                hash = paymentHash
                let token = try db.queryOne("SELECT task_id, request_fingerprint FROM l402_tokens WHERE payment_hash = ?",
                                            [.text(paymentHash)]) { ($0.optionalText(0), $0.optionalText(1)) }
                guard let token else { throw MarketError.unknownToken(paymentHash: paymentHash) }
                if let existing = token.0 {
                    guard token.1 == fingerprint, let task = try db.task(TaskID(existing)) else {
                        throw MarketError.tokenSpent(existing: TaskID(existing))
                    }
                    return (task, false)
                }
            }
            let task = MarketTask(id: TaskID(newID("task_")), taskType: draft.taskType, title: draft.title,
                                  inputJSON: draft.inputJSON, budget: draft.budget,
                                  workerRequirement: draft.workerRequirement, trustMode: draft.trustMode,
                                  createdAt: now, expiresAt: now.adding(milliseconds: configuration.timing.taskTTLMs),
                                  paymentMethod: method, paymentHash: hash, refundAddress: draft.refundAddress)
            try db.insertTask(task)
            if let hash {
                try db.run("UPDATE l402_tokens SET task_id = ?, request_fingerprint = ? WHERE payment_hash = ? AND task_id IS NULL",
                           [.text(task.id.rawValue), .text(fingerprint), .text(hash)])
            }
            try event(db, "task_created", task: task.id, amount: task.budget, detail: task.title)
            out.append(.taskCreated(task))
            noteDeadline(task.expiresAt)
            return (task, true)
        }
    }

    /// The task with `id`, with its worker, payout and refund.
    public func taskView(_ id: TaskID) throws -> TaskView {
        try store.read { db in
            guard let task = try db.task(id) else { throw MarketError.taskNotFound(id) }
            return try view(db, task)
        }
    }

    func view(_ db: Database, _ task: MarketTask) throws -> TaskView {
        let workerID = task.claimedBy ?? task.submission?.workerID
        let worker = try workerID.flatMap { try db.worker($0) }
        var payout: Payout?
        var refund: Refund?
        if task.status == .completed { payout = try db.payout(forTask: task.id) }
        if task.status == .expired {
            refund = try db.refund(forTask: task.id)
        }
        return TaskView(task: task, worker: worker, payout: payout, refund: refund)
    }

    /// One page of open tasks, oldest first, and the cursor of the next page (nil on the last page).
    public func feed(_ q: FeedQuery) throws -> (tasks: [MarketTask], nextCursor: Int64?) {
        var sql = "SELECT \(Database.taskColumns), seq FROM tasks WHERE status = 'open'"
        var args: [DatabaseValue] = []
        if let t = q.taskType { sql += " AND task_type = ?"; args.append(.text(t.rawValue)) }
        if let k = q.workerKind { sql += " AND worker_type IN (?, 'any')"; args.append(.text(k.rawValue)) }
        if let b = q.budgetMin { sql += " AND budget_msat >= ?"; args.append(.integer(b.rawValue)) }
        if let a = q.after { sql += " AND seq > ?"; args.append(.integer(a)) }
        sql += " ORDER BY seq LIMIT ?"
        args.append(.integer(Int64(q.limit + 1)))
        let rows: [(Int64, MarketTask)] = try store.read { db in
            try db.query(sql, args) { row in (row.int(25), try Database.task(from: row)) }
        }
        if rows.count > q.limit {
            return (rows.prefix(q.limit).map(\.1), rows[q.limit - 1].0)
        }
        return (rows.map(\.1), nil)
    }

    /// open -> claimed by `workerID`.
    public func claim(_ taskID: TaskID, by workerID: WorkerID) throws -> TaskView {
        let now = clock.now()
        return try transaction { db, out in
            guard let worker = try db.worker(workerID) else { throw MarketError.workerNotFound(workerID) }
            guard let task = try db.task(taskID) else { throw MarketError.taskNotFound(taskID) }
            let next = try TaskLifecycle.claim(task, by: worker, now: now, timing: configuration.timing)
            try db.updateTask(next, expectedStatus: task.status)
            try event(db, "task_claimed", task: taskID, worker: workerID)
            out.append(.taskClaimed(next, worker))
            if let lease = next.leaseExpiresAt { noteDeadline(lease) }
            return TaskView(task: next, worker: worker, payout: nil, refund: nil)
        }
    }

    /// claimed -> submitted; in `auto` and `proof_required` modes the release follows (at once with the default
    /// zero delay, through `processDue`).
    public func submit(_ taskID: TaskID, by workerID: WorkerID, answerJSON: String, confidence: Double, proofURL: String?) throws -> TaskView {
        let now = clock.now()
        let view = try transaction { db, out in
            guard let worker = try db.worker(workerID) else { throw MarketError.workerNotFound(workerID) }
            guard let task = try db.task(taskID) else { throw MarketError.taskNotFound(taskID) }
            let submission = Submission(workerID: workerID, answerJSON: answerJSON, confidence: confidence,
                                        proofURL: proofURL, submittedAt: now)
            let next = try TaskLifecycle.submit(task, submission: submission, now: now, timing: configuration.timing)
            try db.updateTask(next, expectedStatus: task.status)
            try event(db, "task_submitted", task: taskID, worker: workerID)
            out.append(.taskSubmitted(next, worker))
            if let due = next.releaseDueAt { noteDeadline(due) }
            return TaskView(task: next, worker: worker, payout: nil, refund: nil)
        }
        return view
    }

    /// Who is asking to release or reject a review-mode task.
    public enum Requester: Sendable, Equatable {
        case l402(paymentHash: String)
        case simToken
    }

    /// submitted -> completed, with exactly one payout. Idempotent: releasing a completed task returns its payout.
    /// Review-mode tasks need their requester unless `automatic` (the review window ran out).
    public func release(_ taskID: TaskID, requester: Requester?, automatic: Bool = false) throws -> TaskView {
        let now = clock.now()
        let (view, fresh) = try transaction { db, out -> (TaskView, Bool) in
            guard let task = try db.task(taskID) else { throw MarketError.taskNotFound(taskID) }
            if task.status == .completed { return (try self.view(db, task), false) }
            if task.trustMode == .review && !automatic && !isRequester(requester, of: task) {
                throw MarketError.reviewNeedsRequester(taskID)
            }
            let next = try TaskLifecycle.complete(task, now: now)
            guard let submission = task.submission, var worker = try db.worker(submission.workerID) else {
                throw MarketError.storage("submitted task \(taskID) has no submitting worker")
            }
            let split = PayoutMath.split(budget: task.budget, scoreBeforeTask: worker.reputationScore, policy: configuration.fees)
            var payout = Payout(id: PayoutID(newID("pay_")), taskID: taskID, workerID: worker.id,
                                lightningAddress: worker.lightningAddress, split: split,
                                scoreBefore: worker.reputationScore, createdAt: now, nextAttemptAt: now)
            if split.workerPayout == .zero {
                payout.status = .settled
                payout.settledAt = now
                payout.nextAttemptAt = nil
            }
            let scoreBefore = worker.reputationScore
            worker.reputationScore = configuration.reputation.apply(.completed, to: worker.reputationScore)
            worker.completedJobs += 1
            try db.updateTask(next, expectedStatus: task.status)
            try db.insertPayout(payout)
            try db.updateWorkerStanding(worker)
            try event(db, "task_released", task: taskID, worker: worker.id, amount: split.workerPayout,
                      detail: "platform_fee_msat=\(split.platformFee.rawValue) bonus=\(split.bonusApplied) score=\(scoreBefore)->\(worker.reputationScore)")
            out.append(.taskReleased(next, payout, worker))
            return (TaskView(task: next, worker: worker, payout: payout, refund: nil), true)
        }
        guard fresh, let payout = view.payout, payout.status != .settled else { return view }
        var result = view
        result.payout = try attemptPayout(payout)
        return result
    }

    /// submitted -> open in review mode; the worker takes the rejection penalty.
    public func reject(_ taskID: TaskID, requester: Requester?, reason: String) throws -> TaskView {
        let now = clock.now()
        return try transaction { db, out in
            guard let task = try db.task(taskID) else { throw MarketError.taskNotFound(taskID) }
            guard isRequester(requester, of: task) else { throw MarketError.reviewNeedsRequester(taskID) }
            let next = try TaskLifecycle.reject(task, now: now)
            if let workerID = task.submission?.workerID, var worker = try db.worker(workerID) {
                worker.reputationScore = configuration.reputation.apply(.rejected, to: worker.reputationScore)
                worker.rejectedSubmissions += 1
                try db.updateWorkerStanding(worker)
                out.append(.submissionRejected(next, worker))
            }
            try db.updateTask(next, expectedStatus: task.status)
            try event(db, "submission_rejected", task: taskID, worker: task.submission?.workerID, detail: reason)
            // Open again: its time to live counts (and may already have passed).
            noteDeadline(next.expiresAt)
            return TaskView(task: next, worker: nil, payout: nil, refund: nil)
        }
    }

    func isRequester(_ requester: Requester?, of task: MarketTask) -> Bool {
        switch requester {
        case .l402(let hash)?: return task.paymentHash == hash
        case .simToken?: return task.paymentMethod == .simToken && configuration.mode == .demo
        case nil: return false
        }
    }

    // MARK: Payouts

    /// Tries to pay one owed payout. The worker's invoice and its payment hash are recorded before the payment
    /// is sent, so a crash in between resumes by asking the node about that hash instead of paying again.
    @discardableResult
    public func attemptPayout(_ original: Payout) throws -> Payout {
        try payoutLock.withLock { _ throws -> Payout in
            // The caller's copy may be stale: another thread may have paid or tried this payout since it was read.
            let stored = try store.read { db in
                try db.queryOne("SELECT \(Database.payoutColumns) FROM payouts WHERE id = ?", [.text(original.id.rawValue)], Database.payout(from:))
            }
            if let stored, stored.status == .settled || stored.attempts != original.attempts || stored.paymentHash != original.paymentHash {
                return stored
            }
            return try attemptPayoutLocked(original)
        }
    }

    private func attemptPayoutLocked(_ original: Payout) throws -> Payout {
        var transfer = original.transfer
        let done = try advanceTransfer(&transfer, amount: original.split.workerPayout,
                                       comment: "ProofLayer payout for \(original.taskID)", persist: { t in
            var p = original
            p.transfer = t
            try store.write { db in try db.updatePayoutProgress(p) }
        })
        var final = original
        final.transfer = transfer
        switch done {
        case .settled:
            try transaction { db, out in
                try db.updatePayoutProgress(final)
                try event(db, "payout_settled", task: final.taskID, worker: final.workerID, amount: final.split.workerPayout,
                          detail: "routing_fee_msat=\(final.routingFee.rawValue)")
                out.append(.payoutSettled(final))
            }
        case .waiting:
            try store.write { db in try db.updatePayoutProgress(final) }
        case .failedAttempt(let reason):
            try transaction { db, out in
                try db.updatePayoutProgress(final)
                try event(db, final.status == .failed ? "payout_failed" : "payout_retry_scheduled", task: final.taskID,
                          worker: final.workerID, amount: final.split.workerPayout, detail: reason)
                out.append(final.status == .failed ? .payoutFailed(final) : .payoutRetryScheduled(final))
            }
        }
        noteDeadline(final.nextAttemptAt)
        return final
    }

    /// Tries a failed payout again now (an operator's action); the amounts stay as recorded.
    public func retryFailedPayout(_ id: PayoutID) throws -> Payout {
        let payout = try store.read { db in
            try db.queryOne("SELECT \(Database.payoutColumns) FROM payouts WHERE id = ?", [.text(id.rawValue)], Database.payout(from:))
        }
        guard var p = payout else { throw MarketError.invalidField(field: "payout_id", reason: "no payout \(id)") }
        guard p.status != .settled else { return p }
        p.status = .pending
        p.attempts = 0
        let reset = p
        try store.write { db in try db.updatePayoutProgress(reset) }
        return try attemptPayout(p)
    }

    func paymentHashHex(ofInvoice invoice: String) throws -> String {
        guard let hash = node.paymentHash(ofInvoice: invoice) else {
            throw LightningError(.invalidInvoice, "the worker's wallet returned an invoice that does not decode")
        }
        return Hex.encode(hash)
    }

    // MARK: Time

    /// Applies everything due at the clock's now: lease expiries (claim abandoned, -1), task expiries (refund),
    /// automatic releases, and payout retries, in time order. Cheap when nothing is due.
    public func processDue() throws {
        let now = clock.now()
        guard let due = nextDeadline.withLock({ $0 }), due <= now else { return }
        var guardCount = 0
        while guardCount < 1_000_000 {
            guardCount += 1
            guard let item = try nextDueItem(now: now) else { break }
            switch item {
            case .lease(let id): try expireLease(id, now: now)
            case .ttl(let id): try expireTask(id, now: now)
            case .release(let id): _ = try release(id, requester: nil, automatic: true)
            case .payout(let payout): try attemptPayout(payout)
            case .refund(let id): try attemptRefund(id)
            }
        }
        try refreshDeadline()
    }

    enum DueItem { case lease(TaskID), ttl(TaskID), release(TaskID), payout(Payout), refund(TaskID) }

    private func nextDueItem(now: Instant) throws -> DueItem? {
        try store.read { db -> DueItem? in
            let n = DatabaseValue.integer(now.milliseconds)
            var best: (Int64, Int, DueItem)?
            func consider(_ at: Int64?, _ rank: Int, _ item: @autoclosure () -> DueItem?) {
                guard let at, let it = item() else { return }
                if best == nil || (at, rank) < (best!.0, best!.1) { best = (at, rank, it) }
            }
            if let r = try db.queryOne("SELECT lease_expires_at, id FROM tasks INDEXED BY tasks_lease_due WHERE status = 'claimed' AND lease_expires_at <= ? ORDER BY lease_expires_at, seq LIMIT 1", [n], { ($0.int(0), $0.text(1)) }) {
                consider(r.0, 0, .lease(TaskID(r.1)))
            }
            if let r = try db.queryOne("SELECT release_due_at, id FROM tasks INDEXED BY tasks_release_due WHERE status = 'submitted' AND release_due_at <= ? ORDER BY release_due_at, seq LIMIT 1", [n], { ($0.int(0), $0.text(1)) }) {
                consider(r.0, 1, .release(TaskID(r.1)))
            }
            if let r = try db.queryOne("SELECT expires_at, id FROM tasks INDEXED BY tasks_ttl_due WHERE status = 'open' AND expires_at <= ? ORDER BY expires_at, seq LIMIT 1", [n], { ($0.int(0), $0.text(1)) }) {
                consider(r.0, 2, .ttl(TaskID(r.1)))
            }
            if let p = try db.queryOne("SELECT \(Database.payoutColumns) FROM payouts INDEXED BY payouts_due WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, seq LIMIT 1", [n], Database.payout(from:)) {
                consider(p.nextAttemptAt?.milliseconds, 3, .payout(p))
            }
            if let r = try db.queryOne("SELECT next_attempt_at, task_id FROM refunds INDEXED BY refunds_due WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, task_id LIMIT 1", [n], { ($0.int(0), $0.text(1)) }) {
                consider(r.0, 4, .refund(TaskID(r.1)))
            }
            return best?.2
        }
    }

    private func expireLease(_ id: TaskID, now: Instant) throws {
        try transaction { db, out in
            guard let task = try db.task(id), let next = TaskLifecycle.expireLease(task, now: now) else { return }
            if let workerID = task.claimedBy, var worker = try db.worker(workerID) {
                worker.reputationScore = configuration.reputation.apply(.abandoned, to: worker.reputationScore)
                worker.abandonedClaims += 1
                try db.updateWorkerStanding(worker)
                out.append(.claimAbandoned(next, worker))
            }
            try db.updateTask(next, expectedStatus: task.status)
            try event(db, "claim_abandoned", task: id, worker: task.claimedBy)
        }
    }

    private func expireTask(_ id: TaskID, now: Instant) throws {
        try transaction { db, out in
            guard let task = try db.task(id), let next = TaskLifecycle.expire(task, now: now) else { return }
            try db.updateTask(next, expectedStatus: task.status)
            try db.run("INSERT INTO refunds (task_id, amount_msat, status, lightning_address, next_attempt_at, created_at) VALUES (?,?,?,?,?,?)",
                       [.text(id.rawValue), .integer(task.budget.rawValue), .text(task.refundAddress == nil ? "credited" : "pending"),
                        task.refundAddress.map { .text($0) } ?? .null,
                        task.refundAddress == nil ? .null : .integer(now.milliseconds), .integer(now.milliseconds)])
            if task.refundAddress != nil { noteDeadline(now) }
            try event(db, "task_expired", task: id, amount: task.budget, detail: "budget refunded")
            out.append(.taskExpired(next, refund: task.budget))
        }
    }

    /// The earliest instant anything is due, from the store.
    public func refreshDeadline() throws {
        let next = try store.read { db in
            try db.queryOne("""
                SELECT MIN(t) FROM (
                  SELECT MIN(lease_expires_at) AS t FROM tasks INDEXED BY tasks_lease_due WHERE status = 'claimed'
                  UNION ALL SELECT MIN(expires_at) FROM tasks INDEXED BY tasks_ttl_due WHERE status = 'open'
                  UNION ALL SELECT MIN(release_due_at) FROM tasks INDEXED BY tasks_release_due WHERE status = 'submitted'
                  UNION ALL SELECT MIN(next_attempt_at) FROM payouts INDEXED BY payouts_due WHERE status = 'pending'
                  UNION ALL SELECT MIN(next_attempt_at) FROM refunds INDEXED BY refunds_due WHERE status = 'pending')
                """) { $0.optionalInt(0) }
        }
        nextDeadline.withLock { $0 = next.flatMap { $0 }.map(Instant.init(milliseconds:)) }
    }

    /// The next instant at which `processDue` has work, if any.
    public var nextDueInstant: Instant? { nextDeadline.withLock { $0 } }

    func noteDeadline(_ at: Instant?) {
        guard let at else { return }
        nextDeadline.withLock { current in
            if current == nil || at < current! { current = at }
        }
    }

    func event(_ db: Database, _ kind: String, task: TaskID? = nil, worker: WorkerID? = nil, amount: MilliSats? = nil, detail: String = "") throws {
        guard configuration.recordEvents else { return }
        try db.appendEvent(at: clock.now(), kind: kind, task: task, worker: worker, amount: amount, detail: detail)
    }
}

