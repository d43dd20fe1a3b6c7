import HTTPKit
import JSON
import Lightning

/// How domain values look in the API's JSON (snake_case keys, both `*_msat` and `*_sats`, RFC 3339 times).
enum Present {
    static func sats(_ m: MilliSats) -> JSONValue {
        m.isWholeSats ? .int(m.wholeSats) : .double(Double(m.rawValue) / 1000)
    }

    static func time(_ i: Instant?) -> JSONValue { i.map { .string($0.iso8601) } ?? .null }

    static func text(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }


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
        var writer = JSONWriter(capacity: 160)
        workerSummary(w, config, into: &writer)
        return (try? JSONValue.parse(writer.bytes)) ?? .null
    }

    /// Writes the worker summary (keys in sorted order, as everywhere in the API).
    static func workerSummary(_ w: Worker, _ config: MarketConfiguration, into o: inout JSONWriter) {
        o.beginObject()
        o.field("display_name", w.displayName)
        o.field("id", w.id.rawValue)
        o.field("reputation_score", w.reputationScore)
        o.field("tier", config.reputation.tier(of: w.reputationScore).rawValue)
        o.field("type", w.kind.rawValue)
        o.endObject()
    }

    static func time(_ i: Instant?, into o: inout JSONWriter, _ key: String) {
        o.key(key)
        if let i { o.string(i.iso8601) } else { o.null() }
    }

    /// Writes a payout object (sorted keys).
    static func payout(_ p: Payout, into o: inout JSONWriter) {
        o.beginObject()
        o.field("amount_msat", p.split.workerPayout.rawValue)
        o.field("amount_sats", sats(p.split.workerPayout))
        o.field("attempts", p.attempts)
        o.field("bonus_applied", p.split.bonusApplied)
        o.field("budget_msat", p.split.budget.rawValue)
        time(p.createdAt, into: &o, "created_at")
        o.field("failure_reason", p.failureReason)
        o.field("id", p.id.rawValue)
        o.field("lightning_address", p.lightningAddress)
        time(p.nextAttemptAt, into: &o, "next_attempt_at")
        o.field("payment_hash", p.paymentHash)
        o.field("payout_multiplier", multiplier(p.split.multiplierPPM))
        o.field("platform_fee_msat", p.split.platformFee.rawValue)
        o.field("platform_fee_sats", sats(p.split.platformFee))
        o.field("preimage", p.preimage)
        o.field("reputation_before", p.scoreBefore)
        o.field("routing_fee_msat", p.routingFee.rawValue)
        time(p.settledAt, into: &o, "settled_at")
        o.field("status", p.status.rawValue)
        o.field("task_id", p.taskID.rawValue)
        o.field("worker_id", p.workerID.rawValue)
        o.endObject()
    }

    /// Writes a task as clients see it (sorted keys; stored `input` and `answer_json` embedded as stored).
    static func task(_ v: TaskView, _ config: MarketConfiguration, into o: inout JSONWriter) {
        let t = v.task
        o.beginObject()
        o.field("budget_msat", t.budget.rawValue)
        o.field("budget_sats", sats(t.budget))
        time(t.claimedAt, into: &o, "claimed_at")
        time(t.completedAt, into: &o, "completed_at")
        time(t.createdAt, into: &o, "created_at")
        time(t.expiredAt, into: &o, "expired_at")
        time(t.expiresAt, into: &o, "expires_at")
        o.field("id", t.id.rawValue)
        o.field("input", raw: t.inputJSON)
        time(t.leaseExpiresAt, into: &o, "lease_expires_at")
        o.key("payment")
        o.beginObject()
        o.field("amount_msat", t.budget.rawValue)
        o.field("method", t.paymentMethod.rawValue)
        o.field("payment_hash", t.paymentHash)
        o.field("status", "paid")
        o.endObject()
        o.key("payout")
        if let p = v.payout { payout(p, into: &o) } else { o.null() }
        o.key("refund")
        if let r = v.refund {
            o.beginObject()
            o.field("amount_msat", r.amount.rawValue)
            o.field("amount_sats", sats(r.amount))
            o.field("attempts", r.transfer?.attempts ?? 0)
            time(r.createdAt, into: &o, "created_at")
            o.field("failure_reason", r.transfer?.failureReason)
            o.field("lightning_address", r.transfer?.lightningAddress)
            o.field("payment_hash", r.transfer?.paymentHash)
            o.field("preimage", r.transfer?.preimage)
            o.field("routing_fee_msat", r.transfer?.routingFee.rawValue ?? 0)
            time(r.transfer?.settledAt, into: &o, "settled_at")
            o.field("status", r.status)
            o.endObject()
        } else {
            o.null()
        }
        o.key("refund_lightning_address")
        if let a = t.refundAddress { o.string(a) } else { o.null() }
        time(t.releaseDueAt, into: &o, "release_due_at")
        o.field("status", t.status.rawValue)
        o.key("submission")
        if let s = t.submission {
            o.beginObject()
            o.field("answer_json", raw: s.answerJSON)
            o.field("confidence", s.confidence)
            o.field("proof_url", s.proofURL)
            time(s.submittedAt, into: &o, "submitted_at")
            o.field("worker_id", s.workerID.rawValue)
            o.endObject()
        } else {
            o.null()
        }
        o.field("task_type", t.taskType.rawValue)
        o.field("title", t.title)
        o.field("trust_mode", t.trustMode.rawValue)
        o.key("worker")
        if let w = v.worker { workerSummary(w, config, into: &o) } else { o.null() }
        o.field("worker_type", t.workerRequirement.rawValue)
        o.endObject()
    }

    /// The compact form used in the feed.
    static func feedItem(_ t: MarketTask, into o: inout JSONWriter) {
        o.beginObject()
        o.field("budget_msat", t.budget.rawValue)
        o.field("budget_sats", sats(t.budget))
        time(t.createdAt, into: &o, "created_at")
        time(t.expiresAt, into: &o, "expires_at")
        o.field("id", t.id.rawValue)
        o.field("input", raw: t.inputJSON)
        o.field("status", t.status.rawValue)
        o.field("task_type", t.taskType.rawValue)
        o.field("title", t.title)
        o.field("trust_mode", t.trustMode.rawValue)
        o.field("worker_type", t.workerRequirement.rawValue)
        o.endObject()
    }

    /// `{"task": {...}}`, optionally with `"payout"`, as a JSON response.
    static func taskResponse(_ status: Int, _ v: TaskView, _ config: MarketConfiguration, withPayout: Bool = false,
                             headers: [(name: String, value: String)] = []) -> HTTPResponse {
        var o = JSONWriter(capacity: 2048)
        o.beginObject()
        if withPayout {
            o.key("payout")
            if let p = v.payout { payout(p, into: &o) } else { o.null() }
        }
        o.key("task")
        task(v, config, into: &o)
        o.endObject()
        return .json(status, bytes: o.bytes, headers: headers)
    }
}
