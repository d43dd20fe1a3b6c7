import Lightning

/// A committed change in the market, as the observer (the simulator's instrumentation) sees it.
public enum MarketEvent: Sendable, Equatable {
    case workerRegistered(Worker)
    case taskCreated(MarketTask)
    /// The task after the claim, and the claiming worker.
    case taskClaimed(MarketTask, Worker)
    case taskSubmitted(MarketTask, Worker)
    /// The completed task, its payout as recorded (before payment), and the worker after its score increment.
    case taskReleased(MarketTask, Payout, Worker)
    /// The reopened task and the worker after its penalty.
    case submissionRejected(MarketTask, Worker)
    case claimAbandoned(MarketTask, Worker)
    case taskExpired(MarketTask, refund: MilliSats)
    case payoutSettled(Payout)
    case payoutRetryScheduled(Payout)
    case payoutFailed(Payout)
    /// A refund payment moved (settled, retry scheduled, or failed for good).
    case refundProgressed(Refund)
}

/// Told of every committed market change, after its transaction commits, in commit order.
public protocol MarketObserver: AnyObject, Sendable {
    func marketDidChange(_ event: MarketEvent)
}
