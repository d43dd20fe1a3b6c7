/// Running count, sum and extremes of a sample, in constant memory.
struct RunningMoments: Equatable {
    var count: Int64 = 0
    var sum: Double = 0
    var min: Double = .infinity
    var max: Double = -.infinity

    mutating func add(_ value: Double) {
        count += 1
        sum += value
        if value < min { min = value }
        if value > max { max = value }
    }

    var mean: Double? { count > 0 ? sum / Double(count) : nil }
}

/// Task outcome counts for a group of tasks (all, one task type, one persona).
struct TaskGroup: Equatable {
    var tasks: Int64 = 0
    var completed: Int64 = 0
    var expired: Int64 = 0
    var inFlight: Int64 = 0
    var other: Int64 = 0
    var budgetMsat: Int64 = 0
    var answered: Int64 = 0
    var correct: Int64 = 0

    mutating func add(_ t: TaskRecord) {
        tasks += 1
        budgetMsat &+= t.budgetMsat
        switch t.status {
        case "completed": completed += 1
        case "expired": expired += 1
        case "open", "claimed", "submitted": inFlight += 1
        default: other += 1
        }
        if let correct = t.correct {
            answered += 1
            if correct { self.correct += 1 }
        }
    }

    var completionRate: Double? { tasks > 0 ? Double(completed) / Double(tasks) : nil }
    var accuracy: Double? { answered > 0 ? Double(correct) / Double(answered) : nil }
}

/// Payout counts and sums for a group of payouts (all, or one persona).
struct PayoutGroup: Equatable {
    var payouts: Int64 = 0
    var settled: Int64 = 0
    var pending: Int64 = 0
    var failed: Int64 = 0
    var settledMsat: Int64 = 0
    var owedMsat: Int64 = 0
    var routingFeeMsat: Int64 = 0
    var platformFeeMsat: Int64 = 0
    var bonus: Int64 = 0
    var attempts: Int64 = 0

    mutating func add(_ p: PayoutRecord) {
        payouts += 1
        attempts &+= p.attempts
        routingFeeMsat &+= p.routingFeeMsat
        platformFeeMsat &+= p.platformFeeMsat
        if p.bonusApplied { bonus += 1 }
        switch p.status {
        case "settled":
            settled += 1
            settledMsat &+= p.amountMsat
        case "failed":
            failed += 1
            owedMsat &+= p.amountMsat
        default:
            pending += 1
            owedMsat &+= p.amountMsat
        }
    }
}

/// Everything the writer keeps from the streamed records: bounded by the number of buckets, statuses, task
/// types and personas, never by the number of tasks, payouts or events.
struct ReportAggregates {
    var timeline: [TimelineRow] = []

    var events: Int64 = 0
    var eventsByStatusClass: [Int: Int64] = [:]

    var tasks = TaskGroup()
    var taskStatus: [String: Int64] = [:]
    var byTaskType: [String: TaskGroup] = [:]
    var byRequesterPersona: [String: TaskGroup] = [:]
    var completedByWorkerPersona: [String: TaskGroup] = [:]
    var releasedBudgetMsat: Int64 = 0
    var resolution = RunningMoments()
    var resolutionMedian = StreamingQuantile(p: 0.5)
    var resolutionP90 = StreamingQuantile(p: 0.9)
    var firstClaim = RunningMoments()
    var firstClaimMedian = StreamingQuantile(p: 0.5)
    var confidence = RunningMoments()
    var reopenedTasks: Int64 = 0
    var reopens: Int64 = 0

    var payouts = PayoutGroup()
    var payoutStatus: [String: Int64] = [:]
    var payoutsByPersona: [String: PayoutGroup] = [:]

    /// The number of keys held across the keyed tables.
    var keyCount: Int {
        eventsByStatusClass.count + taskStatus.count + byTaskType.count + byRequesterPersona.count
            + completedByWorkerPersona.count + payoutStatus.count + payoutsByPersona.count
    }

    mutating func add(_ e: TranscriptEvent) {
        events += 1
        eventsByStatusClass[e.status / 100, default: 0] += 1
    }

    mutating func add(_ t: TaskRecord) {
        tasks.add(t)
        taskStatus[t.status, default: 0] += 1
        byTaskType[t.taskType, default: TaskGroup()].add(t)
        byRequesterPersona[t.requesterPersona, default: TaskGroup()].add(t)
        if t.status == "completed" {
            releasedBudgetMsat &+= t.budgetMsat
            completedByWorkerPersona[t.workerPersona ?? "", default: TaskGroup()].add(t)
        }
        if let completed = t.completedAtMs {
            let latency = Double(completed - t.createdAtMs)
            resolution.add(latency)
            resolutionMedian.add(latency)
            resolutionP90.add(latency)
        }
        if let claimed = t.firstClaimedAtMs {
            let delay = Double(claimed - t.createdAtMs)
            firstClaim.add(delay)
            firstClaimMedian.add(delay)
        }
        if let c = t.confidence, t.status == "completed" { confidence.add(c) }
        if t.reopenCount > 0 {
            reopenedTasks += 1
            reopens &+= t.reopenCount
        }
    }

    mutating func add(_ p: PayoutRecord) {
        payouts.add(p)
        payoutStatus[p.status, default: 0] += 1
        payoutsByPersona[p.workerPersona, default: PayoutGroup()].add(p)
    }
}
