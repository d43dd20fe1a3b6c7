import Foundation
import JSON
import Synchronization

/// How a sweep runs (the command line's options).
public struct SweepOptions: Sendable {
    /// Where `runs.csv` and the reports go.
    public var outputDirectory: String
    /// Runs at once (threads); >= 1.
    public var jobs: Int
    /// Keep the rows already in the runs file and run only the missing ones.
    public var resume: Bool
    /// Run only this slice and write `runs-shard-I-of-N.csv` (no reports).
    public var shard: SweepShard?

    /// Creates options.
    public init(outputDirectory: String, jobs: Int = 1, resume: Bool = false, shard: SweepShard? = nil) {
        self.outputDirectory = outputDirectory
        self.jobs = max(1, jobs)
        self.resume = resume
        self.shard = shard
    }
}

/// Where a sweep stands, for a progress bar.
public struct SweepProgress: Sendable {
    /// Runs finished in this invocation (not counting resumed ones).
    public var finished: Int
    /// Runs this invocation has to do.
    public var toRun: Int
    /// Runs found already done (`--resume`).
    public var resumed: Int
    /// Runs that failed so far.
    public var failed: Int
    /// Wall seconds since the runs started.
    public var elapsedSeconds: Double
}

/// What a sweep did.
public struct SweepOutcome: Sendable {
    /// Every row of the runs file (resumed and new), sorted by (point, replicate).
    public var rows: [SweepRow]
    /// Runs done in this invocation.
    public var ran: Int
    /// Rows kept from an earlier, interrupted invocation.
    public var resumed: Int
    /// Lines of the old runs file that were dropped on resume (a line cut short by a crash, a foreign row).
    public var dropped: Int
    /// Runs that threw, with the error.
    public var failures: [(run: SweepRun, error: String)]
    /// The files written, in order.
    public var files: [String]
    /// Wall seconds spent running.
    public var wallSeconds: Double
}

/// Runs a sweep's runs on a pool of threads and writes its files.
public enum SweepRunner {
    /// Runs every run of the plan (or of the shard) not already done, appending each row to the runs file as it
    /// finishes, then rewrites the file sorted by (point, replicate); a whole sweep also writes the aggregate and
    /// the reports (`SweepOutput`). Rows do not depend on the number of jobs or the order runs finish in.
    public static func run(_ plan: SweepPlan, options: SweepOptions,
                           progress: (@Sendable (SweepProgress) -> Void)? = nil) throws(SweepError) -> SweepOutcome {
        let directory = options.outputDirectory
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw SweepError(["cannot create \(directory): \(error.localizedDescription)"])
        }
        let runsPath = SweepFiles.join(directory, SweepFiles.runs(options.shard))
        let manifestPath = SweepFiles.join(directory, SweepFiles.manifest(options.shard))

        var kept: [Int: SweepRow] = [:]
        var dropped = 0
        if options.resume {
            (kept, dropped) = try resumable(plan, runsPath: runsPath, manifestPath: manifestPath, shard: options.shard)
        }
        try SweepFiles.writeText(manifestPath, SweepFiles.manifest(plan, shard: options.shard).serializedString(pretty: true) + "\n")
        try SweepFiles.writeText(runsPath, SweepTable.text(plan, rows: Array(kept.values)))

        let pendingRuns = (0..<plan.runCount).filter { (options.shard?.contains($0) ?? true) && kept[$0] == nil }
        let file = try SweepAppendFile(path: runsPath)
        // Runs write their (unused) CSV files here; it lives outside the output so a crash leaves no litter there.
        let scratch = SweepFiles.join(NSTemporaryDirectory(), "prooflayer-sweep-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)")
        let pool = Pool(plan: plan, pendingRuns: pendingRuns, file: file, scratch: scratch, resumed: kept.count, progress: progress)
        let started = DispatchTime.now().uptimeNanoseconds
        pool.run(jobs: min(options.jobs, max(1, pendingRuns.count)))
        let wall = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        try? FileManager.default.removeItem(atPath: scratch)

        let result = pool.result()
        if let failure = result.writeFailure { throw SweepError([failure]) }
        for row in result.rows { kept[row.run] = row }
        let rows = kept.values.sorted { $0.run < $1.run }
        var files = [manifestPath, runsPath]
        if options.shard != nil || !result.failures.isEmpty {
            try SweepFiles.writeText(runsPath, SweepTable.text(plan, rows: rows))
        } else {
            files = try SweepOutput.write(plan, rows: rows, directory: directory)
        }
        return SweepOutcome(rows: rows, ran: result.rows.count, resumed: kept.count - result.rows.count, dropped: dropped,
                            failures: result.failures.sorted { $0.run.index < $1.run.index }, files: files, wallSeconds: wall)
    }

    /// Runs one run of the plan in a scratch directory (removed afterwards) and returns its figures.
    public static func execute(_ plan: SweepPlan, _ run: SweepRun, scratch: String) throws -> [Double?] {
        let directory = SweepFiles.join(scratch, "run-\(run.index)")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let options = RunOptions(seed: run.seed, outputDirectory: directory, databasePath: ":memory:", transcript: .silent)
        let engine = try SimulationEngine(scenario: plan.points[run.point].scenario, options: options)
        return SweepMetrics.figures(of: try engine.run())
    }

    /// The rows of an earlier invocation worth keeping: the file must belong to this sweep (same scenario hash);
    /// a line cut short, a malformed or foreign row, or a duplicate is dropped and counted.
    static func resumable(_ plan: SweepPlan, runsPath: String, manifestPath: String,
                          shard: SweepShard?) throws(SweepError) -> ([Int: SweepRow], Int) {
        guard let text = try SweepFiles.readText(runsPath) else { return ([:], 0) }
        if let manifestText = try SweepFiles.readText(manifestPath) {
            let recorded = (try? JSONValue.parse(manifestText))?["scenario_hash"]?.stringValue
            guard recorded == plan.scenarioHash else {
                throw SweepError(["--resume: \(runsPath) belongs to another sweep (scenario hash \(recorded ?? "unreadable") in \(manifestPath), this scenario's is \(plan.scenarioHash)); use another --out or run without --resume"])
            }
        }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var dropped = 0
        // The text after the last newline is a line a crash cut short (or nothing).
        if let last = lines.popLast(), !last.isEmpty { dropped += 1 }
        guard let header = lines.first else { return ([:], dropped) }
        guard header == SweepTable.headerLine(plan) else {
            throw SweepError(["--resume: \(runsPath) has other columns than this sweep's; use another --out or run without --resume"])
        }
        var kept: [Int: SweepRow] = [:]
        for line in lines.dropFirst() {
            guard case .success(let row) = SweepTable.parse(line, plan: plan), shard?.contains(row.run) ?? true,
                  kept[row.run] == nil else {
                dropped += 1
                continue
            }
            kept[row.run] = row
        }
        return (kept, dropped)
    }
}

/// The thread pool: `jobs` threads take the next run from a shared list until it is empty.
private final class Pool: Sendable {
    struct State {
        var next = 0
        var rows: [SweepRow] = []
        var failures: [(run: SweepRun, error: String)] = []
        var writeFailure: String?
    }

    let plan: SweepPlan
    let pendingRuns: [Int]
    let scratch: String
    let resumed: Int
    let progress: (@Sendable (SweepProgress) -> Void)?
    private let state = Mutex(State())
    private let file: SweepAppendFile
    private let started = DispatchTime.now().uptimeNanoseconds

    init(plan: SweepPlan, pendingRuns: [Int], file: SweepAppendFile, scratch: String, resumed: Int,
         progress: (@Sendable (SweepProgress) -> Void)?) {
        self.plan = plan
        self.pendingRuns = pendingRuns
        self.file = file
        self.scratch = scratch
        self.resumed = resumed
        self.progress = progress
    }

    func run(jobs: Int) {
        guard !pendingRuns.isEmpty else { return }
        let group = DispatchGroup()
        for _ in 0..<jobs {
            group.enter()
            let thread = Thread { [self] in
                defer { group.leave() }
                work()
            }
            // The engine, the store and the agents nest calls; give each run thread a main-thread-sized stack.
            thread.stackSize = 8 << 20
            thread.start()
        }
        group.wait()
    }

    private func work() {
        while true {
            let position: Int? = state.withLock { s in
                guard s.next < pendingRuns.count, s.writeFailure == nil else { return nil }
                defer { s.next += 1 }
                return s.next
            }
            guard let position else { return }
            let run = plan.run(pendingRuns[position])
            var row: SweepRow?
            var failure: String?
            do {
                row = SweepTable.row(plan, run: run, figures: try SweepRunner.execute(plan, run, scratch: scratch))
            } catch {
                failure = "\(error)"
            }
            // The row goes to the file before it counts as done, under one lock, so progress never runs ahead of
            // the file.
            state.withLock { s in
                if let row {
                    if file.append(row.line) {
                        s.rows.append(row)
                    } else if s.writeFailure == nil {
                        s.writeFailure = "cannot append to \(file.path): \(SweepFiles.errnoText())"
                    }
                } else {
                    s.failures.append((run, failure ?? "unknown error"))
                }
                let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
                progress?(SweepProgress(finished: s.rows.count + s.failures.count, toRun: pendingRuns.count, resumed: resumed,
                                        failed: s.failures.count, elapsedSeconds: elapsed))
            }
        }
    }

    func result() -> State { state.withLock { $0 } }
}
