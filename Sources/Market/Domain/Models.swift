import Lightning

/// A registered worker: who claims, resolves and gets paid.
public struct Worker: Sendable, Equatable {
    public var id: WorkerID
    public var displayName: String
    /// The LUD-16 address payouts go to (`user@domain`).
    public var lightningAddress: String
    public var kind: WorkerKind
    public var reputationScore: Int64
    public var completedJobs: Int64
    public var abandonedClaims: Int64
    public var rejectedSubmissions: Int64
    public var createdAt: Instant

    public init(id: WorkerID, displayName: String, lightningAddress: String, kind: WorkerKind,
                reputationScore: Int64 = 0, completedJobs: Int64 = 0, abandonedClaims: Int64 = 0,
                rejectedSubmissions: Int64 = 0, createdAt: Instant) {
        self.id = id
        self.displayName = displayName
        self.lightningAddress = lightningAddress
        self.kind = kind
        self.reputationScore = reputationScore
        self.completedJobs = completedJobs
        self.abandonedClaims = abandonedClaims
        self.rejectedSubmissions = rejectedSubmissions
        self.createdAt = createdAt
    }
}

/// A worker's answer to a task.
public struct Submission: Sendable, Equatable {
    public var workerID: WorkerID
    /// The answer as JSON text, exactly as the market prints it.
    public var answerJSON: String
    public var confidence: Double
    public var proofURL: String?
    public var submittedAt: Instant

    public init(workerID: WorkerID, answerJSON: String, confidence: Double, proofURL: String?, submittedAt: Instant) {
        self.workerID = workerID
        self.answerJSON = answerJSON
        self.confidence = confidence
        self.proofURL = proofURL
        self.submittedAt = submittedAt
    }
}

/// A paid micro-task and where it is in its life.
public struct MarketTask: Sendable, Equatable {
    public var id: TaskID
    public var taskType: TaskType
    public var title: String
    /// The task's `input` object as JSON text.
    public var inputJSON: String
    public var budget: MilliSats
    public var workerRequirement: WorkerRequirement
    public var trustMode: TrustMode
    public var status: TaskStatus
    public var createdAt: Instant
    /// When an open task expires and its budget is refunded.
    public var expiresAt: Instant
    public var paymentMethod: PaymentMethod
    /// The L402 payment hash that paid for the task (hex), nil for the demo token.
    public var paymentHash: String?
    public var claimedBy: WorkerID?
    public var claimedAt: Instant?
    public var leaseExpiresAt: Instant?
    public var submission: Submission?
    /// When a submitted task is released without further action (auto-release or review auto-accept).
    public var releaseDueAt: Instant?
    public var completedAt: Instant?
    public var expiredAt: Instant?
    /// How many times the task went back to open (lease expiries and rejections).
    public var reopenCount: Int64
    /// Where the budget goes back if the task expires (LUD-16); without it the refund stays credited.
    public var refundAddress: String?

    public init(id: TaskID, taskType: TaskType, title: String, inputJSON: String, budget: MilliSats,
                workerRequirement: WorkerRequirement, trustMode: TrustMode, status: TaskStatus = .open,
                createdAt: Instant, expiresAt: Instant, paymentMethod: PaymentMethod, paymentHash: String?,
                claimedBy: WorkerID? = nil, claimedAt: Instant? = nil, leaseExpiresAt: Instant? = nil,
                submission: Submission? = nil, releaseDueAt: Instant? = nil, completedAt: Instant? = nil,
                expiredAt: Instant? = nil, reopenCount: Int64 = 0, refundAddress: String? = nil) {
        self.id = id
        self.taskType = taskType
        self.title = title
        self.inputJSON = inputJSON
        self.budget = budget
        self.workerRequirement = workerRequirement
        self.trustMode = trustMode
        self.status = status
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.paymentMethod = paymentMethod
        self.paymentHash = paymentHash
        self.claimedBy = claimedBy
        self.claimedAt = claimedAt
        self.leaseExpiresAt = leaseExpiresAt
        self.submission = submission
        self.releaseDueAt = releaseDueAt
        self.completedAt = completedAt
        self.expiredAt = expiredAt
        self.reopenCount = reopenCount
        self.refundAddress = refundAddress
    }
}

/// What the worker is owed for one completed task, and how paying it went.
public struct Payout: Sendable, Equatable {
    public var id: PayoutID
    public var taskID: TaskID
    public var workerID: WorkerID
    public var lightningAddress: String
    public var split: PayoutSplit
    /// The worker's score before this task's increment, which decided the bonus.
    public var scoreBefore: Int64
    public var status: PayoutStatus
    /// The payment hash of the Lightning payment, recorded before sending so a retry never pays twice.
    public var paymentHash: String?
    public var preimage: String?
    public var routingFee: MilliSats
    public var attempts: Int64
    public var createdAt: Instant
    public var settledAt: Instant?
    public var failureReason: String?
    /// When a pending or failed payout is tried again.
    public var nextAttemptAt: Instant?
    /// The worker's BOLT11 invoice this payout pays (from its Lightning address).
    public var invoice: String?

    public init(id: PayoutID, taskID: TaskID, workerID: WorkerID, lightningAddress: String, split: PayoutSplit,
                scoreBefore: Int64, status: PayoutStatus = .pending, paymentHash: String? = nil,
                preimage: String? = nil, routingFee: MilliSats = .zero, attempts: Int64 = 0,
                createdAt: Instant, settledAt: Instant? = nil, failureReason: String? = nil, nextAttemptAt: Instant? = nil,
                invoice: String? = nil) {
        self.id = id
        self.taskID = taskID
        self.workerID = workerID
        self.lightningAddress = lightningAddress
        self.split = split
        self.scoreBefore = scoreBefore
        self.status = status
        self.paymentHash = paymentHash
        self.preimage = preimage
        self.routingFee = routingFee
        self.attempts = attempts
        self.createdAt = createdAt
        self.settledAt = settledAt
        self.failureReason = failureReason
        self.nextAttemptAt = nextAttemptAt
        self.invoice = invoice
    }
}

/// The market's timing parameters (SPEC section 5), in milliseconds.
public struct MarketTiming: Sendable, Equatable, Codable {
    /// How long a claim holds before the task goes back to open (default 10 min).
    public var claimLeaseMs: Int64
    /// How long an open task lives before it expires and is refunded (default 24 h).
    public var taskTTLMs: Int64
    /// Delay between submit and automatic release in `auto` and `proof_required` modes (default 0).
    public var autoReleaseDelayMs: Int64
    /// How long a requester has to review before a `review` task is auto-accepted (default 1 h).
    public var reviewWindowMs: Int64
    /// How long an L402 challenge's invoice and macaroon stay valid (default 1 h).
    public var challengeTTLMs: Int64

    public static let `default` = MarketTiming(claimLeaseMs: 10 * 60_000, taskTTLMs: 24 * 3_600_000,
                                               autoReleaseDelayMs: 0, reviewWindowMs: 3_600_000,
                                               challengeTTLMs: 3_600_000)

    public init(claimLeaseMs: Int64, taskTTLMs: Int64, autoReleaseDelayMs: Int64, reviewWindowMs: Int64, challengeTTLMs: Int64) {
        self.claimLeaseMs = claimLeaseMs
        self.taskTTLMs = taskTTLMs
        self.autoReleaseDelayMs = autoReleaseDelayMs
        self.reviewWindowMs = reviewWindowMs
        self.challengeTTLMs = challengeTTLMs
    }
}
