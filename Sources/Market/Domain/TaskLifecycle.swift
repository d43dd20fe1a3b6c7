import Lightning

/// The task state machine of SPEC section 5 as pure functions: each returns the task's next state or throws.
public enum TaskLifecycle {
    /// open -> claimed by `worker`, with a lease.
    public static func claim(_ task: MarketTask, by worker: Worker, now: Instant, timing: MarketTiming) throws(MarketError) -> MarketTask {
        guard task.status == .open else {
            throw .invalidState(task: task.id, status: task.status, action: "claimed")
        }
        guard now < task.expiresAt else {
            throw .invalidState(task: task.id, status: .expired, action: "claimed")
        }
        guard task.workerRequirement.admits(worker.kind) else {
            throw .workerTypeMismatch(task: task.id, required: task.workerRequirement, worker: worker.kind)
        }
        var next = task
        next.status = .claimed
        next.claimedBy = worker.id
        next.claimedAt = now
        next.leaseExpiresAt = now.adding(milliseconds: timing.claimLeaseMs)
        return next
    }

    /// claimed -> submitted, by the claimant, before the lease runs out; schedules the release.
    public static func submit(_ task: MarketTask, submission: Submission, now: Instant, timing: MarketTiming) throws(MarketError) -> MarketTask {
        guard task.status == .claimed else {
            throw .invalidState(task: task.id, status: task.status, action: "submitted")
        }
        guard task.claimedBy == submission.workerID else {
            throw .notClaimant(task: task.id, worker: submission.workerID)
        }
        if let lease = task.leaseExpiresAt, now >= lease {
            throw .invalidState(task: task.id, status: .open, action: "submitted (the claim lease expired)")
        }
        if task.trustMode == .proofRequired, (submission.proofURL ?? "").isEmpty {
            throw .proofRequired(task.id)
        }
        var next = task
        next.status = .submitted
        next.submission = submission
        next.leaseExpiresAt = nil
        let delay = task.trustMode == .review ? timing.reviewWindowMs : timing.autoReleaseDelayMs
        next.releaseDueAt = now.adding(milliseconds: delay)
        return next
    }

    /// submitted -> completed. Release of an already completed task is not a transition (the caller returns the payout).
    public static func complete(_ task: MarketTask, now: Instant) throws(MarketError) -> MarketTask {
        guard task.status == .submitted else {
            throw .invalidState(task: task.id, status: task.status, action: "released")
        }
        var next = task
        next.status = .completed
        next.completedAt = now
        next.releaseDueAt = nil
        return next
    }

    /// submitted -> open after a rejection in review mode; the worker takes the penalty.
    public static func reject(_ task: MarketTask, now: Instant) throws(MarketError) -> MarketTask {
        guard task.status == .submitted else {
            throw .invalidState(task: task.id, status: task.status, action: "rejected")
        }
        guard task.trustMode == .review else {
            throw .invalidState(task: task.id, status: task.status, action: "rejected (only review-mode tasks can be rejected)")
        }
        return reopened(task)
    }

    /// claimed -> open when the lease has run out at `now`; nil when it has not.
    public static func expireLease(_ task: MarketTask, now: Instant) -> MarketTask? {
        guard task.status == .claimed, let lease = task.leaseExpiresAt, now >= lease else { return nil }
        return reopened(task)
    }

    /// open -> expired when the time to live has passed at `now`; nil when it has not.
    public static func expire(_ task: MarketTask, now: Instant) -> MarketTask? {
        guard task.status == .open, now >= task.expiresAt else { return nil }
        var next = task
        next.status = .expired
        next.expiredAt = now
        return next
    }

    /// True when a submitted task's release is due at `now`.
    public static func releaseIsDue(_ task: MarketTask, now: Instant) -> Bool {
        task.status == .submitted && (task.releaseDueAt.map { now >= $0 } ?? false)
    }

    private static func reopened(_ task: MarketTask) -> MarketTask {
        var next = task
        next.status = .open
        next.claimedBy = nil
        next.claimedAt = nil
        next.leaseExpiresAt = nil
        next.submission = nil
        next.releaseDueAt = nil
        next.reopenCount += 1
        return next
    }
}
