import Foundation
import JSON
import Testing
@testable import Simulator

/// The report files every run writes.
let reportFiles = ["events.ndjson", "tasks.csv", "payouts.csv", "timeline.csv", "workers.csv", "summary.json", "summary.md",
                   "report.html"]

/// A scenario from inline JSON text.
func inlineScenario(_ text: String) throws -> Scenario {
    try ScenarioLoader.parse(Array(text.utf8), source: "inline")
}

/// A finished run: its result and the bytes of every report file (the directory is removed).
struct EngineRun: Sendable {
    var result: RunResult
    var files: [String: [UInt8]]
    var summary: RunSummary { result.summary }

    func text(_ name: String) -> String { String(decoding: files[name] ?? [], as: UTF8.self) }

    /// The CSV's data rows as header -> value maps.
    func rows(_ name: String) -> [[String: String]] {
        let table = parseCSV(text(name))
        guard let header = table.first else { return [] }
        return table.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }
    }

    /// A column's values as integers (empty cells dropped).
    func ints(_ name: String, _ column: String) -> [Int64] { rows(name).compactMap { $0[column].flatMap { Int64($0) } } }
}

/// Runs `scenario` into a fresh temporary directory with an in-memory market and reads the reports back.
func runEngine(_ scenario: Scenario, seed: UInt64? = nil, untilMs: Int64? = nil, label: String = "run",
               hooks: RunHooks = RunHooks()) throws -> EngineRun {
    let directory = temporaryDirectory("engine-\(label)")
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let engine = try SimulationEngine(scenario: scenario, options: RunOptions(seed: seed, untilMs: untilMs, outputDirectory: directory,
                                                                               databasePath: ":memory:", transcript: .silent))
    let result = try engine.run(hooks: hooks)
    var files: [String: [UInt8]] = [:]
    for name in reportFiles {
        if let bytes = readBytes(directory + "/" + name) { files[name] = bytes }
    }
    return EngineRun(result: result, files: files)
}

/// Runs `body` for every element on all cores and returns the results in input order.
func parallelMap<T: Sendable, R: Sendable>(_ items: [T], _ body: @Sendable (T) throws -> R) throws -> [R] {
    let box = ResultBox<R>(count: items.count)
    DispatchQueue.concurrentPerform(iterations: items.count) { i in
        box.set(i, Result { try body(items[i]) })
    }
    return try box.values.map { try $0!.get() }
}

private final class ResultBox<R>: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [Result<R, any Error>?]
    init(count: Int) { storage = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ r: Result<R, any Error>) { lock.withLock { storage[i] = r } }
    var values: [Result<R, any Error>?] { lock.withLock { storage } }
}

/// A small scenario with every persona, review mode, short leases and TTLs: expiries, abandonments and
/// rejections all happen within a few virtual minutes. `broke`: the platform has no liquidity and nobody pays over
/// Lightning (demo tokens), so every payout fails and is retried.
func mixedScenarioText(name: String = "mixed", seed: UInt64 = 1, durationSeconds: Int = 600, drainSeconds: Int = 200,
                       events: Bool = true, html: Bool = true, webMode: String = "simulated", broke: Bool = false) -> String {
    let liquidity = broke ? 0 : 10_000_000
    let pays = !broke
    return """
    {
      "name": "\(name)",
      "seed": \(seed),
      "start_time": "2026-01-01T00:00:00Z",
      "duration_seconds": \(durationSeconds),
      "drain_seconds": \(drainSeconds),
      "market": { "claim_lease_seconds": 60, "task_ttl_seconds": 240, "review_window_seconds": 120 },
      "lightning": { "platform_liquidity_sats": \(liquidity), "requester_balance_sats": 100000 },
      "requesters": [
        { "name": "research", "persona": "research_agent", "arrival": { "process": "poisson", "rate_per_hour": 60 },
          "budget_sats": { "distribution": "choice", "values": [100, 200], "weights": [0.5, 0.5] }, "poll_seconds": 20,
          "pay_real_l402": \(pays) },
        { "name": "facts", "persona": "fact_checker", "arrival": { "process": "poisson", "rate_per_hour": 60 },
          "pay_real_l402": false, "poll_seconds": 20 },
        { "name": "ops", "persona": "ops_agent", "arrival": { "process": "burst", "every_seconds": 300, "size": 2, "jitter_seconds": 30 },
          "budget_sats": { "distribution": "lognormal", "median": 300, "sigma": 0.5, "min": 50, "max": 2000 },
          "poll_seconds": 15, "review_reject_below": 0.85, "pay_real_l402": \(pays) },
        { "name": "judge", "persona": "judgment_seeker", "arrival": { "process": "fixed", "at_seconds": [0, 100, 200, 400, 600] },
          "poll_seconds": 15, "review_reject_below": 0.8, "pay_real_l402": \(pays) }
      ],
      "resolvers": [
        { "name": "alice", "persona": "diligent_human", "poll_seconds": 30, "work_seconds": { "min": 20, "max": 90 } },
        { "name": "gpt", "persona": "fast_ai", "poll_seconds": 15 },
        { "name": "duo", "persona": "hybrid", "poll_seconds": 30, "work_seconds": { "min": 20, "max": 80 } },
        { "name": "sloppy", "persona": "sloppy_worker", "poll_seconds": 20 },
        { "name": "flake", "persona": "claim_abandoner", "poll_seconds": 20 },
        { "name": "picky", "persona": "cherry_picker", "poll_seconds": 30, "work_seconds": { "min": 20, "max": 100 } }
      ],
      "web": {
        "mode": "\(webMode)",
        "fixtures": [
          { "url": "https://live.example/", "status": 200, "latency_ms": 120 },
          { "url": "https://dead.example/", "status": 404, "latency_ms": 80 },
          { "url": "http://old.example/", "status": 301, "latency_ms": 40, "redirect_to": "https://new.example/" },
          { "url": "https://new.example/", "status": 200, "latency_ms": 60 },
          { "url": "https://down.example/", "status": 503, "latency_ms": 300 }
        ]
      },
      "questions": [
        { "id": "q1", "question": "Is water wet?", "answer": "yes", "choices": ["yes", "no"], "difficulty": 0.1 },
        { "id": "q2", "question": "Sats per bitcoin?", "answer": "100000000", "choices": ["1000000", "100000000"], "difficulty": 0.3 },
        { "id": "j1", "question": "Approve the late refund?", "answer": "approve", "choices": ["approve", "deny"], "difficulty": 0.6,
          "task_type": "judge" },
        { "id": "u1", "question": "Which runbook clears the stuck deploy?", "answer": "rollback", "choices": ["rollback", "retry"],
          "difficulty": 0.5, "task_type": "unblock" }
      ],
      "report": { "timeline_bucket_seconds": 300, "transcript": "none", "html": \(html), "events": \(events) }
    }
    """
}
