import Foundation
import JSON
import Testing
@testable import Simulator

/// A minimal scenario around the given requester and resolver entries.
private func smallScenario(name: String = "small", durationSeconds: Double, drainSeconds: Double = 0, requesters: String,
                           resolvers: String = #"{ "name": "gpt", "persona": "fast_ai", "poll_seconds": 10 }"#,
                           market: String = "{}", bucketSeconds: Double = 300, events: Bool = true) throws -> Scenario {
    try inlineScenario("""
    {
      "name": "\(name)", "seed": 5, "duration_seconds": \(durationSeconds), "drain_seconds": \(drainSeconds),
      "market": \(market),
      "requesters": [\(requesters)],
      "resolvers": [\(resolvers)],
      "web": { "fixtures": [ { "url": "https://live.example/", "status": 200, "latency_ms": 100 } ] },
      "questions": [
        { "id": "q1", "question": "Is water wet?", "answer": "yes", "choices": ["yes", "no"], "difficulty": 0.1 },
        { "id": "u1", "question": "Roll back?", "answer": "yes", "choices": ["yes", "no"], "difficulty": 0.1, "task_type": "unblock" }
      ],
      "report": { "timeline_bucket_seconds": \(bucketSeconds), "transcript": "none", "html": false, "events": \(events) }
    }
    """)
}

/// The run's own accounting must agree with itself and with its files.
private func expectConsistent(_ run: EngineRun, _ label: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let s = run.summary
    #expect(s.ledgerBalanced, "\(label): ledger not balanced", sourceLocation: sourceLocation)
    let accounted = s.workerEarningsMsat + s.owedPayoutsMsat + s.platformFeeMsat + s.routingFeeMsat + s.refundsMsat + s.escrowMsat
    #expect(s.ledgerPaidBudgetsMsat == accounted, "\(label): paid \(s.ledgerPaidBudgetsMsat) != accounted \(accounted)",
            sourceLocation: sourceLocation)
    #expect(s.ledgerAccountedMsat == accounted, sourceLocation: sourceLocation)
    #expect(s.volumeMsat == s.ledgerPaidBudgetsMsat, "\(label): volume vs paid budgets", sourceLocation: sourceLocation)
    #expect(s.tasksCreated == s.tasksCompleted + s.tasksExpired + s.tasksInFlight,
            "\(label): \(s.tasksCreated) created != \(s.tasksCompleted) + \(s.tasksExpired) + \(s.tasksInFlight)",
            sourceLocation: sourceLocation)
    let tasks = run.rows("tasks.csv")
    #expect(Int64(tasks.count) == s.tasksCreated, "\(label): tasks.csv rows", sourceLocation: sourceLocation)
    #expect(Set(tasks.compactMap { $0["task_id"] }).count == tasks.count, "\(label): duplicate task rows", sourceLocation: sourceLocation)
    #expect(Int64(run.rows("payouts.csv").count) == s.tasksCompleted, "\(label): payouts.csv rows", sourceLocation: sourceLocation)
    #expect(Int64(tasks.filter { $0["status"] == "completed" }.count) == s.tasksCompleted, sourceLocation: sourceLocation)
    #expect(Int64(tasks.filter { $0["status"] == "expired" }.count) == s.tasksExpired, sourceLocation: sourceLocation)
    #expect(tasks.compactMap { $0["budget_msat"].flatMap { Int64($0) } }.reduce(0, +) == s.volumeMsat, sourceLocation: sourceLocation)
    // Settled payouts add up to the worker earnings.
    let settled = run.rows("payouts.csv").filter { $0["status"] == "settled" }
    #expect(settled.compactMap { $0["amount_msat"].flatMap { Int64($0) } }.reduce(0, +) == s.workerEarningsMsat,
            sourceLocation: sourceLocation)
    #expect(Int64(settled.count) == s.payoutsSettled, sourceLocation: sourceLocation)
    // Per-worker standings add up to the run's totals.
    func workerTotal(_ column: String) -> Int64 { run.ints("workers.csv", column).reduce(0, +) }
    #expect(workerTotal("earned_msat") == s.workerEarningsMsat, "\(label): workers' earnings", sourceLocation: sourceLocation)
    #expect(workerTotal("owed_msat") == s.owedPayoutsMsat, "\(label): workers' owed", sourceLocation: sourceLocation)
    #expect(workerTotal("completed_jobs") == s.tasksCompleted, "\(label): workers' jobs", sourceLocation: sourceLocation)
    #expect(workerTotal("abandoned_claims") == s.claimsAbandoned, "\(label): workers' abandoned", sourceLocation: sourceLocation)
    #expect(workerTotal("rejected_submissions") == s.submissionsRejected, "\(label): workers' rejected", sourceLocation: sourceLocation)
    // The timeline's stocks at the end are the tasks still in flight, by status.
    if let last = run.rows("timeline.csv").last {
        for (column, status) in [("open_tasks", "open"), ("claimed_tasks", "claimed"), ("submitted_tasks", "submitted")] {
            let n = Int64(tasks.filter { $0["status"] == status }.count)
            #expect(Int64(last[column] ?? "") == n, "\(label): timeline \(column) \(last[column] ?? "?") != \(n) \(status) tasks",
                    sourceLocation: sourceLocation)
        }
    }
}

// MARK: - The ledger over many seeds

@Suite("Engine: ledger invariant")
struct LedgerInvariantTests {
    @Test func ledgerBalancesAndCountsAgreeOverThirtySeeds() throws {
        // Seeds 1-20 on a funded platform, 21-30 on a broke one (every payout fails after its retries).
        let funded = try inlineScenario(mixedScenarioText(durationSeconds: 300, drainSeconds: 100, events: false, html: false))
        let broke = try inlineScenario(mixedScenarioText(durationSeconds: 300, drainSeconds: 100, events: false, html: false, broke: true))
        let runs = try parallelMap(Array(UInt64(1)...30)) { seed in
            (seed, try runEngine(seed <= 20 ? funded : broke, seed: seed, label: "ledger-\(seed)"))
        }
        var expired: Int64 = 0, abandoned: Int64 = 0, rejected: Int64 = 0, completed: Int64 = 0, inFlight: Int64 = 0
        var refunds: Int64 = 0, owed: Int64 = 0, failed: Int64 = 0, retries: Int64 = 0, settled: Int64 = 0
        for (seed, run) in runs {
            expectConsistent(run, "seed \(seed)")
            let s = run.summary
            expired += s.tasksExpired
            abandoned += s.claimsAbandoned
            rejected += s.submissionsRejected
            completed += s.tasksCompleted
            inFlight += s.tasksInFlight
            refunds += s.refundsMsat
            owed += s.owedPayoutsMsat
            failed += s.payoutsFailed
            retries += s.payoutRetries
            settled += s.payoutsSettled
            if seed > 20 {
                #expect(s.payoutsSettled == 0 && s.workerEarningsMsat == 0, "seed \(seed): a broke platform paid out")
                #expect(run.rows("payouts.csv").allSatisfy { $0["status"] == "failed" || $0["status"] == "pending" })
            }
        }
        // The flows the invariant has to survive did happen.
        #expect(completed > 150, "completed \(completed)")
        #expect(expired > 0, "no task expired in 30 runs")
        #expect(refunds > 0, "expired tasks must have been refunded")
        #expect(abandoned > 0, "no claim was abandoned in 30 runs")
        #expect(rejected > 0, "no submission was rejected in 30 runs")
        #expect(inFlight > 0, "no run ended with work in flight")
        #expect(settled > 0 && failed > 0 && retries > 0 && owed > 0, "settled \(settled) failed \(failed) retries \(retries) owed \(owed)")
        // Seeds make different runs.
        #expect(Set(runs.map { $0.1.summary.volumeMsat }).count > 10)
    }
}

// MARK: - Arrivals, stopping, draining, timeline

@Suite("Engine: arrivals and time")
struct EngineTimeTests {
    @Test func fixedArrivalsCreateTasksAtExactlyThoseTimes() throws {
        let scenario = try smallScenario(durationSeconds: 1200, requesters: """
            { "name": "facts", "persona": "fact_checker", "pay_real_l402": true,
              "arrival": { "process": "fixed", "at_seconds": [0, 1.5, 60, 90, 1000, 90] } }
            """)
        let run = try runEngine(scenario, label: "fixed")
        #expect(run.ints("tasks.csv", "created_at_ms").sorted() == [0, 1_500, 60_000, 90_000, 90_000, 1_000_000])
        #expect(run.summary.tasksCreated == 6)
        expectConsistent(run, "fixed")
    }

    @Test func poissonArrivalsFollowTheRate() throws {
        // 150 an hour for 2 hours: 300 expected, standard deviation 17. The resolver takes only verify tasks, so
        // the run is mostly arrivals.
        let scenario = try smallScenario(durationSeconds: 7_200, requesters: """
            { "name": "facts", "persona": "fact_checker", "pay_real_l402": false, "poll_seconds": 100000,
              "arrival": { "process": "poisson", "rate_per_hour": 150 } }
            """, resolvers: #"{ "name": "gpt", "persona": "fast_ai", "poll_seconds": 3600, "task_types": ["verify"] }"#,
            events: false)
        let run = try runEngine(scenario, label: "poisson")
        let created = run.summary.tasksCreated
        #expect((240...360).contains(created), "created \(created)")
        // Roughly uniform over the window: each hour gets about half.
        let times = run.ints("tasks.csv", "created_at_ms")
        for hour in 0..<2 {
            let n = times.filter { $0 >= Int64(hour) * 3_600_000 && $0 < Int64(hour + 1) * 3_600_000 }.count
            #expect((110...190).contains(n), "hour \(hour): \(n)")
        }
        // The gaps are exponential: their mean is 24 s and about 1 - 1/e of them are shorter than that.
        let sorted = times.sorted()
        let gaps = zip(sorted.dropFirst(), sorted).map { Double($0 - $1) }
        let mean = gaps.reduce(0, +) / Double(gaps.count)
        #expect(abs(mean - 24_000) < 4_000, "mean gap \(mean)")
        let short = Double(gaps.filter { $0 < 24_000 }.count) / Double(gaps.count)
        #expect(abs(short - 0.632) < 0.08, "share of gaps under the mean: \(short)")
        expectConsistent(run, "poisson")
    }

    @Test func burstsComeInGroupsOfTheirSizeWithinTheJitter() throws {
        let scenario = try smallScenario(durationSeconds: 1799, requesters: """
            { "name": "tight", "persona": "fact_checker", "pay_real_l402": false,
              "arrival": { "process": "burst", "every_seconds": 600, "size": 4 } },
            { "name": "loose", "persona": "research_agent", "pay_real_l402": false,
              "arrival": { "process": "burst", "every_seconds": 600, "size": 3, "jitter_seconds": 20 } }
            """)
        let run = try runEngine(scenario, label: "burst")
        let tasks = run.rows("tasks.csv")
        let tight = tasks.filter { $0["requester"] == "tight-1" }.compactMap { $0["created_at_ms"].flatMap { Int64($0) } }.sorted()
        #expect(tight == [0, 0, 0, 0, 600_000, 600_000, 600_000, 600_000, 1_200_000, 1_200_000, 1_200_000, 1_200_000])
        let loose = tasks.filter { $0["requester"] == "loose-1" }.compactMap { $0["created_at_ms"].flatMap { Int64($0) } }
        #expect(loose.count == 9)
        for k in Int64(0)..<3 {
            let group = loose.filter { $0 >= k * 600_000 && $0 <= k * 600_000 + 20_000 }
            #expect(group.count == 3, "burst \(k): \(loose.sorted())")
        }
        #expect(Set(loose).count > 3, "jitter should spread a burst")
    }

    @Test func untilStopsEarlyAndReportsTasksInFlight() throws {
        // Ops tasks want hybrid workers and there are none: they stay open.
        let scenario = try smallScenario(durationSeconds: 1800, requesters: """
            { "name": "facts", "persona": "fact_checker", "pay_real_l402": false, "arrival": { "process": "poisson", "rate_per_hour": 120 } },
            { "name": "ops", "persona": "ops_agent", "pay_real_l402": false, "arrival": { "process": "fixed", "at_seconds": [10, 20, 700, 900] } }
            """)
        let full = try runEngine(scenario, label: "until-full")
        let run = try runEngine(scenario, untilMs: 600_000, label: "until")
        #expect(run.summary.durationMs == 600_000 && full.summary.durationMs == 1_800_000)
        #expect(run.summary.tasksInFlight >= 2)
        #expect(run.summary.tasksCreated < full.summary.tasksCreated)
        #expect(run.ints("tasks.csv", "created_at_ms").allSatisfy { $0 <= 600_000 })
        let open = run.rows("tasks.csv").filter { ["open", "claimed", "submitted"].contains($0["status"] ?? "") }
        #expect(Int64(open.count) == run.summary.tasksInFlight)
        #expect(run.ints("timeline.csv", "bucket_end_ms").last == 600_000)
        expectConsistent(run, "until")
        // The early stop is a prefix of the full run: the same tasks were created up to then.
        let early = Set(run.rows("tasks.csv").compactMap { $0["task_id"] })
        let fullEarly = Set(full.rows("tasks.csv").filter { Int64($0["created_at_ms"] ?? "") ?? .max <= 600_000 }.compactMap { $0["task_id"] })
        #expect(early == fullEarly)
    }

    @Test func drainCreatesNothingAfterTheDurationButKeepsResolving() throws {
        let scenario = try smallScenario(durationSeconds: 600, drainSeconds: 1200, requesters: """
            { "name": "facts", "persona": "fact_checker", "pay_real_l402": false, "poll_seconds": 30,
              "arrival": { "process": "poisson", "rate_per_hour": 120 } },
            { "name": "late", "persona": "fact_checker", "pay_real_l402": false, "arrival": { "process": "fixed", "at_seconds": [599, 600, 601, 1000] } },
            { "name": "bursty", "persona": "fact_checker", "pay_real_l402": false,
              "arrival": { "process": "burst", "every_seconds": 250, "size": 2 } }
            """, resolvers: """
            { "name": "slow", "persona": "diligent_human", "poll_seconds": 20, "work_seconds": { "min": 200, "max": 400 } }
            """)
        let run = try runEngine(scenario, label: "drain")
        let created = run.ints("tasks.csv", "created_at_ms")
        #expect(created.allSatisfy { $0 <= 600_000 }, "created after the duration: \(created.filter { $0 > 600_000 })")
        let late = run.rows("tasks.csv").filter { $0["requester"] == "late-1" }.compactMap { $0["created_at_ms"].flatMap { Int64($0) } }
        #expect(late.sorted().first == 599_000 && !late.contains(601_000) && !late.contains(1_000_000))
        #expect(run.summary.durationMs == 1_800_000)
        #expect(run.ints("tasks.csv", "completed_at_ms").contains { $0 > 600_000 }, "nothing was resolved during the drain")
        expectConsistent(run, "drain")
    }

    @Test(arguments: [(1000.0, 0.0, 300.0), (1000.0, 200.0, 300.0), (900.0, 0.0, 300.0), (95.5, 0.0, 10.0)])
    func timelineRowsCoverTheRunInBucketSteps(duration: Double, drain: Double, bucket: Double) throws {
        let scenario = try smallScenario(durationSeconds: duration, drainSeconds: drain, requesters: """
            { "name": "facts", "persona": "fact_checker", "pay_real_l402": false, "arrival": { "process": "poisson", "rate_per_hour": 200 } }
            """, bucketSeconds: bucket)
        let run = try runEngine(scenario, label: "timeline")
        let rows = run.rows("timeline.csv")
        let endMs = Int64((duration + drain) * 1000)
        let bucketMs = Int64(bucket * 1000)
        let starts = rows.compactMap { $0["bucket_start_ms"].flatMap { Int64($0) } }
        let ends = rows.compactMap { $0["bucket_end_ms"].flatMap { Int64($0) } }
        try #require(starts.count == rows.count && ends.count == rows.count && !rows.isEmpty)
        #expect(rows.count == Int((endMs + bucketMs - 1) / bucketMs))
        #expect(starts.first == 0 && ends.last == endMs)
        for i in rows.indices {
            #expect(starts[i] == Int64(i) * bucketMs)
            #expect(ends[i] == min(starts[i] + bucketMs, endMs))
        }
        func total(_ column: String) -> Int64 { run.ints("timeline.csv", column).reduce(0, +) }
        #expect(total("tasks_created") == run.summary.tasksCreated)
        #expect(total("tasks_completed") == run.summary.tasksCompleted)
        #expect(total("tasks_expired") == run.summary.tasksExpired)
        // Each task is counted in the bucket of its creation.
        let created = run.ints("tasks.csv", "created_at_ms")
        for (i, row) in rows.enumerated() {
            let n = created.filter { $0 >= starts[i] && ($0 < ends[i] || (i == rows.count - 1 && $0 == ends[i])) }.count
            #expect(Int64(row["tasks_created"] ?? "") == Int64(n), "bucket \(i)")
        }
    }

    @Test func leaseExpiryHappensAtTheExactDeadlineWithNoOtherTraffic() throws {
        // One task at 0; an abandoner claims it and walks away; nobody else calls for a long time.
        let scenario = try smallScenario(durationSeconds: 1500, requesters: """
            { "name": "facts", "persona": "fact_checker", "pay_real_l402": false, "poll_seconds": 100000,
              "arrival": { "process": "fixed", "at_seconds": [0] } }
            """, resolvers: """
            { "name": "flake", "persona": "claim_abandoner", "abandon_rate": 1, "poll_seconds": 1000 }
            """, market: #"{ "claim_lease_seconds": 120 }"#, bucketSeconds: 10)
        let times = EventTimes()
        let run = try runEngine(scenario, label: "lease", hooks: RunHooks(beforeEvent: { times.append($0) }))
        let claimedAt = try #require(run.ints("tasks.csv", "first_claimed_at_ms").first)
        let deadline = claimedAt + 120_000
        #expect(run.summary.claimsAbandoned >= 1)
        // An engine event fires at the deadline itself, and no agent acts between the claim and the deadline.
        #expect(times.values.contains(deadline), "no event at the lease deadline \(deadline)")
        let between = times.values.filter { $0 > claimedAt && $0 < deadline && $0 % 10_000 != 0 }
        #expect(between.isEmpty, "unexpected traffic at \(between)")
        // The abandonment is counted in the bucket holding the deadline, and none before.
        let rows = run.rows("timeline.csv")
        let first = try #require(rows.firstIndex { ($0["claims_abandoned"] ?? "0") != "0" })
        let start = Int64(rows[first]["bucket_start_ms"] ?? "") ?? -1
        let end = Int64(rows[first]["bucket_end_ms"] ?? "") ?? -1
        #expect(start <= deadline && deadline <= end, "abandonment counted in [\(start), \(end)], deadline \(deadline)")
        // Stopping one millisecond before the deadline: still claimed.
        let before = try runEngine(scenario, untilMs: deadline - 1, label: "lease-before")
        #expect(before.summary.claimsAbandoned == 0)
        #expect(before.rows("tasks.csv").first?["status"] == "claimed")
        let at = try runEngine(scenario, untilMs: deadline, label: "lease-at")
        #expect(at.summary.claimsAbandoned == 1)
        #expect(at.rows("tasks.csv").first?["status"] == "open")
    }

    @Test func taskTTLExpiresAndRefundsAtTheDeadline() throws {
        // Nobody can take an ops task (hybrid only, no hybrid resolver): it expires at created + TTL and is refunded.
        let scenario = try smallScenario(durationSeconds: 1000, requesters: """
            { "name": "ops", "persona": "ops_agent", "arrival": { "process": "fixed", "at_seconds": [7.25] },
              "budget_sats": { "distribution": "fixed", "value": 321 } }
            """, market: #"{ "task_ttl_seconds": 300 }"#)
        let run = try runEngine(scenario, label: "ttl")
        let task = try #require(run.rows("tasks.csv").first)
        #expect(task["status"] == "expired")
        #expect(task["expired_at_ms"] == "\(7_250 + 300_000)")
        #expect(run.summary.refundsMsat == 321_000 && run.summary.escrowMsat == 0)
        expectConsistent(run, "ttl")
    }
}

// MARK: - Reports and agents

@Suite("Engine: reports and agents")
struct EngineReportTests {
    @Test func eventsOffWritesAnEmptyEventLog() throws {
        let text = mixedScenarioText(durationSeconds: 300, drainSeconds: 0, events: false, html: false)
        let off = try runEngine(try inlineScenario(text), label: "events-off")
        #expect(off.files["events.ndjson"] == [])
        #expect(off.summary.tasksCreated > 0 && !off.rows("tasks.csv").isEmpty)
        let on = try runEngine(try inlineScenario(mixedScenarioText(durationSeconds: 300, drainSeconds: 0)), label: "events-on")
        let lines = on.text("events.ndjson").split(separator: "\n")
        #expect(lines.count > 20)
        var last: Int64 = 0
        for line in lines {
            let event = try JSONValue.parse(Array(line.utf8))
            let at = try #require(event["at_ms"]?.intValue)
            #expect(at >= last, "events out of time order")
            last = at
            #expect(event["agent"]?.stringValue != nil && event["status"]?.intValue != nil)
        }
        // Logging events changes nothing else.
        for name in ["tasks.csv", "payouts.csv", "timeline.csv", "workers.csv"] {
            #expect(off.files[name] == on.files[name], "\(name) depends on report.events")
        }
    }

    @Test func everyResolverRegistersWithItsPersonasType() throws {
        let run = try runEngine(try inlineScenario(mixedScenarioText(durationSeconds: 60, drainSeconds: 0)), label: "types")
        let workers = Dictionary(uniqueKeysWithValues: run.rows("workers.csv").compactMap { r in r["name"].map { ($0, r) } })
        let expected = ["alice-1": ("diligent_human", "human"), "gpt-1": ("fast_ai", "ai"), "duo-1": ("hybrid", "hybrid"),
                        "sloppy-1": ("sloppy_worker", "human"), "flake-1": ("claim_abandoner", "ai"), "picky-1": ("cherry_picker", "human")]
        #expect(workers.count == expected.count)
        for (name, (persona, type)) in expected {
            #expect(workers[name]?["persona"] == persona, "\(name)")
            #expect(workers[name]?["type"] == type, "\(name)")
        }
    }

    @Test func tasksCarryTheirRequestersPersonaAndSettings() throws {
        let run = try runEngine(try inlineScenario(mixedScenarioText(durationSeconds: 600, drainSeconds: 0)), label: "personas")
        let expected = ["research_agent": ("verify", "proof_required", "any"), "fact_checker": ("answer", "auto", "any"),
                        "ops_agent": ("unblock", "review", "hybrid"), "judgment_seeker": ("judge", "review", "human")]
        let tasks = run.rows("tasks.csv")
        for (persona, (type, trust, worker)) in expected {
            let mine = tasks.filter { $0["requester_persona"] == persona }
            #expect(!mine.isEmpty, "\(persona) posted nothing")
            #expect(mine.allSatisfy { $0["task_type"] == type && $0["trust_mode"] == trust && $0["worker_type"] == worker }, "\(persona)")
        }
        // Verify answers are scored against the web's ground truth.
        let verify = tasks.filter { $0["task_type"] == "verify" && $0["status"] == "completed" }
        #expect(!verify.isEmpty && verify.allSatisfy { $0["correct"] == "true" || $0["correct"] == "false" })
    }
}

/// Event times seen by the engine's `beforeEvent` hook.
final class EventTimes: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [Int64] = []
    func append(_ t: Int64) { lock.withLock { storage.append(t) } }
    var values: [Int64] { lock.withLock { storage } }
}
