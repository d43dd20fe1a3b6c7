import Foundation
import Lightning
import Synchronization

/// The market's SQLite store. One connection, owned here and used by one caller at a time (a mutex serialises
/// calls); every state change runs inside one transaction through `write`.
public final class MarketStore: @unchecked Sendable {
    private let lock = NSLock()
    private let db: Database

    /// How durable commits are: `full` survives power loss, `normal` survives a crash of the process (WAL),
    /// `off` is for throw-away simulation databases.
    public enum Durability: String, Sendable { case full, normal, off }

    /// Opens or creates the store at `path` (`:memory:` for a private in-memory store) and migrates it.
    public init(path: String, durability: Durability = .normal) throws {
        db = try Database(path: path)
        if path != ":memory:" {
            if durability == .off {
                // A simulation's private database: one process, nothing to share, so take the lock once
                // (no fcntl per transaction) and keep the rollback journal in memory: each commit writes its pages
                // once, and a failed transaction still rolls back.
                try db.execute("PRAGMA locking_mode = EXCLUSIVE")
                try db.execute("PRAGMA journal_mode = MEMORY")
            } else {
                try db.execute("PRAGMA journal_mode = WAL")
            }
        }
        try db.execute("PRAGMA synchronous = \(durability.rawValue.uppercased())")
        try db.execute("PRAGMA cache_size = -65536")
        try db.execute("PRAGMA temp_store = MEMORY")
        try db.execute("PRAGMA foreign_keys = ON")
        try MarketSchema.migrator.migrate(db)
    }

    /// Runs `body` in one transaction; all its changes commit together or none do.
    public func write<T>(_ body: (Database) throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        return try db.inTransaction { try body(db) }
    }

    /// Runs `body` with the connection for reads (serialised with writes).
    public func read<T>(_ body: (Database) throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(db)
    }

    /// The secret stored under `name`, created from `make` (and kept) on first use, so restarts keep verifying
    /// the macaroons and invoices issued before.
    public func secret(_ name: String, orCreate make: () -> String) throws -> String {
        try write { db in
            if let v = try db.queryOne("SELECT value FROM market_secrets WHERE name = ?", [.text(name)], { $0.text(0) }) {
                return v
            }
            let v = make()
            try db.run("INSERT INTO market_secrets (name, value) VALUES (?, ?)", [.text(name), .text(v)])
            return v
        }
    }

    /// Writes the WAL back into the main file; call before a clean shutdown.
    public func checkpoint() {
        lock.lock()
        defer { lock.unlock() }
        try? db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    }
}

// MARK: - Rows

extension Database {
    static let taskColumns = """
        id, task_type, title, input_json, budget_msat, worker_type, trust_mode, status, created_at, expires_at,
        payment_method, payment_hash, claimed_by, claimed_at, lease_expires_at, sub_worker_id, sub_answer_json,
        sub_confidence, sub_proof_url, sub_submitted_at, release_due_at, completed_at, expired_at, reopen_count,
        refund_address
        """

    static func task(from row: Row) throws -> MarketTask {
        func parse<E: RawRepresentable>(_ column: Int32, _: E.Type) throws -> E where E.RawValue == String {
            guard let v = E(rawValue: row.text(column)) else {
                throw MarketError.storage("unknown \(E.self) value '\(row.text(column))' in tasks")
            }
            return v
        }
        func instant(_ column: Int32) -> Instant? { row.optionalInt(column).map(Instant.init(milliseconds:)) }
        var submission: Submission?
        if let worker = row.optionalText(15) {
            submission = Submission(workerID: WorkerID(worker), answerJSON: row.text(16), confidence: row.double(17),
                                    proofURL: row.optionalText(18), submittedAt: Instant(milliseconds: row.int(19)))
        }
        return MarketTask(
            id: TaskID(row.text(0)), taskType: try parse(1, TaskType.self), title: row.text(2), inputJSON: row.text(3),
            budget: MilliSats(row.int(4)), workerRequirement: try parse(5, WorkerRequirement.self),
            trustMode: try parse(6, TrustMode.self), status: try parse(7, TaskStatus.self),
            createdAt: Instant(milliseconds: row.int(8)), expiresAt: Instant(milliseconds: row.int(9)),
            paymentMethod: try parse(10, PaymentMethod.self), paymentHash: row.optionalText(11),
            claimedBy: row.optionalText(12).map(WorkerID.init), claimedAt: instant(13), leaseExpiresAt: instant(14),
            submission: submission, releaseDueAt: instant(20), completedAt: instant(21), expiredAt: instant(22),
            reopenCount: row.int(23), refundAddress: row.optionalText(24))
    }

    static func taskArguments(_ t: MarketTask) -> [DatabaseValue] {
        func i(_ v: Instant?) -> DatabaseValue { v.map { .integer($0.milliseconds) } ?? .null }
        func s(_ v: String?) -> DatabaseValue { v.map { .text($0) } ?? .null }
        return [
            .text(t.id.rawValue), .text(t.taskType.rawValue), .text(t.title), .text(t.inputJSON),
            .integer(t.budget.rawValue), .text(t.workerRequirement.rawValue), .text(t.trustMode.rawValue),
            .text(t.status.rawValue), .integer(t.createdAt.milliseconds), .integer(t.expiresAt.milliseconds),
            .text(t.paymentMethod.rawValue), s(t.paymentHash), s(t.claimedBy?.rawValue), i(t.claimedAt),
            i(t.leaseExpiresAt), s(t.submission?.workerID.rawValue), s(t.submission?.answerJSON),
            t.submission.map { .real($0.confidence) } ?? .null, s(t.submission?.proofURL),
            i(t.submission?.submittedAt), i(t.releaseDueAt), i(t.completedAt), i(t.expiredAt), .integer(t.reopenCount),
            s(t.refundAddress),
        ]
    }

    /// Inserts a new task.
    public func insertTask(_ task: MarketTask) throws {
        try run("INSERT INTO tasks (\(Database.taskColumns)) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                Database.taskArguments(task))
    }

    /// Writes a task's changed state. The previous status guards against lost updates.
    public func updateTask(_ task: MarketTask, expectedStatus: TaskStatus) throws {
        let args = Database.taskArguments(task)
        let changed = try run("""
            UPDATE tasks SET status = ?, claimed_by = ?, claimed_at = ?, lease_expires_at = ?, sub_worker_id = ?,
            sub_answer_json = ?, sub_confidence = ?, sub_proof_url = ?, sub_submitted_at = ?, release_due_at = ?,
            completed_at = ?, expired_at = ?, reopen_count = ? WHERE id = ? AND status = ?
            """, [args[7], args[12], args[13], args[14], args[15], args[16], args[17], args[18], args[19], args[20],
                  args[21], args[22], args[23], args[0], .text(expectedStatus.rawValue)])
        if changed != 1 {
            throw MarketError.storage("task \(task.id) changed under us (expected status \(expectedStatus.rawValue))")
        }
    }

    /// The task with `id`, or nil.
    public func task(_ id: TaskID) throws -> MarketTask? {
        try queryOne("SELECT \(Database.taskColumns) FROM tasks WHERE id = ?", [.text(id.rawValue)], Database.task(from:))
    }

    static let workerColumns = "id, display_name, lightning_address, kind, reputation_score, completed_jobs, abandoned_claims, rejected_submissions, created_at"

    static func worker(from row: Row) throws -> Worker {
        guard let kind = WorkerKind(rawValue: row.text(3)) else {
            throw MarketError.storage("unknown worker kind '\(row.text(3))'")
        }
        return Worker(id: WorkerID(row.text(0)), displayName: row.text(1), lightningAddress: row.text(2), kind: kind,
                      reputationScore: row.int(4), completedJobs: row.int(5), abandonedClaims: row.int(6),
                      rejectedSubmissions: row.int(7), createdAt: Instant(milliseconds: row.int(8)))
    }

    /// Inserts a new worker.
    public func insertWorker(_ w: Worker) throws {
        try run("INSERT INTO workers (\(Database.workerColumns)) VALUES (?,?,?,?,?,?,?,?,?)", [
            .text(w.id.rawValue), .text(w.displayName), .text(w.lightningAddress), .text(w.kind.rawValue),
            .integer(w.reputationScore), .integer(w.completedJobs), .integer(w.abandonedClaims),
            .integer(w.rejectedSubmissions), .integer(w.createdAt.milliseconds),
        ])
    }

    /// Writes a worker's counters and score.
    public func updateWorkerStanding(_ w: Worker) throws {
        try run("UPDATE workers SET reputation_score = ?, completed_jobs = ?, abandoned_claims = ?, rejected_submissions = ? WHERE id = ?",
                [.integer(w.reputationScore), .integer(w.completedJobs), .integer(w.abandonedClaims),
                 .integer(w.rejectedSubmissions), .text(w.id.rawValue)])
    }

    /// The worker with `id`, or nil.
    public func worker(_ id: WorkerID) throws -> Worker? {
        try queryOne("SELECT \(Database.workerColumns) FROM workers WHERE id = ?", [.text(id.rawValue)], Database.worker(from:))
    }

    static let payoutColumns = """
        id, task_id, worker_id, lightning_address, budget_msat, amount_msat, platform_fee_msat, bonus_applied,
        multiplier_ppm, score_before, status, payment_hash, preimage, routing_fee_msat, attempts, created_at,
        settled_at, failure_reason, next_attempt_at, invoice
        """

    static func payout(from row: Row) throws -> Payout {
        guard let status = PayoutStatus(rawValue: row.text(10)) else {
            throw MarketError.storage("unknown payout status '\(row.text(10))'")
        }
        let split = PayoutSplit(budget: MilliSats(row.int(4)), workerPayout: MilliSats(row.int(5)),
                                platformFee: MilliSats(row.int(6)), bonusApplied: row.int(7) != 0, multiplierPPM: row.int(8))
        return Payout(id: PayoutID(row.text(0)), taskID: TaskID(row.text(1)), workerID: WorkerID(row.text(2)),
                      lightningAddress: row.text(3), split: split, scoreBefore: row.int(9), status: status,
                      paymentHash: row.optionalText(11), preimage: row.optionalText(12),
                      routingFee: MilliSats(row.int(13)), attempts: row.int(14),
                      createdAt: Instant(milliseconds: row.int(15)),
                      settledAt: row.optionalInt(16).map(Instant.init(milliseconds:)), failureReason: row.optionalText(17),
                      nextAttemptAt: row.optionalInt(18).map(Instant.init(milliseconds:)), invoice: row.optionalText(19))
    }

    /// Records a new payout; the unique task id makes a second payout for one task impossible.
    public func insertPayout(_ p: Payout) throws {
        try run("INSERT INTO payouts (\(Database.payoutColumns)) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", [
            .text(p.id.rawValue), .text(p.taskID.rawValue), .text(p.workerID.rawValue), .text(p.lightningAddress),
            .integer(p.split.budget.rawValue), .integer(p.split.workerPayout.rawValue),
            .integer(p.split.platformFee.rawValue), .integer(p.split.bonusApplied ? 1 : 0),
            .integer(p.split.multiplierPPM), .integer(p.scoreBefore), .text(p.status.rawValue),
            p.paymentHash.map { .text($0) } ?? .null, p.preimage.map { .text($0) } ?? .null,
            .integer(p.routingFee.rawValue), .integer(p.attempts), .integer(p.createdAt.milliseconds),
            p.settledAt.map { .integer($0.milliseconds) } ?? .null, p.failureReason.map { .text($0) } ?? .null,
            p.nextAttemptAt.map { .integer($0.milliseconds) } ?? .null, p.invoice.map { .text($0) } ?? .null,
        ])
    }

    /// Writes a payout's payment progress (status, hash, preimage, fee, attempts); amounts never change.
    public func updatePayoutProgress(_ p: Payout) throws {
        try run("""
            UPDATE payouts SET status = ?, payment_hash = ?, preimage = ?, routing_fee_msat = ?, attempts = ?,
            settled_at = ?, failure_reason = ?, next_attempt_at = ?, invoice = ? WHERE id = ?
            """, [.text(p.status.rawValue), p.paymentHash.map { .text($0) } ?? .null,
                  p.preimage.map { .text($0) } ?? .null, .integer(p.routingFee.rawValue), .integer(p.attempts),
                  p.settledAt.map { .integer($0.milliseconds) } ?? .null,
                  p.failureReason.map { .text($0) } ?? .null, p.nextAttemptAt.map { .integer($0.milliseconds) } ?? .null,
                  p.invoice.map { .text($0) } ?? .null, .text(p.id.rawValue)])
    }

    /// The payout of a task, or nil.
    public func payout(forTask id: TaskID) throws -> Payout? {
        try queryOne("SELECT \(Database.payoutColumns) FROM payouts WHERE task_id = ?", [.text(id.rawValue)], Database.payout(from:))
    }

    /// A worker's payouts, oldest first.
    public func payouts(forWorker id: WorkerID) throws -> [Payout] {
        try query("SELECT \(Database.payoutColumns) FROM payouts WHERE worker_id = ? ORDER BY seq", [.text(id.rawValue)], Database.payout(from:))
    }

    /// Payouts still owed (pending or failed), oldest first.
    public func unsettledPayouts() throws -> [Payout] {
        try query("SELECT \(Database.payoutColumns) FROM payouts WHERE status != 'settled' ORDER BY seq", [], Database.payout(from:))
    }

    /// Appends to the market's event log (the dashboard's "latest events").
    public func appendEvent(at: Instant, kind: String, task: TaskID? = nil, worker: WorkerID? = nil,
                            amount: MilliSats? = nil, detail: String = "") throws {
        try run("INSERT INTO market_events (at, kind, task_id, worker_id, amount_msat, detail) VALUES (?,?,?,?,?,?)", [
            .integer(at.milliseconds), .text(kind), task.map { .text($0.rawValue) } ?? .null,
            worker.map { .text($0.rawValue) } ?? .null, amount.map { .integer($0.rawValue) } ?? .null, .text(detail),
        ])
    }
}
