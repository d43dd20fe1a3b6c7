import JSON
import Lightning

/// How domain values look in the API's JSON (snake_case keys, both `*_msat` and `*_sats`, RFC 3339 times).
enum Present {
    static func sats(_ m: MilliSats) -> JSONValue {
        m.isWholeSats ? .int(m.wholeSats) : .double(Double(m.rawValue) / 1000)
    }

    static func time(_ i: Instant?) -> JSONValue { i.map { .string($0.iso8601) } ?? .null }

    static func text(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }

    /// Stored JSON text back to a value (it was validated on the way in).
    static func stored(_ text: String) -> JSONValue { (try? JSONValue.parse(text)) ?? .string(text) }

    static func multiplier(_ ppm: Int64) -> JSONValue {
        ppm % 1_000_000 == 0 ? .int(ppm / 1_000_000) : .double(Double(ppm) / 1_000_000)
    }

    static func worker(_ w: Worker, _ config: MarketConfiguration) -> JSONValue {
        let eligible = PayoutMath.isBonusEligible(score: w.reputationScore, policy: config.fees)
        return [
            "id": .string(w.id.rawValue),
            "display_name": .string(w.displayName),
            "lightning_address": .string(w.lightningAddress),
            "type": .string(w.kind.rawValue),
            "reputation_score": .int(w.reputationScore),
            "tier": .string(config.reputation.tier(of: w.reputationScore).rawValue),
            "completed_jobs": .int(w.completedJobs),
            "abandoned_claims": .int(w.abandonedClaims),
            "rejected_submissions": .int(w.rejectedSubmissions),
            "bonus_eligible": .bool(eligible),
            "payout_multiplier": multiplier(eligible ? config.fees.bonusMultiplierPPM : 1_000_000),
            "created_at": time(w.createdAt),
        ]
    }

    static func workerSummary(_ w: Worker, _ config: MarketConfiguration) -> JSONValue {
        [
            "id": .string(w.id.rawValue),
            "display_name": .string(w.displayName),
            "type": .string(w.kind.rawValue),
            "reputation_score": .int(w.reputationScore),
            "tier": .string(config.reputation.tier(of: w.reputationScore).rawValue),
        ]
    }

    static func payout(_ p: Payout) -> JSONValue {
        [
            "id": .string(p.id.rawValue),
            "task_id": .string(p.taskID.rawValue),
            "worker_id": .string(p.workerID.rawValue),
            "lightning_address": .string(p.lightningAddress),
            "budget_msat": .int(p.split.budget.rawValue),
            "amount_msat": .int(p.split.workerPayout.rawValue),
            "amount_sats": sats(p.split.workerPayout),
            "platform_fee_msat": .int(p.split.platformFee.rawValue),
            "platform_fee_sats": sats(p.split.platformFee),
            "bonus_applied": .bool(p.split.bonusApplied),
            "payout_multiplier": multiplier(p.split.multiplierPPM),
            "reputation_before": .int(p.scoreBefore),
            "status": .string(p.status.rawValue),
            "payment_hash": text(p.paymentHash),
            "preimage": text(p.preimage),
            "routing_fee_msat": .int(p.routingFee.rawValue),
            "attempts": .int(p.attempts),
            "created_at": time(p.createdAt),
            "settled_at": time(p.settledAt),
            "next_attempt_at": time(p.nextAttemptAt),
            "failure_reason": text(p.failureReason),
        ]
    }

    static func task(_ v: TaskView, _ config: MarketConfiguration) -> JSONValue {
        let t = v.task
        var submission: JSONValue = .null
        if let s = t.submission {
            submission = [
                "worker_id": .string(s.workerID.rawValue),
                "answer_json": stored(s.answerJSON),
                "confidence": .double(s.confidence),
                "proof_url": text(s.proofURL),
                "submitted_at": time(s.submittedAt),
            ]
        }
        var refund: JSONValue = .null
        if let r = v.refund {
            refund = ["amount_msat": .int(r.amount.rawValue), "amount_sats": sats(r.amount), "status": .string(r.status),
                      "created_at": time(r.createdAt)]
        }
        return [
            "id": .string(t.id.rawValue),
            "task_type": .string(t.taskType.rawValue),
            "title": .string(t.title),
            "input": stored(t.inputJSON),
            "budget_sats": sats(t.budget),
            "budget_msat": .int(t.budget.rawValue),
            "worker_type": .string(t.workerRequirement.rawValue),
            "trust_mode": .string(t.trustMode.rawValue),
            "status": .string(t.status.rawValue),
            "created_at": time(t.createdAt),
            "expires_at": time(t.expiresAt),
            "worker": v.worker.map { workerSummary($0, config) } ?? .null,
            "claimed_at": time(t.claimedAt),
            "lease_expires_at": time(t.leaseExpiresAt),
            "submission": submission,
            "release_due_at": time(t.releaseDueAt),
            "completed_at": time(t.completedAt),
            "expired_at": time(t.expiredAt),
            "payment": [
                "method": .string(t.paymentMethod.rawValue),
                "payment_hash": text(t.paymentHash),
                "amount_msat": .int(t.budget.rawValue),
                "status": "paid",
            ],
            "payout": v.payout.map(payout) ?? .null,
            "refund": refund,
        ]
    }

    /// The compact form used in the feed.
    static func feedItem(_ t: MarketTask) -> JSONValue {
        [
            "id": .string(t.id.rawValue),
            "task_type": .string(t.taskType.rawValue),
            "title": .string(t.title),
            "input": stored(t.inputJSON),
            "budget_sats": sats(t.budget),
            "budget_msat": .int(t.budget.rawValue),
            "worker_type": .string(t.workerRequirement.rawValue),
            "trust_mode": .string(t.trustMode.rawValue),
            "status": .string(t.status.rawValue),
            "created_at": time(t.createdAt),
            "expires_at": time(t.expiresAt),
        ]
    }
}
