import Lightning
import Market
import Foundation
import JSON

/// Watches the market (as its observer) and the agents (through their context) and turns what happens into the
/// report's records: tasks and payouts as they finish, timeline buckets, and per-worker standings. Memory is
/// bounded by the tasks and payouts in flight and the number of workers, never by the number of events.
final class Instrumentation: MarketObserver, @unchecked Sendable {
    struct TaskTrack {
        var record: TaskRecord
        var truth: String?
        var status: TaskStatus
    }

    struct WorkerTrack {
        var workerID: String
        var name: String
        var persona: String
        var type: String
        var score: Int64 = 0
        var completed: Int64 = 0
        var abandoned: Int64 = 0
        var rejected: Int64 = 0
        var earnedMsat: Int64 = 0
        var owedMsat: Int64 = 0
        var bonusPayouts: Int64 = 0
        var answered: Int64 = 0
        var correct: Int64 = 0
        var reachedBonusAtMs: Int64?
    }

    private let lock = NSLockish()
    let startMs: Int64
    let bonusThreshold: Int64
    let sink: ReportSink
    private var clockMs: () -> Int64

    private var tasks: [String: TaskTrack] = [:]
    private var payouts: [String: PayoutRecord] = [:]
    private(set) var workers: [String: WorkerTrack] = [:]   // by worker id
    private var workerOrder: [String] = []
    private var agentPersona: [String: String] = [:]          // agent name -> persona
    private var agentType: [String: String] = [:]             // agent name -> worker type (resolvers)

    // Timeline: flows of the current bucket and stocks.
    private(set) var row: TimelineRow
    private var openTasks: Int64 = 0, claimedTasks: Int64 = 0, submittedTasks: Int64 = 0
    private var cumulativeReleased: Int64 = 0, cumulativeFee: Int64 = 0
    private var scoreSum: Int64 = 0, aboveThreshold: Int64 = 0

    // Summary tallies.
    var summary: RunSummary
    private var resolutionTimes = ResolutionTimes()

    init(startMs: Int64, bonusThreshold: Int64, bucketMs: Int64, sink: ReportSink, summary: RunSummary, clockMs: @escaping () -> Int64) {
        self.startMs = startMs
        self.bonusThreshold = bonusThreshold
        self.sink = sink
        self.summary = summary
        self.clockMs = clockMs
        row = TimelineRow(bucketStartMs: 0, bucketEndMs: bucketMs)
    }

    private func rel(_ i: Instant) -> Int64 { i.milliseconds - startMs }

    // MARK: Agents' side

    func agentJoined(name: String, persona: String, type: String = "") {
        lock.locked {
            agentPersona[name] = persona
            agentType[name] = type
        }
    }

    func workerRegistered(workerID: String, agent: String) {
        lock.locked {
            if workers[workerID] == nil {
                workers[workerID] = WorkerTrack(workerID: workerID, name: agent, persona: agentPersona[agent] ?? "",
                                                type: agentType[agent] ?? "")
                workerOrder.append(workerID)
            }
        }
    }

    func taskPosted(taskID: String, requester: String, truth: String) {
        lock.locked {
            let persona = agentPersona[requester] ?? ""
            if var t = tasks[taskID] {
                t.record.requester = requester
                t.record.requesterPersona = persona
                t.truth = truth
                tasks[taskID] = t
            }
        }
    }

    // MARK: Market's side

    func marketDidChange(_ event: MarketEvent) {
        lock.locked { apply(event) }
    }

    private func apply(_ event: MarketEvent) {
        switch event {
        case .workerRegistered:
            break
        case .taskCreated(let t):
            tasks[t.id.rawValue] = TaskTrack(record: TaskRecord(
                taskID: t.id.rawValue, taskType: t.taskType.rawValue, requester: "", requesterPersona: "",
                budgetMsat: t.budget.rawValue, workerType: t.workerRequirement.rawValue, trustMode: t.trustMode.rawValue,
                status: "open", createdAtMs: rel(t.createdAt)), truth: nil, status: .open)
            openTasks += 1
            row.tasksCreated += 1
            row.volumeMsat += t.budget.rawValue
            summary.tasksCreated += 1
            summary.volumeMsat += t.budget.rawValue
        case .taskClaimed(let t, _):
            if var track = tasks[t.id.rawValue] {
                track.record.claims += 1
                if track.record.firstClaimedAtMs == nil { track.record.firstClaimedAtMs = t.claimedAt.map(rel) }
                track.status = .claimed
                tasks[t.id.rawValue] = track
            }
            openTasks -= 1
            claimedTasks += 1
        case .taskSubmitted(let t, _):
            if var track = tasks[t.id.rawValue] {
                track.status = .submitted
                tasks[t.id.rawValue] = track
            }
            claimedTasks -= 1
            submittedTasks += 1
        case .claimAbandoned(let t, let w):
            tasks[t.id.rawValue]?.status = .open
            tasks[t.id.rawValue]?.record.reopenCount = t.reopenCount
            claimedTasks -= 1
            openTasks += 1
            row.claimsAbandoned += 1
            summary.claimsAbandoned += 1
            updateStanding(w)
            workers[w.id.rawValue]?.abandoned = w.abandonedClaims
        case .submissionRejected(let t, let w):
            tasks[t.id.rawValue]?.status = .open
            tasks[t.id.rawValue]?.record.reopenCount = t.reopenCount
            submittedTasks -= 1
            openTasks += 1
            row.submissionsRejected += 1
            summary.submissionsRejected += 1
            updateStanding(w)
            workers[w.id.rawValue]?.rejected = w.rejectedSubmissions
        case .taskReleased(let t, let p, let w):
            submittedTasks -= 1
            row.tasksCompleted += 1
            row.releasedBudgetMsat += t.budget.rawValue
            row.workerPayoutMsat += p.split.workerPayout.rawValue
            row.platformFeeMsat += p.split.platformFee.rawValue
            if p.split.bonusApplied { row.bonusPayouts += 1 }
            cumulativeReleased += t.budget.rawValue
            cumulativeFee += p.split.platformFee.rawValue
            summary.tasksCompleted += 1
            let nowMs = rel(t.completedAt ?? p.createdAt)
            updateStanding(w)
            if var wt = workers[w.id.rawValue] {
                wt.completed = w.completedJobs
                wt.owedMsat += p.split.workerPayout.rawValue
                if p.split.bonusApplied { wt.bonusPayouts += 1 }
                workers[w.id.rawValue] = wt
            }
            payouts[p.id.rawValue] = PayoutRecord(
                payoutID: p.id.rawValue, taskID: t.id.rawValue, worker: workers[w.id.rawValue]?.name ?? w.displayName,
                workerPersona: workers[w.id.rawValue]?.persona ?? "", budgetMsat: p.split.budget.rawValue,
                amountMsat: p.split.workerPayout.rawValue, platformFeeMsat: p.split.platformFee.rawValue,
                routingFeeMsat: 0, bonusApplied: p.split.bonusApplied, scoreBefore: p.scoreBefore, status: p.status.rawValue,
                attempts: p.attempts, createdAtMs: rel(p.createdAt), settledAtMs: nil)
            if var track = tasks.removeValue(forKey: t.id.rawValue) {
                track.record.status = "completed"
                track.record.completedAtMs = nowMs
                track.record.worker = workers[w.id.rawValue]?.name
                track.record.workerPersona = workers[w.id.rawValue]?.persona
                track.record.workerPayoutMsat = p.split.workerPayout.rawValue
                track.record.platformFeeMsat = p.split.platformFee.rawValue
                track.record.bonusApplied = p.split.bonusApplied
                track.record.confidence = t.submission?.confidence
                track.record.reopenCount = t.reopenCount
                if let truth = track.truth, let answer = t.submission.flatMap({ Self.answerText($0.answerJSON) }) {
                    let ok = answer.lowercased() == truth.lowercased()
                    track.record.correct = ok
                    workers[w.id.rawValue]?.answered += 1
                    if ok { workers[w.id.rawValue]?.correct += 1 }
                }
                resolutionTimes.add(nowMs - track.record.createdAtMs)
                sink.record(track.record)
            }
            if p.status == .settled { settle(p) }
        case .taskExpired(let t, let refund):
            openTasks -= 1
            row.tasksExpired += 1
            summary.tasksExpired += 1
            summary.refundsMsat += refund.rawValue
            if var track = tasks.removeValue(forKey: t.id.rawValue) {
                track.record.status = "expired"
                track.record.expiredAtMs = t.expiredAt.map(rel)
                track.record.reopenCount = t.reopenCount
                sink.record(track.record)
            }
        case .payoutSettled(let p):
            settle(p)
        case .refundProgressed:
            break
        case .payoutRetryScheduled(let p):
            summary.payoutRetries += 1
            row.payoutRetries += 1
            payouts[p.id.rawValue]?.attempts = p.attempts
        case .payoutFailed(let p):
            row.payoutFailures += 1
            summary.payoutsFailed += 1
            if var rec = payouts.removeValue(forKey: p.id.rawValue) {
                rec.status = "failed"
                rec.attempts = p.attempts
                sink.record(rec)
            }
        }
    }

    private func settle(_ p: Payout) {
        summary.payoutsSettled += 1
        row.routingFeeMsat += p.routingFee.rawValue
        if var wt = workers[p.workerID.rawValue] {
            wt.owedMsat -= p.split.workerPayout.rawValue
            wt.earnedMsat += p.split.workerPayout.rawValue
            workers[p.workerID.rawValue] = wt
        }
        if var rec = payouts.removeValue(forKey: p.id.rawValue) {
            rec.status = "settled"
            rec.attempts = p.attempts
            rec.routingFeeMsat = p.routingFee.rawValue
            rec.settledAtMs = p.settledAt.map(rel)
            sink.record(rec)
        }
    }

    private func updateStanding(_ w: Worker) {
        guard var wt = workers[w.id.rawValue] else { return }
        let wasAbove = wt.score > bonusThreshold
        scoreSum += w.reputationScore - wt.score
        wt.score = w.reputationScore
        let isAbove = wt.score > bonusThreshold
        if isAbove != wasAbove { aboveThreshold += isAbove ? 1 : -1 }
        if isAbove && wt.reachedBonusAtMs == nil { wt.reachedBonusAtMs = clockMs() }
        workers[w.id.rawValue] = wt
    }

    static func answerText(_ json: String) -> String? {
        (try? JSONValue.parse(json))?["answer"]?.stringValue
    }

    // MARK: Timeline and the end

    /// Closes the current bucket at `endMs`, emits it, and opens the next one of `bucketMs`.
    func closeBucket(endMs: Int64, bucketMs: Int64, platformOutboundMsat: Int64?) {
        lock.locked {
            row.platformOutboundMsat = platformOutboundMsat
            row.bucketEndMs = endMs
            row.openTasks = openTasks
            row.claimedTasks = claimedTasks
            row.submittedTasks = submittedTasks
            row.workers = Int64(workers.count)
            row.meanScore = workers.isEmpty ? 0 : Double(scoreSum) / Double(workers.count)
            row.workersAboveThreshold = aboveThreshold
            row.cumulativeReleasedBudgetMsat = cumulativeReleased
            row.cumulativePlatformFeeMsat = cumulativeFee
            sink.record(row)
            row = TimelineRow(bucketStartMs: endMs, bucketEndMs: endMs + bucketMs)
        }
    }

    /// Emits the tasks and payouts still in flight (in id order, for determinism) and returns the worker records.
    func finish() -> [WorkerRecord] {
        lock.locked {
            for id in tasks.keys.sorted() {
                guard var track = tasks[id] else { continue }
                track.record.status = track.status.rawValue
                summary.tasksInFlight += 1
                sink.record(track.record)
            }
            tasks.removeAll()
            for id in payouts.keys.sorted() {
                guard let rec = payouts[id] else { continue }
                sink.record(rec)
            }
            payouts.removeAll()
            summary.workers = Int64(workers.count)
            summary.workersAboveThresholdAtEnd = aboveThreshold
            summary.meanTimeToResolutionMs = resolutionTimes.mean
            summary.medianTimeToResolutionMs = resolutionTimes.median
            var answered: Int64 = 0, correct: Int64 = 0
            let records = workerOrder.compactMap { id -> WorkerRecord? in
                guard let w = workers[id] else { return nil }
                answered += w.answered
                correct += w.correct
                return WorkerRecord(workerID: w.workerID, name: w.name, persona: w.persona, type: w.type,
                                    reputationScore: w.score, tier: "", bonusEligible: w.score > bonusThreshold,
                                    completedJobs: w.completed, abandonedClaims: w.abandoned, rejectedSubmissions: w.rejected,
                                    earnedMsat: w.earnedMsat, owedMsat: w.owedMsat, bonusPayouts: w.bonusPayouts,
                                    answered: w.answered, correct: w.correct, reachedBonusAtMs: w.reachedBonusAtMs)
            }
            summary.answerAccuracy = answered > 0 ? Double(correct) / Double(answered) : nil
            return records
        }
    }
}

/// The times from creation to completion, kept as a fixed histogram (1 s buckets up to a day, then coarser) so the
/// median is exact to the second with bounded memory.
struct ResolutionTimes {
    private var count: Int64 = 0
    private var sum: Double = 0
    private var seconds: [Int64] = Array(repeating: 0, count: 86_401)
    private var overflow: [Int64] = []

    mutating func add(_ ms: Int64) {
        count += 1
        sum += Double(ms)
        let s = max(0, ms / 1000)
        if s <= 86_400 { seconds[Int(s)] += 1 } else if overflow.count < 100_000 { overflow.append(ms) }
    }

    var mean: Double? { count > 0 ? sum / Double(count) : nil }

    var median: Double? {
        guard count > 0 else { return nil }
        let target = (count + 1) / 2
        var seen: Int64 = 0
        for (s, n) in seconds.enumerated() where n > 0 {
            seen += n
            if seen >= target { return Double(s) * 1000 }
        }
        let rest = overflow.sorted()
        let i = Int(target - seen - 1)
        return rest.indices.contains(i) ? Double(rest[i]) : nil
    }
}

/// Where records go (the report writer in a run; a collector in tests).
protocol ReportSink: AnyObject {
    func record(_ t: TaskRecord)
    func record(_ p: PayoutRecord)
    func record(_ row: TimelineRow)
}

/// A lock for the instrumentation: market events may arrive from the HTTP server's threads in served runs.
final class NSLockish: @unchecked Sendable {
    private let lock = NSLock()
    func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}
