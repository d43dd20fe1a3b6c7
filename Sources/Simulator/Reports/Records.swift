import Lightning

/// One task as the reports see it, written to `tasks.csv` when the task reaches an end state (or at the end of
/// the run for tasks still in flight).
public struct TaskRecord: Sendable, Equatable {
    public var taskID: String
    public var taskType: String
    public var requester: String          // agent name, e.g. "research-1"
    public var requesterPersona: String
    public var budgetMsat: Int64
    public var workerType: String         // the task's requirement
    public var trustMode: String
    public var status: String             // completed | expired | open | claimed | submitted
    public var createdAtMs: Int64         // virtual ms since the scenario's start
    public var firstClaimedAtMs: Int64?
    public var completedAtMs: Int64?
    public var expiredAtMs: Int64?
    public var worker: String?            // agent name of the resolver who completed it
    public var workerPersona: String?
    public var workerPayoutMsat: Int64?
    public var platformFeeMsat: Int64?
    public var bonusApplied: Bool?
    public var confidence: Double?
    /// Whether the accepted answer matched ground truth (nil when there is no answer).
    public var correct: Bool?
    public var reopenCount: Int64
    public var claims: Int64

    public init(taskID: String, taskType: String, requester: String, requesterPersona: String, budgetMsat: Int64,
                workerType: String, trustMode: String, status: String, createdAtMs: Int64, firstClaimedAtMs: Int64? = nil,
                completedAtMs: Int64? = nil, expiredAtMs: Int64? = nil, worker: String? = nil, workerPersona: String? = nil,
                workerPayoutMsat: Int64? = nil, platformFeeMsat: Int64? = nil, bonusApplied: Bool? = nil,
                confidence: Double? = nil, correct: Bool? = nil, reopenCount: Int64 = 0, claims: Int64 = 0) {
        self.taskID = taskID; self.taskType = taskType; self.requester = requester; self.requesterPersona = requesterPersona
        self.budgetMsat = budgetMsat; self.workerType = workerType; self.trustMode = trustMode; self.status = status
        self.createdAtMs = createdAtMs; self.firstClaimedAtMs = firstClaimedAtMs; self.completedAtMs = completedAtMs
        self.expiredAtMs = expiredAtMs; self.worker = worker; self.workerPersona = workerPersona
        self.workerPayoutMsat = workerPayoutMsat; self.platformFeeMsat = platformFeeMsat; self.bonusApplied = bonusApplied
        self.confidence = confidence; self.correct = correct; self.reopenCount = reopenCount; self.claims = claims
    }
}

/// One payout, written to `payouts.csv` when it settles or fails for good (or at the end of the run).
public struct PayoutRecord: Sendable, Equatable {
    public var payoutID: String
    public var taskID: String
    public var worker: String
    public var workerPersona: String
    public var budgetMsat: Int64
    public var amountMsat: Int64
    public var platformFeeMsat: Int64
    public var routingFeeMsat: Int64
    public var bonusApplied: Bool
    public var scoreBefore: Int64
    public var status: String             // settled | pending | failed
    public var attempts: Int64
    public var createdAtMs: Int64
    public var settledAtMs: Int64?

    public init(payoutID: String, taskID: String, worker: String, workerPersona: String, budgetMsat: Int64, amountMsat: Int64,
                platformFeeMsat: Int64, routingFeeMsat: Int64, bonusApplied: Bool, scoreBefore: Int64, status: String,
                attempts: Int64, createdAtMs: Int64, settledAtMs: Int64?) {
        self.payoutID = payoutID; self.taskID = taskID; self.worker = worker; self.workerPersona = workerPersona
        self.budgetMsat = budgetMsat; self.amountMsat = amountMsat; self.platformFeeMsat = platformFeeMsat
        self.routingFeeMsat = routingFeeMsat; self.bonusApplied = bonusApplied; self.scoreBefore = scoreBefore
        self.status = status; self.attempts = attempts; self.createdAtMs = createdAtMs; self.settledAtMs = settledAtMs
    }
}

/// One resolver at the end of the run (`workers.csv`).
public struct WorkerRecord: Sendable, Equatable {
    public var workerID: String
    public var name: String               // agent name, e.g. "alice-2"
    public var persona: String
    public var type: String
    public var reputationScore: Int64
    public var tier: String
    public var bonusEligible: Bool
    public var completedJobs: Int64
    public var abandonedClaims: Int64
    public var rejectedSubmissions: Int64
    public var earnedMsat: Int64          // settled payouts
    public var owedMsat: Int64            // pending or failed payouts
    public var bonusPayouts: Int64        // payouts with the bonus applied
    public var answered: Int64            // submissions scored against ground truth
    public var correct: Int64
    /// Virtual ms at which the worker first became bonus-eligible, if it did.
    public var reachedBonusAtMs: Int64?

    public init(workerID: String, name: String, persona: String, type: String, reputationScore: Int64, tier: String,
                bonusEligible: Bool, completedJobs: Int64, abandonedClaims: Int64, rejectedSubmissions: Int64, earnedMsat: Int64,
                owedMsat: Int64, bonusPayouts: Int64, answered: Int64, correct: Int64, reachedBonusAtMs: Int64?) {
        self.workerID = workerID; self.name = name; self.persona = persona; self.type = type
        self.reputationScore = reputationScore; self.tier = tier; self.bonusEligible = bonusEligible
        self.completedJobs = completedJobs; self.abandonedClaims = abandonedClaims; self.rejectedSubmissions = rejectedSubmissions
        self.earnedMsat = earnedMsat; self.owedMsat = owedMsat; self.bonusPayouts = bonusPayouts; self.answered = answered
        self.correct = correct; self.reachedBonusAtMs = reachedBonusAtMs
    }
}

/// One timeline bucket (`timeline.csv`): flows during the bucket and stocks at its end.
public struct TimelineRow: Sendable, Equatable {
    public var bucketStartMs: Int64
    public var bucketEndMs: Int64
    // flows in the bucket
    public var tasksCreated: Int64
    public var tasksCompleted: Int64
    public var tasksExpired: Int64
    public var claimsAbandoned: Int64
    public var submissionsRejected: Int64
    public var volumeMsat: Int64          // budgets of tasks created
    public var releasedBudgetMsat: Int64  // budgets of tasks completed
    public var workerPayoutMsat: Int64    // payouts recorded (decided) in the bucket
    public var platformFeeMsat: Int64
    public var bonusPayouts: Int64
    public var payoutFailures: Int64
    /// Payout attempts that failed and were scheduled again.
    public var payoutRetries: Int64
    /// Routing fees the platform paid on settled payouts.
    public var routingFeeMsat: Int64
    // stocks at the end of the bucket
    /// The platform's spendable balance on the Lightning network (its outbound liquidity); nil when unknown.
    public var platformOutboundMsat: Int64?
    public var openTasks: Int64
    public var claimedTasks: Int64
    public var submittedTasks: Int64
    public var meanScore: Double
    public var workersAboveThreshold: Int64
    public var workers: Int64
    public var cumulativeReleasedBudgetMsat: Int64
    public var cumulativePlatformFeeMsat: Int64

    /// Platform fee / released budget in this bucket (nil when nothing was released).
    public var takeRate: Double? { releasedBudgetMsat > 0 ? Double(platformFeeMsat) / Double(releasedBudgetMsat) : nil }
    /// The same, cumulative since the start.
    public var cumulativeTakeRate: Double? {
        cumulativeReleasedBudgetMsat > 0 ? Double(cumulativePlatformFeeMsat) / Double(cumulativeReleasedBudgetMsat) : nil
    }
    /// Share of workers strictly above the bonus threshold.
    public var shareAboveThreshold: Double { workers > 0 ? Double(workersAboveThreshold) / Double(workers) : 0 }

    public init(bucketStartMs: Int64, bucketEndMs: Int64) {
        self.bucketStartMs = bucketStartMs; self.bucketEndMs = bucketEndMs
        tasksCreated = 0; tasksCompleted = 0; tasksExpired = 0; claimsAbandoned = 0; submissionsRejected = 0
        volumeMsat = 0; releasedBudgetMsat = 0; workerPayoutMsat = 0; platformFeeMsat = 0; bonusPayouts = 0
        payoutFailures = 0; payoutRetries = 0; routingFeeMsat = 0; platformOutboundMsat = nil; openTasks = 0; claimedTasks = 0; submittedTasks = 0; meanScore = 0
        workersAboveThreshold = 0; workers = 0; cumulativeReleasedBudgetMsat = 0; cumulativePlatformFeeMsat = 0
    }
}

/// One line of the agent-to-agent transcript (`events.ndjson` and the console).
public struct TranscriptEvent: Sendable, Equatable {
    public var atMs: Int64                // virtual ms since start
    public var agent: String
    public var method: String
    public var path: String
    public var status: Int
    /// The essential response, short (e.g. "task_3f.. open 100 sats", "402 invoice lnbcrt1u1...").
    public var summary: String

    public init(atMs: Int64, agent: String, method: String, path: String, status: Int, summary: String) {
        self.atMs = atMs; self.agent = agent; self.method = method; self.path = path; self.status = status; self.summary = summary
    }
}

/// The run's headline figures (`summary.json` / `summary.md`).
public struct RunSummary: Sendable, Equatable {
    public var scenario: String
    public var seed: UInt64
    public var durationMs: Int64
    public var eventsDispatched: Int64
    public var requests: Int64
    public var tasksCreated: Int64
    public var tasksCompleted: Int64
    public var tasksExpired: Int64
    public var tasksInFlight: Int64
    public var volumeMsat: Int64
    public var platformFeeMsat: Int64           // net of routing fees
    public var routingFeeMsat: Int64
    public var workerEarningsMsat: Int64        // settled
    public var owedPayoutsMsat: Int64           // pending + failed
    public var refundsMsat: Int64
    public var escrowMsat: Int64
    public var effectiveTakeRate: Double?       // platform fee (gross of routing) / released budgets
    public var payoutsSettled: Int64
    public var payoutsFailed: Int64
    public var payoutRetries: Int64
    public var claimsAbandoned: Int64
    public var submissionsRejected: Int64
    public var answerAccuracy: Double?          // correct / scored answers among completed tasks
    public var meanTimeToResolutionMs: Double?  // created -> completed
    public var medianTimeToResolutionMs: Double?
    public var workersAboveThresholdAtEnd: Int64
    public var workers: Int64
    public var ledgerBalanced: Bool
    public var ledgerPaidBudgetsMsat: Int64
    public var ledgerAccountedMsat: Int64

    public init(scenario: String, seed: UInt64) {
        self.scenario = scenario; self.seed = seed; durationMs = 0; eventsDispatched = 0; requests = 0
        tasksCreated = 0; tasksCompleted = 0; tasksExpired = 0; tasksInFlight = 0; volumeMsat = 0; platformFeeMsat = 0
        routingFeeMsat = 0; workerEarningsMsat = 0; owedPayoutsMsat = 0; refundsMsat = 0; escrowMsat = 0
        effectiveTakeRate = nil; payoutsSettled = 0; payoutsFailed = 0; payoutRetries = 0; claimsAbandoned = 0
        submissionsRejected = 0; answerAccuracy = nil; meanTimeToResolutionMs = nil; medianTimeToResolutionMs = nil
        workersAboveThresholdAtEnd = 0; workers = 0; ledgerBalanced = true; ledgerPaidBudgetsMsat = 0; ledgerAccountedMsat = 0
    }
}
