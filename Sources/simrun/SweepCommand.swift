import Foundation
import Simulator
import Synchronization

/// `simrun sweep FILE`: every parameter point of the scenario's `sweep` block, several seeds each, on all cores.
enum SweepCommand {
    static let usage = "USAGE: simrun sweep <scenario.json> [--out DIR] [--jobs N] [--resume] [--shard I/N] [--seeds K]"
    static let help = """
        OVERVIEW: Run a parameter sweep: the scenario's sweep block names axes by JSON path (a full grid or zipped
        lists) and a number of Monte Carlo seeds per point. Runs spread over all cores; each run's seed comes
        from (scenario seed, point, replicate), so a parallel sweep writes exactly the rows a serial one does.

        \(usage)

        ARGUMENTS:
          <scenario.json>        A scenario with a sweep block (see docs/scenarios.md).

        OPTIONS:
          --out DIR              Write here (default reports/<scenario name>-sweep).
          --jobs N               Runs at once (default: the number of active processors).
          --resume               Keep the rows already in runs.csv and run only the missing ones.
          --shard I/N            Run only the runs whose index modulo N is I (a cluster job array's slice) and
                                 write runs-shard-I-of-N.csv; join the slices with `simrun merge`.
          --seeds K              Replace the sweep block's number of seeds per point.
          -h, --help             Show this help.

        FILES: runs.csv (one row per run, appended as runs finish, sorted at the end), aggregate.csv (mean, sd and
        95% confidence interval per point and metric), summary.md and report.html (heatmaps, lines, the answer),
        sweep.json (what --resume and merge check).

        Runs use an in-memory database and the simulated web (a fixture-mode scenario runs as simulated), write no
        event log and no per-run reports.

        Exit status: 0 when every run finished, 1 when a run or a file failed, 64 when the scenario, an axis, a
        point or an option is invalid.
        """

    static func run(_ args: [String]) throws -> Int32 {
        let a = try Arguments(args, options: ["out", "jobs", "shard", "seeds"], flags: ["resume", "help"])
        if a.flag("help") { print(help); return 0 }
        guard a.positionals.count == 1, let path = a.positionals.first else {
            throw UsageError(a.positionals.isEmpty ? "missing the scenario file" : "unexpected argument '\(a.positionals[1])'")
        }
        let jobs = try a.integer("jobs", range: 1...4096).map(Int.init) ?? ProcessInfo.processInfo.activeProcessorCount
        let seeds = try a.integer("seeds", range: 1...100_000).map(Int.init)
        var shard: SweepShard?
        if let text = a.string("shard") {
            guard let parsed = SweepShard(text) else { throw UsageError("--shard: must be I/N with 0 <= I < N, got '\(text)'") }
            shard = parsed
        }
        let plan: SweepPlan
        do {
            plan = try SweepPlan.load(path: path, seeds: seeds)
        } catch {
            Console.err("Error: the sweep is invalid:\n\(error)")
            return 64
        }
        let out = a.string("out") ?? "reports/\(plan.base.name)-sweep"
        let share = shard.map { s in (0..<plan.runCount).filter(s.contains).count } ?? plan.runCount
        Console.err("Sweep \(plan.base.name): \(plan.points.count) points x \(plan.seeds) seeds = \(plan.runCount) runs"
            + (shard.map { ", shard \($0): \(share) runs" } ?? "") + " on \(jobs) job\(jobs == 1 ? "" : "s") -> \(out)/")
        for note in plan.notes { Console.err("Note: \(note).") }

        let reporter = SweepProgressReporter(terminal: isatty(STDERR_FILENO) == 1)
        let outcome: SweepOutcome
        do {
            outcome = try SweepRunner.run(plan, options: SweepOptions(outputDirectory: out, jobs: jobs, resume: a.flag("resume"), shard: shard),
                                          progress: { reporter.update($0) })
        } catch {
            reporter.finish()
            Console.err("Error: \(error)")
            return 1
        }
        reporter.finish()
        var line = "Done: \(outcome.ran) runs in \(ReportFormat.fixed(outcome.wallSeconds, places: 1)) s"
        if outcome.resumed > 0 { line += ", \(outcome.resumed) kept from before" }
        if outcome.dropped > 0 { line += ", \(outcome.dropped) unusable lines dropped" }
        Console.err(line + ".")
        for (run, error) in outcome.failures.prefix(20) {
            Console.err("Error: run \(run.index) (point \(run.point), replicate \(run.replicate), seed \(run.seed)) failed: \(error)")
        }
        if !outcome.failures.isEmpty {
            Console.err("Error: \(outcome.failures.count) runs failed; the others are in runs.csv (rerun with --resume to retry)")
            return 1
        }
        if let ledger = SweepMetrics.index(of: "ledger_balanced") {
            let broken = outcome.rows.filter { $0.figures[ledger] == 0 }
            if !broken.isEmpty {
                Console.err("Error: the ledger invariant is BROKEN in \(broken.count) runs (ledger_balanced=false in runs.csv), e.g. point \(broken[0].point) replicate \(broken[0].replicate) seed \(broken[0].seed)")
                return 1
            }
        }
        if shard == nil {
            let summaries = SweepAnalysis.summaries(plan, rows: outcome.rows)
            let criteria = SweepCriteria()
            let passing = summaries.filter { criteria.verdict($0).passes }.count
            Console.out("\(passing) of \(summaries.count) points keep an effective take of at least 25% (95% CI lower bound) while the bonus reaches the best workers; see \(out)/summary.md")
        }
        for file in outcome.files { Console.out(file) }
        return 0
    }
}

/// `simrun merge`: join shard files into one sweep's files.
enum MergeCommand {
    static let usage = "USAGE: simrun merge <dir-or-shard-file>... --out DIR"
    static let help = """
        OVERVIEW: Join the runs-shard-I-of-N.csv files of a sharded sweep (directories are searched for them) into
        runs.csv, aggregate.csv, summary.md and report.html, byte for byte what one machine would have written.
        The shards must come from one sweep (same scenario hash, axes and seeds, per their sweep-shard-I-of-N.json),
        with no run twice and none missing; any gap is listed.

        \(usage)

        OPTIONS:
          --out DIR              Where the merged sweep goes (required).
          -h, --help             Show this help.

        Exit status: 0 when merged, 1 when the shards do not make one whole sweep, 64 for bad usage.
        """

    static func run(_ args: [String]) throws -> Int32 {
        let a = try Arguments(args, options: ["out"], flags: ["help"])
        if a.flag("help") { print(help); return 0 }
        guard !a.positionals.isEmpty else { throw UsageError("missing the shard files or directories") }
        guard let out = a.string("out") else { throw UsageError("--out is required") }
        do {
            let outcome = try SweepMerge.merge(a.positionals, outputDirectory: out)
            Console.err("Merged \(outcome.inputs.count) shard files of \(outcome.plan.base.name): \(outcome.plan.runCount) runs.")
            for file in outcome.files { Console.out(file) }
            return 0
        } catch {
            Console.err("Error: cannot merge:\n\(error)")
            return 1
        }
    }
}

/// The sweep's progress on stderr: a bar with an ETA redrawn in place on a terminal, a plain line every tenth
/// (or every 30 s) otherwise, so logs of cluster jobs stay readable.
final class SweepProgressReporter: Sendable {
    private struct State {
        var lastDraw: Double = -1
        var lastTenth = 0
        var drew = false
    }

    let terminal: Bool
    private let state = Mutex(State())

    init(terminal: Bool) { self.terminal = terminal }

    func update(_ p: SweepProgress) {
        let total = max(1, p.toRun)
        let fraction = Double(p.finished) / Double(total)
        let eta = p.finished > 0 ? p.elapsedSeconds / Double(p.finished) * Double(total - p.finished) : nil
        let etaText = eta.map { Self.clock($0) } ?? "--:--"
        let failed = p.failed > 0 ? ", \(p.failed) failed" : ""
        state.withLock { s in
            if terminal {
                guard p.elapsedSeconds - s.lastDraw >= 0.2 || p.finished == total else { return }
                s.lastDraw = p.elapsedSeconds
                s.drew = true
                let width = 30
                let filled = min(width, Int(fraction * Double(width)))
                let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
                FileHandle.standardError.write(Data("\r[\(bar)] \(Int(fraction * 100))%  \(p.finished)/\(total) runs\(failed)  elapsed \(Self.clock(p.elapsedSeconds))  eta \(etaText)   ".utf8))
            } else {
                let tenth = Int(fraction * 10)
                guard tenth > s.lastTenth || p.elapsedSeconds - s.lastDraw >= 30 || p.finished == total else { return }
                s.lastTenth = max(s.lastTenth, tenth)
                s.lastDraw = p.elapsedSeconds
                Console.err("sweep: \(p.finished)/\(total) runs (\(Int(fraction * 100))%)\(failed), elapsed \(Self.clock(p.elapsedSeconds)), eta \(etaText)")
            }
        }
    }

    func finish() {
        state.withLock { s in
            if terminal && s.drew { FileHandle.standardError.write(Data("\n".utf8)) }
        }
    }

    static func clock(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        let h = total / 3600, m = total / 60 % 60, s = total % 60
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return h > 0 ? "\(h):\(two(m)):\(two(s))" : "\(two(m)):\(two(s))"
    }
}
