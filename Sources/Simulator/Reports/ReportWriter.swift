import Foundation
import JSON

/// Writes the reports of one simulation run into a directory, streaming the large tables to disk as the run goes.
///
/// Files (all UTF-8; CSVs are RFC 4180 with a header row, `\n` line ends, snake_case columns, money as
/// integer `*_msat` with a fixed-3-decimal `*_sats` companion where useful, doubles with 6 fixed decimals,
/// booleans `true`/`false`, an empty field for "none", times as `*_ms` virtual milliseconds since the start
/// plus an ISO 8601 UTC column where handy):
///
/// - `events.ndjson`: one compact JSON object per transcript line, keys sorted:
///   `agent, at_ms, method, path, status, summary`.
/// - `tasks.csv`: one row per task: `task_id, task_type, requester, requester_persona, budget_msat, budget_sats,
///   worker_type, trust_mode, status, created_at_ms, created_at, first_claimed_at_ms, completed_at_ms,
///   expired_at_ms, time_to_first_claim_ms, time_to_resolution_ms, worker, worker_persona, worker_payout_msat,
///   platform_fee_msat, bonus_applied, confidence, correct, reopen_count, claims`.
/// - `payouts.csv`: one row per payout: `payout_id, task_id, worker, worker_persona, budget_msat, amount_msat,
///   amount_sats, platform_fee_msat, routing_fee_msat, bonus_applied, score_before, status, attempts,
///   created_at_ms, created_at, settled_at_ms`.
/// - `timeline.csv`: one row per time bucket: `bucket_start_ms, bucket_end_ms, bucket_start, tasks_created,
///   tasks_completed, tasks_expired, claims_abandoned, submissions_rejected, volume_msat, released_budget_msat,
///   worker_payout_msat, platform_fee_msat, bonus_payouts, payout_failures, open_tasks, claimed_tasks,
///   submitted_tasks, mean_score, workers_above_threshold, workers, share_above_threshold,
///   cumulative_released_budget_msat, cumulative_platform_fee_msat, take_rate, cumulative_take_rate, payout_retries,
///   routing_fee_msat, platform_outbound_msat` (the platform's spendable Lightning balance: liquidity exhaustion).
/// - `workers.csv` (at `finish`): one row per worker, in the order given: `worker_id, name, persona, type,
///   reputation_score, tier, bonus_eligible, completed_jobs, abandoned_claims, rejected_submissions, earned_msat,
///   earned_sats, owed_msat, bonus_payouts, answered, correct, accuracy, reached_bonus_at_ms`.
/// - `summary.json`, `summary.md` and (when enabled) `report.html` (at `finish`).
///
/// Memory: besides one fixed 64 KiB buffer per streamed file, the writer keeps only the timeline rows (one per
/// bucket) and small aggregates keyed by status, task type and persona; tasks, payouts and events are not kept.
/// Output depends only on the records given and their order: no wall clock, sorted keys everywhere.
public final class ReportWriter {
    /// The directory the files go to.
    public let directory: String
    /// The scenario's name, used in titles.
    public let scenario: String
    /// The score a worker must be strictly above to earn the bonus.
    public let bonusThreshold: Int64
    /// Whether `finish` writes `report.html`.
    public let htmlEnabled: Bool
    /// The scenario's start as milliseconds since 1970-01-01 UTC, for the ISO time columns.
    public let startEpochMs: Int64

    private let events: BufferedFileWriter
    private var tasks: CSVWriter
    private var payouts: CSVWriter
    private var timeline: CSVWriter
    private var eventLine = JSONWriter(capacity: 512)
    private(set) var aggregates = ReportAggregates()
    private var finished = false

    /// 2026-01-01T00:00:00Z, the scenarios' default start time.
    public static let defaultStartEpochMs: Int64 = 1_767_225_600_000

    /// Column names of `tasks.csv`.
    public static let taskColumns = [
        "task_id", "task_type", "requester", "requester_persona", "budget_msat", "budget_sats", "worker_type",
        "trust_mode", "status", "created_at_ms", "created_at", "first_claimed_at_ms", "completed_at_ms",
        "expired_at_ms", "time_to_first_claim_ms", "time_to_resolution_ms", "worker", "worker_persona",
        "worker_payout_msat", "platform_fee_msat", "bonus_applied", "confidence", "correct", "reopen_count", "claims",
    ]
    /// Column names of `payouts.csv`.
    public static let payoutColumns = [
        "payout_id", "task_id", "worker", "worker_persona", "budget_msat", "amount_msat", "amount_sats",
        "platform_fee_msat", "routing_fee_msat", "bonus_applied", "score_before", "status", "attempts",
        "created_at_ms", "created_at", "settled_at_ms",
    ]
    /// Column names of `timeline.csv`.
    public static let timelineColumns = [
        "bucket_start_ms", "bucket_end_ms", "bucket_start", "tasks_created", "tasks_completed", "tasks_expired",
        "claims_abandoned", "submissions_rejected", "volume_msat", "released_budget_msat", "worker_payout_msat",
        "platform_fee_msat", "bonus_payouts", "payout_failures", "open_tasks", "claimed_tasks", "submitted_tasks",
        "mean_score", "workers_above_threshold", "workers", "share_above_threshold", "cumulative_released_budget_msat",
        "cumulative_platform_fee_msat", "take_rate", "cumulative_take_rate", "payout_retries", "routing_fee_msat",
        "platform_outbound_msat",
    ]
    /// Column names of `workers.csv`.
    public static let workerColumns = [
        "worker_id", "name", "persona", "type", "reputation_score", "tier", "bonus_eligible", "completed_jobs",
        "abandoned_claims", "rejected_submissions", "earned_msat", "earned_sats", "owed_msat", "bonus_payouts",
        "answered", "correct", "accuracy", "reached_bonus_at_ms",
    ]

    /// Creates `directory` (and its parents), opens the streamed files and writes the CSV headers.
    public convenience init(directory: String, scenario: String, bonusThreshold: Int64, htmlEnabled: Bool) throws {
        try self.init(directory: directory, scenario: scenario, bonusThreshold: bonusThreshold, htmlEnabled: htmlEnabled,
                      startEpochMs: ReportWriter.defaultStartEpochMs)
    }

    /// Creates `directory` (and its parents), opens the streamed files and writes the CSV headers; the ISO time
    /// columns count from `startEpochMs` (ms since 1970-01-01 UTC); `bufferLimit` is each file's buffer size.
    public init(directory: String, scenario: String, bonusThreshold: Int64, htmlEnabled: Bool, startEpochMs: Int64,
                bufferLimit: Int = 64 * 1024) throws {
        self.directory = directory
        self.scenario = scenario
        self.bonusThreshold = bonusThreshold
        self.htmlEnabled = htmlEnabled
        self.startEpochMs = startEpochMs
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw ReportError.cannotCreateDirectory(path: directory, reason: "\(error.localizedDescription)")
        }
        events = try BufferedFileWriter(path: ReportWriter.join(directory, "events.ndjson"), bufferLimit: bufferLimit)
        tasks = CSVWriter(output: try BufferedFileWriter(path: ReportWriter.join(directory, "tasks.csv"), bufferLimit: bufferLimit))
        payouts = CSVWriter(output: try BufferedFileWriter(path: ReportWriter.join(directory, "payouts.csv"), bufferLimit: bufferLimit))
        timeline = CSVWriter(output: try BufferedFileWriter(path: ReportWriter.join(directory, "timeline.csv"), bufferLimit: bufferLimit))
        tasks.header(ReportWriter.taskColumns)
        payouts.header(ReportWriter.payoutColumns)
        timeline.header(ReportWriter.timelineColumns)
    }

    static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    private func iso(_ ms: Int64) -> String {
        let (sum, overflow) = startEpochMs.addingReportingOverflow(ms)
        return overflow ? "" : ReportFormat.iso8601(epochMs: sum)
    }

    // MARK: - Streaming records

    /// Appends one transcript line to `events.ndjson`.
    public func record(_ e: TranscriptEvent) {
        guard !finished else { return }
        eventLine.reset()
        eventLine.beginObject()
        eventLine.field("agent", e.agent)
        eventLine.field("at_ms", e.atMs)
        eventLine.field("method", e.method)
        eventLine.field("path", e.path)
        eventLine.field("status", e.status)
        eventLine.field("summary", e.summary)
        eventLine.endObject()
        events.write(eventLine.bytes)
        events.write(byte: 0x0A)
        aggregates.add(e)
    }

    /// Appends one task to `tasks.csv` and adds it to the outcome aggregates.
    public func record(_ t: TaskRecord) {
        guard !finished else { return }
        let firstClaimDelay = t.firstClaimedAtMs.map { $0 - t.createdAtMs }
        let resolution = t.completedAtMs.map { $0 - t.createdAtMs }
        tasks.field(t.taskID)
        tasks.field(t.taskType)
        tasks.field(t.requester)
        tasks.field(t.requesterPersona)
        tasks.field(t.budgetMsat)
        tasks.field(ReportWriter.satsColumn(t.budgetMsat))
        tasks.field(t.workerType)
        tasks.field(t.trustMode)
        tasks.field(t.status)
        tasks.field(t.createdAtMs)
        tasks.field(iso(t.createdAtMs))
        tasks.field(t.firstClaimedAtMs)
        tasks.field(t.completedAtMs)
        tasks.field(t.expiredAtMs)
        tasks.field(firstClaimDelay)
        tasks.field(resolution)
        tasks.field(t.worker)
        tasks.field(t.workerPersona)
        tasks.field(t.workerPayoutMsat)
        tasks.field(t.platformFeeMsat)
        tasks.field(t.bonusApplied)
        tasks.field(t.confidence)
        tasks.field(t.correct)
        tasks.field(t.reopenCount)
        tasks.field(t.claims)
        tasks.endRow()
        aggregates.add(t)
    }

    /// Appends one payout to `payouts.csv` and adds it to the payment aggregates.
    public func record(_ p: PayoutRecord) {
        guard !finished else { return }
        payouts.field(p.payoutID)
        payouts.field(p.taskID)
        payouts.field(p.worker)
        payouts.field(p.workerPersona)
        payouts.field(p.budgetMsat)
        payouts.field(p.amountMsat)
        payouts.field(ReportWriter.satsColumn(p.amountMsat))
        payouts.field(p.platformFeeMsat)
        payouts.field(p.routingFeeMsat)
        payouts.field(p.bonusApplied)
        payouts.field(p.scoreBefore)
        payouts.field(p.status)
        payouts.field(p.attempts)
        payouts.field(p.createdAtMs)
        payouts.field(iso(p.createdAtMs))
        payouts.field(p.settledAtMs)
        payouts.endRow()
        aggregates.add(p)
    }

    /// Appends one bucket to `timeline.csv` and keeps it for the charts.
    public func record(_ row: TimelineRow) {
        guard !finished else { return }
        timeline.field(row.bucketStartMs)
        timeline.field(row.bucketEndMs)
        timeline.field(iso(row.bucketStartMs))
        timeline.field(row.tasksCreated)
        timeline.field(row.tasksCompleted)
        timeline.field(row.tasksExpired)
        timeline.field(row.claimsAbandoned)
        timeline.field(row.submissionsRejected)
        timeline.field(row.volumeMsat)
        timeline.field(row.releasedBudgetMsat)
        timeline.field(row.workerPayoutMsat)
        timeline.field(row.platformFeeMsat)
        timeline.field(row.bonusPayouts)
        timeline.field(row.payoutFailures)
        timeline.field(row.openTasks)
        timeline.field(row.claimedTasks)
        timeline.field(row.submittedTasks)
        timeline.field(row.meanScore)
        timeline.field(row.workersAboveThreshold)
        timeline.field(row.workers)
        timeline.field(row.shareAboveThreshold)
        timeline.field(row.cumulativeReleasedBudgetMsat)
        timeline.field(row.cumulativePlatformFeeMsat)
        timeline.field(row.takeRate)
        timeline.field(row.cumulativeTakeRate)
        timeline.field(row.payoutRetries)
        timeline.field(row.routingFeeMsat)
        timeline.field(row.platformOutboundMsat)
        timeline.endRow()
        aggregates.timeline.append(row)
    }

    /// A `*_sats` column: msat / 1000 with exactly three decimals, so pandas always reads a float.
    static func satsColumn(_ msat: Int64) -> String {
        let negative = msat < 0
        let magnitude = msat.magnitude
        let fraction = String(magnitude % 1000)
        return (negative ? "-" : "") + String(magnitude / 1000) + "." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }

    // MARK: - Memory

    /// What the writer holds in memory, to check that it stays flat however many records stream through.
    public struct Footprint: Sendable, Equatable {
        /// The capacity of each streamed file's buffer (events, tasks, payouts, timeline).
        public var bufferCapacities: [Int]
        /// The largest number of bytes waiting in any buffer.
        public var largestBuffered: Int
        /// Timeline rows kept for the charts.
        public var timelineRows: Int
        /// Keys in the aggregate tables (statuses, task types, personas, HTTP statuses).
        public var aggregateKeys: Int
    }

    /// The writer's in-memory state right now.
    public var footprint: Footprint {
        let writers = [events, tasks.output, payouts.output, timeline.output]
        return Footprint(bufferCapacities: writers.map(\.bufferCapacity),
                         largestBuffered: writers.map(\.bufferedCount).max() ?? 0,
                         timelineRows: aggregates.timeline.count,
                         aggregateKeys: aggregates.keyCount)
    }

    // MARK: - Finishing

    /// Closes the streamed files and writes `workers.csv`, `summary.json`, `summary.md` and (when enabled)
    /// `report.html`; returns the paths of every file written, in a fixed order.
    public func finish(workers: [WorkerRecord], summary: RunSummary) throws -> [String] {
        guard !finished else { throw ReportError.alreadyFinished }
        finished = true
        var paths: [String] = []
        for writer in [events, tasks.output, payouts.output, timeline.output] {
            try writer.close()
            paths.append(writer.path)
        }

        let workersPath = ReportWriter.join(directory, "workers.csv")
        let workerFile = try BufferedFileWriter(path: workersPath)
        var workerCSV = CSVWriter(output: workerFile)
        workerCSV.header(ReportWriter.workerColumns)
        for w in workers {
            workerCSV.field(w.workerID)
            workerCSV.field(w.name)
            workerCSV.field(w.persona)
            workerCSV.field(w.type)
            workerCSV.field(w.reputationScore)
            workerCSV.field(w.tier)
            workerCSV.field(w.bonusEligible)
            workerCSV.field(w.completedJobs)
            workerCSV.field(w.abandonedClaims)
            workerCSV.field(w.rejectedSubmissions)
            workerCSV.field(w.earnedMsat)
            workerCSV.field(ReportWriter.satsColumn(w.earnedMsat))
            workerCSV.field(w.owedMsat)
            workerCSV.field(w.bonusPayouts)
            workerCSV.field(w.answered)
            workerCSV.field(w.correct)
            workerCSV.field(w.answered > 0 ? Double(w.correct) / Double(w.answered) : nil)
            workerCSV.field(w.reachedBonusAtMs)
            workerCSV.endRow()
        }
        try workerFile.close()
        paths.append(workersPath)

        let analysis = ReportAnalysis(aggregates: aggregates, workers: workers, summary: summary,
                                      bonusThreshold: bonusThreshold, scenario: scenario)

        let summaryPath = ReportWriter.join(directory, "summary.json")
        try ReportWriter.writeWhole(summaryPath, analysis.summaryJSON().serialized(pretty: true) + [0x0A])
        paths.append(summaryPath)

        let document = analysis.document(htmlEnabled: htmlEnabled)
        let markdownPath = ReportWriter.join(directory, "summary.md")
        try ReportWriter.writeWhole(markdownPath, Array(ReportRenderer.markdown(document).utf8))
        paths.append(markdownPath)

        if htmlEnabled {
            let htmlPath = ReportWriter.join(directory, "report.html")
            let charts = ReportCharts(analysis: analysis)
            try ReportWriter.writeWhole(htmlPath, Array(ReportRenderer.html(document, title: "ProofLayer simulation: \(scenario)",
                                                                              charts: charts.all()).utf8))
            paths.append(htmlPath)
        }
        return paths
    }

    static func writeWhole(_ path: String, _ bytes: [UInt8]) throws {
        let file = try BufferedFileWriter(path: path)
        file.write(bytes)
        try file.close()
    }
}
