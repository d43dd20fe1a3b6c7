import Foundation
import JSON
import Testing
@testable import Simulator

// MARK: - Fixture

/// A small, internally consistent run: 6 tasks, 4 payouts, 3 workers, 4 half-hour buckets, 5 transcript lines.
/// Bonus threshold 1 so that one worker crosses it within the fixture.
enum ReportFixture {
    static let threshold: Int64 = 1
    static let fileNames = ["events.ndjson", "tasks.csv", "payouts.csv", "timeline.csv", "workers.csv", "summary.json",
                            "summary.md", "report.html"]

    static let events: [TranscriptEvent] = [
        TranscriptEvent(atMs: 0, agent: "research-1", method: "POST", path: "/api/tasks", status: 402,
                        summary: "402 invoice lnbcrt1u1pexample, macaroon \"AgEO...\""),
        TranscriptEvent(atMs: 60_000, agent: "research-1", method: "POST", path: "/api/tasks", status: 201,
                        summary: "task_01 open 100 sats"),
        TranscriptEvent(atMs: 120_000, agent: "alice-1", method: "POST", path: "/api/tasks/task_01/claim", status: 200,
                        summary: "claimed task_01"),
        TranscriptEvent(atMs: 600_000, agent: "alice-1", method: "POST", path: "/api/tasks/task_01/submit", status: 200,
                        summary: "submitted {\"live\": true} → released 70 sats"),
        TranscriptEvent(atMs: 600_500, agent: "platform", method: "PAY", path: "lightning:alice-1", status: 200,
                        summary: "payout settled 70 sats"),
    ]

    static let tasks: [TaskRecord] = [
        TaskRecord(taskID: "task_01", taskType: "verify", requester: "research-1", requesterPersona: "research_agent",
                   budgetMsat: 100_000, workerType: "any", trustMode: "auto", status: "completed", createdAtMs: 60_000,
                   firstClaimedAtMs: 120_000, completedAtMs: 600_000, worker: "alice-1", workerPersona: "careful_human",
                   workerPayoutMsat: 70_000, platformFeeMsat: 30_000, bonusApplied: false, confidence: 0.9, correct: true,
                   claims: 1),
        TaskRecord(taskID: "task_02", taskType: "answer", requester: "factcheck-1", requesterPersona: "fact_checker",
                   budgetMsat: 50_000, workerType: "ai", trustMode: "auto", status: "completed", createdAtMs: 300_000,
                   firstClaimedAtMs: 310_000, completedAtMs: 900_000, worker: "bob-1", workerPersona: "fast_ai",
                   workerPayoutMsat: 35_000, platformFeeMsat: 15_000, bonusApplied: false, confidence: 0.6, correct: false,
                   claims: 1),
        TaskRecord(taskID: "task_04", taskType: "answer", requester: "factcheck-1", requesterPersona: "fact_checker",
                   budgetMsat: 100_000, workerType: "any", trustMode: "review", status: "expired", createdAtMs: 1_200_000,
                   firstClaimedAtMs: 1_300_000, expiredAtMs: 6_000_000, reopenCount: 1, claims: 1),
        TaskRecord(taskID: "task_03", taskType: "verify", requester: "research-1", requesterPersona: "research_agent",
                   budgetMsat: 200_000, workerType: "any", trustMode: "auto", status: "completed", createdAtMs: 3_000_000,
                   firstClaimedAtMs: 3_100_000, completedAtMs: 4_500_000, worker: "alice-1", workerPersona: "careful_human",
                   workerPayoutMsat: 140_000, platformFeeMsat: 60_000, bonusApplied: false, confidence: 0.95, correct: true,
                   claims: 1),
        TaskRecord(taskID: "task_05", taskType: "answer", requester: "research-1", requesterPersona: "research_agent",
                   budgetMsat: 80_000, workerType: "any", trustMode: "auto", status: "completed", createdAtMs: 6_000_000,
                   firstClaimedAtMs: 6_100_000, completedAtMs: 6_600_000, worker: "alice-1", workerPersona: "careful_human",
                   workerPayoutMsat: 61_600, platformFeeMsat: 18_400, bonusApplied: true, confidence: 0.8, correct: true,
                   claims: 1),
        TaskRecord(taskID: "task_06", taskType: "verify", requester: "ops-1", requesterPersona: "ops_agent",
                   budgetMsat: 120_000, workerType: "human", trustMode: "auto", status: "claimed", createdAtMs: 6_500_000,
                   firstClaimedAtMs: 6_700_000, claims: 1),
    ]

    static let payouts: [PayoutRecord] = [
        PayoutRecord(payoutID: "po_01", taskID: "task_01", worker: "alice-1", workerPersona: "careful_human", budgetMsat: 100_000,
                     amountMsat: 70_000, platformFeeMsat: 30_000, routingFeeMsat: 10, bonusApplied: false, scoreBefore: 0,
                     status: "settled", attempts: 1, createdAtMs: 600_000, settledAtMs: 600_500),
        PayoutRecord(payoutID: "po_02", taskID: "task_02", worker: "bob-1", workerPersona: "fast_ai", budgetMsat: 50_000,
                     amountMsat: 35_000, platformFeeMsat: 15_000, routingFeeMsat: 5, bonusApplied: false, scoreBefore: 0,
                     status: "settled", attempts: 2, createdAtMs: 900_000, settledAtMs: 905_000),
        PayoutRecord(payoutID: "po_03", taskID: "task_03", worker: "alice-1", workerPersona: "careful_human", budgetMsat: 200_000,
                     amountMsat: 140_000, platformFeeMsat: 60_000, routingFeeMsat: 0, bonusApplied: false, scoreBefore: 1,
                     status: "failed", attempts: 5, createdAtMs: 4_500_000, settledAtMs: nil),
        PayoutRecord(payoutID: "po_04", taskID: "task_05", worker: "alice-1", workerPersona: "careful_human", budgetMsat: 80_000,
                     amountMsat: 61_600, platformFeeMsat: 18_400, routingFeeMsat: 20, bonusApplied: true, scoreBefore: 2,
                     status: "settled", attempts: 1, createdAtMs: 6_600_000, settledAtMs: 6_600_300),
    ]

    static let workers: [WorkerRecord] = [
        WorkerRecord(workerID: "w_01", name: "alice-1", persona: "careful_human", type: "hybrid", reputationScore: 3, tier: "trusted",
                     bonusEligible: true, completedJobs: 3, abandonedClaims: 0, rejectedSubmissions: 0, earnedMsat: 131_600,
                     owedMsat: 140_000, bonusPayouts: 1, answered: 3, correct: 3, reachedBonusAtMs: 4_500_000),
        WorkerRecord(workerID: "w_02", name: "bob-1", persona: "fast_ai", type: "ai", reputationScore: 1, tier: "new",
                     bonusEligible: false, completedJobs: 1, abandonedClaims: 0, rejectedSubmissions: 0, earnedMsat: 35_000,
                     owedMsat: 0, bonusPayouts: 0, answered: 1, correct: 0, reachedBonusAtMs: nil),
        WorkerRecord(workerID: "w_03", name: "carol-1", persona: "careful_human", type: "human", reputationScore: 0, tier: "new",
                     bonusEligible: false, completedJobs: 0, abandonedClaims: 1, rejectedSubmissions: 0, earnedMsat: 0,
                     owedMsat: 0, bonusPayouts: 0, answered: 0, correct: 0, reachedBonusAtMs: nil),
    ]

    static var timeline: [TimelineRow] {
        let bucket: Int64 = 1_800_000
        func row(_ i: Int64, _ fill: (inout TimelineRow) -> Void) -> TimelineRow {
            var r = TimelineRow(bucketStartMs: i * bucket, bucketEndMs: (i + 1) * bucket)
            r.workers = 3
            fill(&r)
            return r
        }
        return [
            row(0) {
                $0.tasksCreated = 3; $0.tasksCompleted = 2; $0.volumeMsat = 250_000; $0.releasedBudgetMsat = 150_000
                $0.workerPayoutMsat = 105_000; $0.platformFeeMsat = 45_000; $0.claimedTasks = 1; $0.meanScore = 2.0 / 3.0
                $0.cumulativeReleasedBudgetMsat = 150_000; $0.cumulativePlatformFeeMsat = 45_000
            },
            row(1) {
                $0.tasksCreated = 1; $0.volumeMsat = 200_000; $0.claimedTasks = 2; $0.meanScore = 2.0 / 3.0
                $0.cumulativeReleasedBudgetMsat = 150_000; $0.cumulativePlatformFeeMsat = 45_000
            },
            row(2) {
                $0.tasksCompleted = 1; $0.releasedBudgetMsat = 200_000; $0.workerPayoutMsat = 140_000; $0.platformFeeMsat = 60_000
                $0.payoutFailures = 1; $0.claimedTasks = 1; $0.meanScore = 1; $0.workersAboveThreshold = 1
                $0.cumulativeReleasedBudgetMsat = 350_000; $0.cumulativePlatformFeeMsat = 105_000
            },
            row(3) {
                $0.tasksCreated = 2; $0.tasksCompleted = 1; $0.tasksExpired = 1; $0.claimsAbandoned = 1; $0.volumeMsat = 200_000
                $0.releasedBudgetMsat = 80_000; $0.workerPayoutMsat = 61_600; $0.platformFeeMsat = 18_400; $0.bonusPayouts = 1
                $0.claimedTasks = 1; $0.meanScore = 4.0 / 3.0; $0.workersAboveThreshold = 1
                $0.cumulativeReleasedBudgetMsat = 430_000; $0.cumulativePlatformFeeMsat = 123_400
            },
        ]
    }

    static var summary: RunSummary {
        var s = RunSummary(scenario: "golden", seed: 42)
        s.durationMs = 7_200_000; s.eventsDispatched = 321; s.requests = 45
        s.tasksCreated = 6; s.tasksCompleted = 4; s.tasksExpired = 1; s.tasksInFlight = 1
        s.volumeMsat = 650_000; s.platformFeeMsat = 123_365; s.routingFeeMsat = 35; s.workerEarningsMsat = 166_600
        s.owedPayoutsMsat = 140_000; s.refundsMsat = 100_000; s.escrowMsat = 120_000
        s.effectiveTakeRate = 123_400.0 / 430_000.0
        s.payoutsSettled = 3; s.payoutsFailed = 1; s.payoutRetries = 5; s.claimsAbandoned = 1; s.submissionsRejected = 0
        s.answerAccuracy = 0.75; s.meanTimeToResolutionMs = 810_000; s.medianTimeToResolutionMs = 600_000
        s.workersAboveThresholdAtEnd = 1; s.workers = 3
        s.ledgerBalanced = true; s.ledgerPaidBudgetsMsat = 650_000; s.ledgerAccountedMsat = 650_000
        return s
    }

    /// Streams the fixture through a writer (interleaved as a run would) and finishes it.
    @discardableResult
    static func write(to directory: String, summary: RunSummary = summary, html: Bool = true) throws -> [String] {
        let writer = try ReportWriter(directory: directory, scenario: "golden", bonusThreshold: threshold, htmlEnabled: html)
        for e in events { writer.record(e) }
        for t in tasks { writer.record(t) }
        for p in payouts { writer.record(p) }
        for r in timeline { writer.record(r) }
        return try writer.finish(workers: workers, summary: summary)
    }
}

/// A fresh directory under the system's temporary directory, removed by the caller.
func temporaryDirectory(_ label: String) -> String {
    let base = FileManager.default.temporaryDirectory.path
    return base + "/report-tests-\(label)-\(UUID().uuidString)"
}

func readBytes(_ path: String) -> [UInt8]? {
    FileManager.default.contents(atPath: path).map { [UInt8]($0) }
}

func readText(_ path: String) -> String {
    readBytes(path).map { String(decoding: $0, as: UTF8.self) } ?? ""
}

/// The first line where two texts differ, for a readable golden-file failure.
func firstDifference(_ actual: [UInt8], _ expected: [UInt8]) -> String {
    let a = String(decoding: actual, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
    let e = String(decoding: expected, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
    for index in 0..<max(a.count, e.count) {
        let x = index < a.count ? String(a[index]) : "<end of file>"
        let y = index < e.count ? String(e[index]) : "<end of file>"
        if x != y { return "line \(index + 1)\n  actual:   \(x.prefix(300))\n  expected: \(y.prefix(300))" }
    }
    return "same lines, different bytes"
}

/// A strict RFC 4180 parser (LF or CRLF row ends), to read the CSVs back.
func parseCSV(_ text: String) -> [[String]] {
    var rows: [[String]] = []
    var row: [String] = []
    var field = ""
    var inQuotes = false
    var scalars = Array(text.unicodeScalars)[...]
    while let ch = scalars.popFirst() {
        if inQuotes {
            if ch == "\"" {
                if scalars.first == "\"" { field.unicodeScalars.append("\""); scalars.removeFirst() } else { inQuotes = false }
            } else {
                field.unicodeScalars.append(ch)
            }
        } else if ch == "\"" && field.isEmpty {
            inQuotes = true
        } else if ch == "," {
            row.append(field); field = ""
        } else if ch == "\n" || ch == "\r" {
            if ch == "\r" && scalars.first == "\n" { scalars.removeFirst() }
            row.append(field); field = ""
            rows.append(row); row = []
        } else {
            field.unicodeScalars.append(ch)
        }
    }
    if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
    return rows
}

// MARK: - Golden files

@Suite("Report writer")
struct ReportWriterTests {
    static let goldenDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden").path

    @Test func everyOutputFileMatchesItsGoldenFileByteForByte() throws {
        let dir = temporaryDirectory("golden")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let paths = try ReportFixture.write(to: dir)
        #expect(paths.map { ($0 as NSString).lastPathComponent } == ReportFixture.fileNames)

        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(atPath: Self.goldenDirectory, withIntermediateDirectories: true)
            for name in ReportFixture.fileNames {
                let bytes = try #require(readBytes(dir + "/" + name))
                _ = FileManager.default.createFile(atPath: Self.goldenDirectory + "/" + name, contents: Data(bytes))
            }
        }
        let goldenRoot = try #require(Bundle.module.resourcePath) + "/Golden"
        for name in ReportFixture.fileNames {
            let actual = try #require(readBytes(dir + "/" + name), "missing output \(name)")
            // Prefer the source tree (fresh after UPDATE_GOLDEN), else the bundled copy.
            let golden = readBytes(Self.goldenDirectory + "/" + name) ?? readBytes(goldenRoot + "/" + name)
            let expected = try #require(golden, "missing golden file \(name); run with UPDATE_GOLDEN=1")
            if actual != expected {
                Issue.record("\(name) differs from its golden file (UPDATE_GOLDEN=1 regenerates): \(firstDifference(actual, expected))")
            }
        }
    }

    @Test func sameRecordsGiveByteIdenticalFiles() throws {
        let a = temporaryDirectory("det-a"), b = temporaryDirectory("det-b")
        defer { try? FileManager.default.removeItem(atPath: a); try? FileManager.default.removeItem(atPath: b) }
        try ReportFixture.write(to: a)
        try ReportFixture.write(to: b)
        for name in ReportFixture.fileNames {
            let x = try #require(readBytes(a + "/" + name)), y = try #require(readBytes(b + "/" + name))
            #expect(x == y, "\(name) differs between two runs")
        }
    }

    @Test func creatingTheWriterMakesParentDirectoriesAndWritesHeaders() throws {
        let root = temporaryDirectory("nested")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let dir = root + "/reports/demo"
        let writer = try ReportWriter(directory: dir, scenario: "demo", bonusThreshold: 10, htmlEnabled: false)
        let paths = try writer.finish(workers: [], summary: RunSummary(scenario: "demo", seed: 1))
        #expect(!paths.contains { $0.hasSuffix("report.html") })
        #expect(!FileManager.default.fileExists(atPath: dir + "/report.html"))
        #expect(readText(dir + "/tasks.csv") == ReportWriter.taskColumns.joined(separator: ",") + "\n")
        #expect(readText(dir + "/payouts.csv") == ReportWriter.payoutColumns.joined(separator: ",") + "\n")
        #expect(readText(dir + "/timeline.csv") == ReportWriter.timelineColumns.joined(separator: ",") + "\n")
        #expect(readText(dir + "/workers.csv") == ReportWriter.workerColumns.joined(separator: ",") + "\n")
        #expect(readText(dir + "/events.ndjson").isEmpty)
        // An empty run still gives a readable report.
        #expect(readText(dir + "/summary.md").contains("BALANCED"))
    }

    @Test func finishingTwiceIsAnError() throws {
        let dir = temporaryDirectory("twice")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let writer = try ReportWriter(directory: dir, scenario: "x", bonusThreshold: 10, htmlEnabled: false)
        _ = try writer.finish(workers: [], summary: RunSummary(scenario: "x", seed: 1))
        #expect(throws: ReportError.alreadyFinished) { try writer.finish(workers: [], summary: RunSummary(scenario: "x", seed: 1)) }
    }

    @Test func anUnwritableDirectoryIsReportedNotTrapped() {
        #expect(throws: ReportError.self) {
            _ = try ReportWriter(directory: "/proc/self/no-such-dir/reports", scenario: "x", bonusThreshold: 10, htmlEnabled: false)
        }
    }

    // MARK: Ledger

    @Test func ledgerLineShowsTheNumbersAndBalanced() throws {
        let dir = temporaryDirectory("ledger-ok")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try ReportFixture.write(to: dir)
        let md = readText(dir + "/summary.md")
        #expect(md.contains("`paid budgets = settled + owed + platform net + routing + refunds + escrow`"))
        #expect(md.contains("`650,000 = 166,600 + 140,000 + 123,365 + 35 + 100,000 + 120,000 msat` → **BALANCED**"))
        #expect(!md.contains("BROKEN"))
    }

    @Test func ledgerBrokenIsShownWhenTheSummarySaysSo() throws {
        let dir = temporaryDirectory("ledger-broken")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var summary = ReportFixture.summary
        summary.ledgerBalanced = false
        summary.ledgerAccountedMsat = 649_000
        try ReportFixture.write(to: dir, summary: summary)
        let md = readText(dir + "/summary.md")
        #expect(md.contains("**BROKEN**"))
        #expect(md.contains("| Ledger | BROKEN |"))
        #expect(md.contains("off by 1,000 msat"))
        #expect(!md.contains("BALANCED"))
        let html = readText(dir + "/report.html")
        #expect(html.contains("<strong class=\"bad\">BROKEN</strong>"))
        let json = try JSONValue.parse(readText(dir + "/summary.json"))
        #expect(json["ledger_balanced"] == .bool(false))
        #expect(json["ledger"] == .string("BROKEN"))
    }

    // MARK: summary.json

    @Test func summaryJSONHasEveryRunSummaryFieldInSnakeCase() throws {
        let dir = temporaryDirectory("json")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try ReportFixture.write(to: dir)
        let text = readText(dir + "/summary.json")
        let json = try JSONValue.parse(text)
        let keys = ["scenario", "seed", "duration_ms", "events_dispatched", "requests", "tasks_created", "tasks_completed",
                    "tasks_expired", "tasks_in_flight", "volume_msat", "platform_fee_msat", "routing_fee_msat",
                    "worker_earnings_msat", "owed_payouts_msat", "refunds_msat", "escrow_msat", "effective_take_rate",
                    "payouts_settled", "payouts_failed", "payout_retries", "claims_abandoned", "submissions_rejected",
                    "answer_accuracy", "mean_time_to_resolution_ms", "median_time_to_resolution_ms",
                    "workers_above_threshold_at_end", "workers", "ledger_balanced", "ledger_paid_budgets_msat",
                    "ledger_accounted_msat"]
        for key in keys { #expect(json[key] != nil, "summary.json lacks \(key)") }
        #expect(json["volume_msat"] == .int(650_000))
        #expect(json["volume_sats"] == .double(650))
        #expect(json["seed"] == .int(42))
        #expect(json["worker_personas"]?["careful_human"]?["earned_msat"] == .int(131_600))
        #expect(json["worker_personas"]?["careful_human"]?["workers"] == .int(2))
        #expect(json["requester_personas"]?["research_agent"]?["completed"] == .int(3))
        #expect(json["task_outcomes"]?["completed"] == .int(4))
        #expect(json["payout_outcomes"]?["failed"] == .int(1))
        // Pretty and sorted: what the JSON module prints for the same value.
        #expect(text == json.serializedString(pretty: true) + "\n")
    }

    // MARK: HTML

    @Test func htmlIsOneSelfContainedFileWithFourCharts() throws {
        let dir = temporaryDirectory("html")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try ReportFixture.write(to: dir)
        let html = readText(dir + "/report.html")
        #expect(!html.lowercased().contains("<script"))
        #expect(!html.contains("<link"))
        #expect(!html.contains("src="))
        let withoutNamespace = html.replacingOccurrences(of: "xmlns=\"http://www.w3.org/2000/svg\"", with: "")
        #expect(!withoutNamespace.contains("http://") && !withoutNamespace.contains("https://"))
        #expect(html.components(separatedBy: "<figure>").count - 1 == 4)
        for title in ["Mean reputation score over time", "Share of workers above the bonus threshold over time",
                      "Effective platform take rate over time", "Histogram of workers&#39; settled earnings",
                      "Lorenz curve of workers&#39; earnings", "Task outcomes at the end of the run",
                      "Tasks created, completed and expired per bucket"] {
            #expect(html.contains("<title>\(title)</title>"), "missing chart \(title)")
        }
        #expect(html.contains("viewBox=\"0 0 720.0"))
        #expect(html.contains("width=\"100%\""))
        #expect(html.contains("30%: no bonus") && html.contains("23%: every payout with bonus"))
    }

    @Test func chartsWithoutDataShowAMessageInsteadOfFailing() throws {
        let dir = temporaryDirectory("empty-html")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let writer = try ReportWriter(directory: dir, scenario: "empty", bonusThreshold: 10, htmlEnabled: true)
        _ = try writer.finish(workers: [], summary: RunSummary(scenario: "empty", seed: 0))
        let html = readText(dir + "/report.html")
        #expect(html.contains("No timeline rows were recorded."))
        #expect(html.contains("No workers."))
        #expect(!html.contains("nan") && !html.contains("inf\""))
    }

    // MARK: Memory

    @Test func memoryStaysFlatOverTwoHundredThousandRecords() throws {
        let dir = temporaryDirectory("flat")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let limit = 64 * 1024
        let writer = try ReportWriter(directory: dir, scenario: "flat", bonusThreshold: 10, htmlEnabled: true,
                                      startEpochMs: ReportWriter.defaultStartEpochMs, bufferLimit: limit)
        let start = writer.footprint
        let personas = ["research_agent", "fact_checker", "ops_agent", "judgment_seeker"]
        var keysAfterWarmUp = 0
        var maxBuffered = 0
        var capacityChangedAt: Int?
        var rng = SplitMix(seed: 7)
        for i in 0..<200_000 {
            let persona = personas[i % personas.count]
            switch i % 4 {
            case 0, 1:
                var t = ReportFixture.tasks[i % ReportFixture.tasks.count]
                t.taskID = "task_\(i)"
                t.requesterPersona = persona
                t.createdAtMs = Int64(i) * 10
                if t.completedAtMs != nil { t.completedAtMs = t.createdAtMs + Int64(rng.next() % 600_000) }
                writer.record(t)
            case 2:
                var p = ReportFixture.payouts[i % ReportFixture.payouts.count]
                p.payoutID = "po_\(i)"
                p.workerPersona = persona
                writer.record(p)
            default:
                var e = ReportFixture.events[i % ReportFixture.events.count]
                e.atMs = Int64(i) * 10
                writer.record(e)
            }
            if i == 1_000 { keysAfterWarmUp = writer.footprint.aggregateKeys }
            let f = writer.footprint
            maxBuffered = max(maxBuffered, f.largestBuffered)
            if f.bufferCapacities != start.bufferCapacities { capacityChangedAt = i; break }
        }
        #expect(capacityChangedAt == nil, "a buffer was reallocated at record \(capacityChangedAt ?? -1)")
        #expect(maxBuffered <= limit)
        let end = writer.footprint
        #expect(end.bufferCapacities.allSatisfy { $0 >= limit && $0 < 2 * limit })
        #expect(end.aggregateKeys == keysAfterWarmUp)
        #expect(end.timelineRows == 0)
        _ = try writer.finish(workers: ReportFixture.workers, summary: ReportFixture.summary)
        // Everything reached the disk.
        let taskLines = readText(dir + "/tasks.csv").split(separator: "\n", omittingEmptySubsequences: false).count
        #expect(taskLines == 1 + 100_000 + 1)  // header, rows, the empty piece after the last \n
    }

    @Test func bufferedWriterKeepsItsBufferSizeForOversizedWrites() throws {
        let dir = temporaryDirectory("buffer")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let file = try BufferedFileWriter(path: dir + "/big.txt", bufferLimit: 16)
        let capacity = file.bufferCapacity
        file.write("0123456789")
        file.write(String(repeating: "x", count: 100))
        file.write(int: -9_223_372_036_854_775_808)
        file.write(int: 0)
        #expect(file.bufferCapacity == capacity)
        #expect(file.bufferedCount <= 16)
        try file.close()
        #expect(readText(dir + "/big.txt") == "0123456789" + String(repeating: "x", count: 100) + "-9223372036854775808" + "0")
    }
}

/// SplitMix64, for reproducible pseudo-random samples in tests.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}

// MARK: - CSV

@Suite("CSV")
struct CSVTests {
    @Test(arguments: [
        ("plain", "plain"),
        ("", ""),
        ("a,b", "\"a,b\""),
        ("say \"hi\"", "\"say \"\"hi\"\"\""),
        ("line\nbreak", "\"line\nbreak\""),
        ("cr\rlf", "\"cr\rlf\""),
        ("\"", "\"\"\"\""),
        (" spaced ", " spaced "),
        ("é, ü", "\"é, ü\""),
    ])
    func fieldsWithCommasQuotesOrLineBreaksAreQuotedWithQuotesDoubled(input: String, expected: String) {
        #expect(CSVWriter.escape(input) == expected)
    }

    @Test func tasksCSVParsesBackToTheRecordedValues() throws {
        let dir = temporaryDirectory("parse")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let writer = try ReportWriter(directory: dir, scenario: "csv", bonusThreshold: 10, htmlEnabled: false)
        let nasty = ["comma, inside", "quote \" inside", "both \",\"", "new\nline", "crlf\r\nend", "plain", "", "ünï😀"]
        for (i, text) in nasty.enumerated() {
            writer.record(TaskRecord(taskID: "t\(i)", taskType: text, requester: text, requesterPersona: "p", budgetMsat: Int64(i) * 1001,
                                     workerType: "any", trustMode: text, status: "open", createdAtMs: Int64(i),
                                     confidence: i % 2 == 0 ? 1.0 / 3.0 : nil, correct: i % 3 == 0 ? true : nil))
        }
        _ = try writer.finish(workers: [], summary: RunSummary(scenario: "csv", seed: 0))
        let rows = parseCSV(readText(dir + "/tasks.csv"))
        #expect(rows.count == nasty.count + 1)
        #expect(rows[0] == ReportWriter.taskColumns)
        let column = Dictionary(uniqueKeysWithValues: ReportWriter.taskColumns.enumerated().map { ($1, $0) })
        for (i, text) in nasty.enumerated() {
            let row = rows[i + 1]
            #expect(row.count == ReportWriter.taskColumns.count)
            guard row.count == ReportWriter.taskColumns.count else { continue }
            #expect(row[column["task_id"] ?? 0] == "t\(i)")
            #expect(row[column["task_type"] ?? 0] == text)
            #expect(row[column["requester"] ?? 0] == text)
            #expect(row[column["trust_mode"] ?? 0] == text)
            #expect(row[column["budget_msat"] ?? 0] == String(i * 1001))
            #expect(row[column["budget_sats"] ?? 0] == ReportFormat.fixed(Double(i * 1001) / 1000, places: 3))
            #expect(row[column["confidence"] ?? 0] == (i % 2 == 0 ? "0.333333" : ""))
            #expect(row[column["correct"] ?? 0] == (i % 3 == 0 ? "true" : ""))
            #expect(row[column["worker"] ?? 0] == "")
            #expect(row[column["created_at"] ?? 0] == "2026-01-01T00:00:00.00\(i)Z")
        }
    }

    @Test func everyGoldenCSVHasRectangularRowsAndSnakeCaseHeaders() throws {
        let dir = temporaryDirectory("rect")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try ReportFixture.write(to: dir)
        for name in ["tasks.csv", "payouts.csv", "timeline.csv", "workers.csv"] {
            let rows = parseCSV(readText(dir + "/" + name))
            let header = try #require(rows.first)
            for column in header {
                #expect(column.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "_" }, "\(name): \(column)")
            }
            #expect(Set(header).count == header.count)
            for row in rows { #expect(row.count == header.count, "\(name) has a ragged row") }
        }
    }
}

// MARK: - Formatting

@Suite("Report formatting")
struct ReportFormatTests {
    @Test(arguments: [
        (0.0, 6, "0.000000"), (-0.0, 6, "0.000000"), (1.0 / 3.0, 6, "0.333333"), (2.0 / 3.0, 6, "0.666667"),
        (-1.5, 0, "-2"), (2.5, 0, "3"), (0.0000004, 6, "0.000000"), (-0.0000004, 6, "0.000000"),
        (123456.789, 2, "123456.79"), (1e20, 2, "1e+20"), (0.286976744, 4, "0.2870"),
    ])
    func fixedDecimalsAreLocaleFreeAndRoundHalfAwayFromZero(value: Double, places: Int, expected: String) {
        #expect(ReportFormat.fixed(value, places: places) == expected)
    }

    @Test func nonFiniteDoublesAreEmpty() {
        #expect(ReportFormat.fixed(.nan, places: 3) == "")
        #expect(ReportFormat.fixed(.infinity, places: 3) == "")
    }

    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00.000Z"), (Int64(1_767_225_600_000), "2026-01-01T00:00:00.000Z"),
        (Int64(951_782_400_123), "2000-02-29T00:00:00.123Z"), (Int64(-1), "1969-12-31T23:59:59.999Z"),
        (Int64(1_767_225_600_000 + 5 * 60_000), "2026-01-01T00:05:00.000Z"),
    ])
    func isoTimesAreUTCWithMilliseconds(epochMs: Int64, expected: String) {
        #expect(ReportFormat.iso8601(epochMs: epochMs) == expected)
    }

    @Test func moneyIsPrintedExactlyFromMillisats() {
        #expect(ReportFormat.sats(770) == "0.77")
        #expect(ReportFormat.sats(70_000) == "70")
        #expect(ReportFormat.satsLabel(1_234_567_891) == "1,234,567.891 sats")
        #expect(ReportFormat.satsLabel(-5) == "-0.005 sats")
        #expect(ReportWriter.satsColumn(770) == "0.770")
        #expect(ReportWriter.satsColumn(-1) == "-0.001")
        #expect(ReportFormat.grouped(-1_000) == "-1,000")
        #expect(ReportFormat.grouped(Int64.min) == "-9,223,372,036,854,775,808")
    }

    @Test func durationsReadNaturally() {
        #expect(ReportFormat.duration(ms: Int64(850)) == "850 ms")
        #expect(ReportFormat.duration(ms: Int64(42_000)) == "42.0 s")
        #expect(ReportFormat.duration(ms: Int64(725_000)) == "12m 05s")
        #expect(ReportFormat.duration(ms: Int64(7_200_000)) == "2h 00m")
        #expect(ReportFormat.duration(ms: Int64(3 * 86_400_000)) == "3d 00h")
        #expect(ReportFormat.duration(ms: nil as Double?) == "n/a")
    }

    @Test func markdownEscapesOnlyWhatWouldBecomeSyntax() {
        #expect(ReportRenderer.mdEscapeLine("research_agent") == "research_agent")
        #expect(ReportRenderer.mdEscapeLine("_x_ | *y*") == "\\_x\\_ \\| \\*y\\*")
        #expect(ReportRenderer.mdEscapeLine("two\nlines") == "two lines")
    }
}

// MARK: - Statistics

@Suite("Report statistics")
struct ReportStatsTests {
    @Test func giniOfAnEqualSampleIsZero() {
        #expect(ReportStats.gini([5.0, 5, 5, 5]) == 0)
        #expect(ReportStats.gini([0.0, 0, 0]) == 0)
    }

    @Test(arguments: [2, 3, 10, 100])
    func giniWhenOneHoldsEverythingIsNMinusOneOverN(n: Int) throws {
        var sample = [Double](repeating: 0, count: n)
        sample[n / 2] = 1000
        let gini = try #require(ReportStats.gini(sample))
        #expect(abs(gini - Double(n - 1) / Double(n)) < 1e-12)
    }

    @Test func giniOfAKnownSample() throws {
        // 1, 2, 3, 4: sum i*x = 1+4+9+16 = 30; G = 2*30/(4*10) - 5/4 = 0.25.
        let gini = try #require(ReportStats.gini([3.0, 1, 4, 2]))
        #expect(abs(gini - 0.25) < 1e-12)
        #expect(ReportStats.gini([Double]()) == nil)
    }

    @Test func medianOfOddAndEvenSamples() {
        #expect(ReportStats.median([5.0, 1, 3]) == 3)
        #expect(ReportStats.median([4.0, 1, 3, 2]) == 2.5)
        #expect(ReportStats.median([7.0]) == 7)
        #expect(ReportStats.median([Double]()) == nil)
        #expect(ReportStats.median([Int64(10), 20]) == 15)
    }

    @Test func meanOfASample() {
        #expect(ReportStats.mean([1.0, 2, 3, 4]) == 2.5)
        #expect(ReportStats.mean([Double]()) == nil)
    }

    @Test func topTenPercentShareIsTheLargestTenthsShareOfTheTotal() {
        // Ten workers: one earned 91, nine earned 1 each.
        let sample: [Double] = [1, 1, 1, 91, 1, 1, 1, 1, 1, 1]
        #expect(ReportStats.topShare(sample, percent: 10) == 0.91)
        // Twenty workers: the top 10% is the two largest.
        let twenty = (1...20).map(Double.init)
        #expect(ReportStats.topShare(twenty, percent: 10) == 39.0 / 210.0)
        // Fewer than ten workers: still at least one.
        #expect(ReportStats.topShare([1.0, 3], percent: 10) == 0.75)
        #expect(ReportStats.topShare([0.0, 0], percent: 10) == 0)
    }

    @Test func lorenzCurveRunsFromOriginToOneOne() throws {
        let points = ReportStats.lorenzCurve([1.0, 1, 2], maxPoints: 200)
        #expect(points.count == 4)
        let first = try #require(points.first), last = try #require(points.last)
        #expect(first.0 == 0 && first.1 == 0)
        #expect(last.0 == 1 && last.1 == 1)
        #expect(abs(points[1].1 - 0.25) < 1e-12)
        #expect(ReportStats.lorenzCurve((0..<1000).map(Double.init), maxPoints: 50).count == 51)
    }

    @Test func streamingMedianIsExactBelowFiveObservations() {
        var q = StreamingQuantile(p: 0.5)
        #expect(q.estimate == nil)
        for x in [9.0, 1, 5, 3] { q.add(x) }
        #expect(q.estimate == 4)
        q.add(7)
        #expect(q.estimate == 5)
    }

    @Test(arguments: [0.5, 0.9])
    func streamingQuantileTracksTheExactQuantileOfALargeSample(p: Double) throws {
        var rng = SplitMix(seed: 99)
        var q = StreamingQuantile(p: p)
        var sample: [Double] = []
        for _ in 0..<20_000 {
            // A skewed, latency-like distribution.
            let x = -log(max(1e-12, rng.unit())) * 60_000
            sample.append(x)
            q.add(x)
        }
        sample.sort()
        let exact = sample[Int(p * Double(sample.count - 1))]
        let estimate = try #require(q.estimate)
        #expect(abs(estimate - exact) / exact < 0.03, "estimate \(estimate) vs exact \(exact)")
        #expect(q.count == 20_000)
    }
}

// MARK: - A larger synthetic run, for looking at the charts by hand

/// Writes a plausible 4-hour run with 40 workers to `$REPORT_DEMO_DIR` (skipped unless that variable is set):
/// `REPORT_DEMO_DIR=/tmp/report-demo swift test --filter syntheticRunForVisualInspection`.
@Test(.enabled(if: ProcessInfo.processInfo.environment["REPORT_DEMO_DIR"] != nil))
func syntheticRunForVisualInspection() throws {
    let dir = try #require(ProcessInfo.processInfo.environment["REPORT_DEMO_DIR"])
    var rng = SplitMix(seed: 2026)
    let threshold: Int64 = 10
    let bucket: Int64 = 600_000
    let duration: Int64 = 4 * 3_600_000
    struct Persona { var name: String; var accuracy: Double; var weight: Double; var meanLatency: Double }
    let personas = [Persona(name: "careful_human", accuracy: 0.95, weight: 1, meanLatency: 900_000),
                    Persona(name: "fast_ai", accuracy: 0.82, weight: 3, meanLatency: 120_000),
                    Persona(name: "hybrid_pro", accuracy: 0.9, weight: 2, meanLatency: 400_000)]
    var workers: [WorkerRecord] = (0..<40).map { i in
        let p = personas[i % personas.count]
        return WorkerRecord(workerID: "w_\(i)", name: "\(p.name)-\(i / personas.count + 1)", persona: p.name, type: "ai",
                            reputationScore: 0, tier: "new", bonusEligible: false, completedJobs: 0, abandonedClaims: 0,
                            rejectedSubmissions: 0, earnedMsat: 0, owedMsat: 0, bonusPayouts: 0, answered: 0, correct: 0,
                            reachedBonusAtMs: nil)
    }
    // Some workers are much busier than others, so earnings are unequal.
    let activity = workers.indices.map { i in personas[i % personas.count].weight * (0.2 + 2 * pow(rng.unit(), 2)) }
    let totalActivity = activity.reduce(0, +)
    struct Draft { var task: TaskRecord; var workerIndex: Int? }
    var drafts: [Draft] = []
    var t: Int64 = 0
    var n = 0
    while t < duration {
        t += Int64(-log(max(1e-9, rng.unit())) * 15_000)
        guard t < duration else { break }
        n += 1
        let budget = Int64([20, 50, 100, 100, 200, 500][Int(rng.next() % 6)]) * 1000
        var task = TaskRecord(taskID: "task_\(n)", taskType: rng.unit() < 0.5 ? "verify" : "answer", requester: "req-\(n % 5 + 1)",
                              requesterPersona: ["research_agent", "fact_checker", "ops_agent"][n % 3], budgetMsat: budget,
                              workerType: "any", trustMode: "auto", status: "open", createdAtMs: t, claims: 0)
        var pick = rng.unit() * totalActivity
        var chosen = 0
        for (i, a) in activity.enumerated() { pick -= a; if pick <= 0 { chosen = i; break } }
        let persona = personas[chosen % personas.count]
        let latency = Int64(-log(max(1e-9, rng.unit())) * persona.meanLatency) + 30_000
        if rng.unit() < 0.05 || t + latency > duration {
            if t + 3_600_000 < duration { task.status = "expired"; task.expiredAtMs = t + 3_600_000 } else { task.status = t + latency > duration ? "claimed" : "open" }
            drafts.append(Draft(task: task, workerIndex: nil))
        } else {
            task.firstClaimedAtMs = t + latency / 3
            task.completedAtMs = t + latency
            task.claims = 1
            drafts.append(Draft(task: task, workerIndex: chosen))
        }
    }
    let writer = try ReportWriter(directory: dir, scenario: "synthetic-demo", bonusThreshold: threshold, htmlEnabled: true)
    var rows: [TimelineRow] = (0..<Int(duration / bucket)).map { i in TimelineRow(bucketStartMs: Int64(i) * bucket, bucketEndMs: Int64(i + 1) * bucket) }
    var summary = RunSummary(scenario: "synthetic-demo", seed: 2026)
    let order = drafts.indices.sorted { (drafts[$0].task.completedAtMs ?? drafts[$0].task.expiredAtMs ?? duration) < (drafts[$1].task.completedAtMs ?? drafts[$1].task.expiredAtMs ?? duration) }
    var payoutNumber = 0
    var latencies: [Double] = []
    for index in order {
        var task = drafts[index].task
        rows[Int(task.createdAtMs / bucket)].tasksCreated += 1
        rows[Int(task.createdAtMs / bucket)].volumeMsat += task.budgetMsat
        summary.tasksCreated += 1
        summary.volumeMsat += task.budgetMsat
        if let w = drafts[index].workerIndex, let done = task.completedAtMs {
            let eligible = workers[w].reputationScore > threshold
            let payout = task.budgetMsat * 700_000 * (eligible ? 1_100_000 : 1_000_000) / 1_000_000_000_000
            let fee = task.budgetMsat - payout
            let correct = rng.unit() < personas[w % personas.count].accuracy
            task.status = "completed"; task.worker = workers[w].name; task.workerPersona = workers[w].persona
            task.workerPayoutMsat = payout; task.platformFeeMsat = fee; task.bonusApplied = eligible
            task.confidence = 0.5 + rng.unit() / 2; task.correct = correct
            let failed = rng.unit() < 0.03
            payoutNumber += 1
            writer.record(PayoutRecord(payoutID: "po_\(payoutNumber)", taskID: task.taskID, worker: workers[w].name,
                                       workerPersona: workers[w].persona, budgetMsat: task.budgetMsat, amountMsat: payout,
                                       platformFeeMsat: fee, routingFeeMsat: failed ? 0 : 3, bonusApplied: eligible,
                                       scoreBefore: workers[w].reputationScore, status: failed ? "failed" : "settled",
                                       attempts: failed ? 5 : 1, createdAtMs: done, settledAtMs: failed ? nil : done + 500))
            workers[w].completedJobs += 1
            workers[w].reputationScore += 1
            workers[w].answered += 1
            if correct { workers[w].correct += 1 }
            if eligible { workers[w].bonusPayouts += 1 }
            if failed { workers[w].owedMsat += payout; summary.payoutsFailed += 1; summary.owedPayoutsMsat += payout }
            else { workers[w].earnedMsat += payout; summary.payoutsSettled += 1; summary.workerEarningsMsat += payout; summary.routingFeeMsat += 3 }
            if workers[w].reputationScore > threshold && workers[w].reachedBonusAtMs == nil { workers[w].reachedBonusAtMs = done }
            let b = Int(done / bucket)
            rows[b].tasksCompleted += 1; rows[b].releasedBudgetMsat += task.budgetMsat; rows[b].workerPayoutMsat += payout
            rows[b].platformFeeMsat += fee; if eligible { rows[b].bonusPayouts += 1 }; if failed { rows[b].payoutFailures += 1 }
            summary.tasksCompleted += 1
            summary.platformFeeMsat += fee - (failed ? 0 : 3)
            latencies.append(Double(done - task.createdAtMs))
            summary.answerAccuracy = nil
        } else if task.status == "expired", let expired = task.expiredAtMs {
            rows[Int(expired / bucket)].tasksExpired += 1
            summary.tasksExpired += 1
            summary.refundsMsat += task.budgetMsat
        } else {
            summary.tasksInFlight += 1
            summary.escrowMsat += task.budgetMsat
        }
        writer.record(task)
    }
    // Stocks per bucket from the final worker history is approximate: replay completions for the scores.
    var cumulativeReleased: Int64 = 0, cumulativeFee: Int64 = 0
    for i in rows.indices {
        cumulativeReleased += rows[i].releasedBudgetMsat; cumulativeFee += rows[i].platformFeeMsat
        rows[i].cumulativeReleasedBudgetMsat = cumulativeReleased; rows[i].cumulativePlatformFeeMsat = cumulativeFee
        let end = rows[i].bucketEndMs
        var scores: [Int64] = []
        for (w, worker) in workers.enumerated() {
            let done = drafts.filter { $0.workerIndex == w && ($0.task.completedAtMs ?? .max) < end }.count
            scores.append(Int64(done))
            _ = worker
        }
        rows[i].workers = Int64(workers.count)
        rows[i].meanScore = Double(scores.reduce(0, +)) / Double(scores.count)
        rows[i].workersAboveThreshold = Int64(scores.filter { $0 > threshold }.count)
        writer.record(rows[i])
    }
    for i in workers.indices {
        workers[i].tier = workers[i].reputationScore > 10 ? "expert" : (workers[i].reputationScore >= 3 ? "trusted" : "new")
        workers[i].bonusEligible = workers[i].reputationScore > threshold
    }
    summary.durationMs = duration; summary.workers = Int64(workers.count)
    summary.workersAboveThresholdAtEnd = Int64(workers.filter { $0.reputationScore > threshold }.count)
    summary.effectiveTakeRate = Double(cumulativeFee) / Double(max(1, cumulativeReleased))
    let answered = workers.reduce(0) { $0 + $1.answered }, correct = workers.reduce(0) { $0 + $1.correct }
    summary.answerAccuracy = Double(correct) / Double(max(1, answered))
    summary.meanTimeToResolutionMs = ReportStats.mean(latencies); summary.medianTimeToResolutionMs = ReportStats.median(latencies)
    summary.payoutRetries = summary.payoutsFailed * 4
    summary.ledgerPaidBudgetsMsat = summary.volumeMsat
    summary.ledgerAccountedMsat = summary.workerEarningsMsat + summary.owedPayoutsMsat + summary.platformFeeMsat
        + summary.routingFeeMsat + summary.refundsMsat + summary.escrowMsat
    summary.ledgerBalanced = summary.ledgerPaidBudgetsMsat == summary.ledgerAccountedMsat
    summary.eventsDispatched = Int64(drafts.count * 7); summary.requests = Int64(drafts.count * 5)
    _ = try writer.finish(workers: workers, summary: summary)
}
