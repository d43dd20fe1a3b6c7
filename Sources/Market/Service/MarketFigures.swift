import JSON
import Lightning

/// The market's live figures (the dashboard's `GET /api/market`) and its ledger.
public struct MarketFigures: Sendable, Equatable {
    public var tasksByStatus: [TaskStatus: Int64]
    /// Budgets of every task created (paid in).
    public var volume: MilliSats
    public var ledger: Ledger
    public var workers: Int64
    public var topWorkers: [Worker]
    public var latestEvents: [JSONValue]
    /// Mean and highest reputation score over all workers, and how many are above the bonus threshold.
    public var meanReputation: Double = 0
    public var maxReputation: Int64 = 0
    public var workersAboveThreshold: Int64 = 0

    /// Where every paid budget went. Balanced when paid = settled + owed + platform fees (net of routing)
    /// + routing fees + refunds + escrow (budgets of tasks not yet completed or expired).
    public struct Ledger: Sendable, Equatable {
        public var paidBudgets: MilliSats
        public var settledPayouts: MilliSats
        public var owedPayouts: MilliSats
        public var platformFeesNet: MilliSats
        public var routingFees: MilliSats
        public var refunds: MilliSats
        public var escrow: MilliSats

        /// The right-hand side of the invariant.
        public var accountedFor: MilliSats {
            settledPayouts + owedPayouts + platformFeesNet + routingFees + refunds + escrow
        }
        public var isBalanced: Bool { paidBudgets == accountedFor }
    }

    /// Reads the figures from the store in one pass of aggregate queries.
    public static func compute(_ service: MarketService, topCount: Int = 10, eventCount: Int = 20) throws -> MarketFigures {
        let config = service.configuration
        return try service.store.read { db in
            var byStatus: [TaskStatus: Int64] = [:]
            var volume = MilliSats.zero, escrow = MilliSats.zero
            for (status, count, sum) in try db.query("SELECT status, COUNT(*), COALESCE(SUM(budget_msat), 0) FROM tasks GROUP BY status", [], {
                ($0.text(0), $0.int(1), $0.int(2))
            }) {
                guard let s = TaskStatus(rawValue: status) else { continue }
                byStatus[s] = count
                volume += MilliSats(sum)
                if s != .completed && s != .expired { escrow += MilliSats(sum) }
            }
            let p = try db.queryOne("""
                SELECT COALESCE(SUM(CASE WHEN status = 'settled' THEN amount_msat END), 0),
                       COALESCE(SUM(CASE WHEN status != 'settled' THEN amount_msat END), 0),
                       COALESCE(SUM(platform_fee_msat), 0), COALESCE(SUM(routing_fee_msat), 0)
                FROM payouts
                """) { ($0.int(0), $0.int(1), $0.int(2), $0.int(3)) } ?? (0, 0, 0, 0)
            let r = try db.queryOne("SELECT COALESCE(SUM(amount_msat), 0), COALESCE(SUM(routing_fee_msat), 0) FROM refunds") {
                ($0.int(0), $0.int(1))
            } ?? (0, 0)
            let refunds = r.0
            // Routing fees of payouts and of refund payments both come out of the platform's fees.
            let routing = p.3 + r.1
            let ledger = Ledger(paidBudgets: volume, settledPayouts: MilliSats(p.0), owedPayouts: MilliSats(p.1),
                                platformFeesNet: MilliSats(p.2 - routing), routingFees: MilliSats(routing),
                                refunds: MilliSats(refunds), escrow: escrow)
            let workers = try db.queryOne("SELECT COUNT(*) FROM workers") { $0.int(0) } ?? 0
            let reputation = try db.queryOne("""
                SELECT COALESCE(SUM(reputation_score), 0), COALESCE(MAX(reputation_score), 0),
                       COALESCE(SUM(CASE WHEN reputation_score > ? THEN 1 ELSE 0 END), 0)
                FROM workers
                """, [.integer(config.fees.bonusThreshold)]) { ($0.int(0), $0.int(1), $0.int(2)) } ?? (0, 0, 0)
            let top = try db.query("SELECT \(Database.workerColumns) FROM workers ORDER BY reputation_score DESC, completed_jobs DESC, id LIMIT ?",
                                   [.integer(Int64(topCount))], Database.worker(from:))
            let events = try db.query("SELECT seq, at, kind, task_id, worker_id, amount_msat, detail FROM market_events ORDER BY seq DESC LIMIT ?",
                                      [.integer(Int64(eventCount))]) { row -> JSONValue in
                [
                    "seq": .int(row.int(0)),
                    "at": .string(Instant(milliseconds: row.int(1)).iso8601),
                    "kind": .string(row.text(2)),
                    "task_id": row.optionalText(3).map { .string($0) } ?? .null,
                    "worker_id": row.optionalText(4).map { .string($0) } ?? .null,
                    "amount_msat": row.optionalInt(5).map { .int($0) } ?? .null,
                    "detail": .string(row.text(6)),
                ]
            }
            return MarketFigures(tasksByStatus: byStatus, volume: volume, ledger: ledger, workers: workers,
                                 topWorkers: top, latestEvents: events,
                                 meanReputation: workers > 0 ? Double(reputation.0) / Double(workers) : 0,
                                 maxReputation: reputation.1, workersAboveThreshold: reputation.2)
        }
    }

    func json(_ config: MarketConfiguration) -> JSONValue {
        var statuses: [String: JSONValue] = [:]
        for s in TaskStatus.allCases { statuses[s.rawValue] = .int(tasksByStatus[s] ?? 0) }
        let l = ledger
        return [
            "tasks": .object(statuses),
            "volume_msat": .int(volume.rawValue),
            "volume_sats": Present.sats(volume),
            "platform_fees_msat": .int((l.platformFeesNet + l.routingFees).rawValue),
            "worker_earnings_msat": .int(l.settledPayouts.rawValue),
            "owed_payouts_msat": .int(l.owedPayouts.rawValue),
            "routing_fees_msat": .int(l.routingFees.rawValue),
            "refunds_msat": .int(l.refunds.rawValue),
            "escrow_msat": .int(l.escrow.rawValue),
            "ledger_balanced": .bool(l.isBalanced),
            "workers": .int(workers),
            "reputation": [
                "mean_score": .double(meanReputation),
                "max_score": .int(maxReputation),
                "workers_above_threshold": .int(workersAboveThreshold),
            ],
            "top_workers": .array(topWorkers.map { Present.workerSummary($0, config) }),
            "latest_events": .array(latestEvents),
            "fee_policy": [
                "worker_share": Present.multiplier(config.fees.workerSharePPM),
                "bonus_multiplier": Present.multiplier(config.fees.bonusMultiplierPPM),
                "bonus_threshold": .int(config.fees.bonusThreshold),
            ],
        ]
    }
}
