import Foundation
import Lightning
import Simulator

/// `simrun run FILE` (and `simrun FILE`): the agent-to-agent simulation with its live transcript and reports.
enum RunCommand {
    static let usage = "USAGE: simrun run <scenario.json> [--seed N] [--until SECONDS] [--out DIR] [--quiet] [--pace X] [--transcript full|summary|none]"
    static let help = """
        OVERVIEW: Run a scenario: requester and resolver agents trade on the market in virtual time, the
        agent-to-agent transcript prints as it happens, and the reports are written to reports/<scenario>/.

        \(usage)

        ARGUMENTS:
          <scenario.json>        The scenario file (see docs/scenarios.md).

        OPTIONS:
          --seed N               Replace the scenario's seed (0 ... 2^63-1).
          --until SECONDS        Stop at this virtual time instead of the scenario's end.
          --out DIR              Write the reports here (default reports/<scenario name>).
          --db PATH              Keep the market's SQLite database here (default <out>/market.sqlite; :memory:).
          --quiet                Print only the closing summary.
          --transcript MODE      full (every request), summary (task outcomes) or none; default from the scenario.
          --pace X               Replay at X times real time (e.g. 60: one virtual minute per second), for a live demo.
          --market URL           Drive a market served by `simrun serve` (http://host:port) instead of the in-process one.
          -h, --help             Show this help.

        Exit status: 0 when the run completes and its ledger balances, 1 when the ledger is broken or the run fails,
        64 when the scenario or an option is invalid.
        """

    static func run(_ args: [String]) throws -> Int32 {
        let a = try Arguments(args, options: ["seed", "until", "out", "db", "transcript", "pace", "market"], flags: ["quiet", "help"])
        if a.flag("help") { print(help); return 0 }
        guard a.positionals.count == 1, let path = a.positionals.first else {
            throw UsageError(a.positionals.isEmpty ? "missing the scenario file" : "unexpected argument '\(a.positionals[1])'")
        }
        let scenario: Scenario
        do {
            scenario = try ScenarioLoader.load(path: path)
        } catch {
            Console.err("Error: the scenario is invalid:\n\(error)")
            return 64
        }
        var options = RunOptions()
        if let s = try a.integer("seed", range: 0...Int64.max) { options.seed = UInt64(s) }
        if let u = try a.decimal("until", range: 0...1e12) { options.untilMs = Int64((u * 1000).rounded()) }
        options.outputDirectory = a.string("out")
        options.databasePath = a.string("db")
        let quiet = a.flag("quiet")
        options.transcript = try a.choice("transcript", TranscriptMode.self)
        if quiet { options.transcript = .silent }
        let pace = try a.decimal("pace", range: 0.001...1e9)
        if let m = a.string("market") {
            guard let parsed = parseMarketURL(m) else { throw UsageError("--market: must be http://host:port with a numeric host, got '\(m)'") }
            options.marketURL = parsed
        }

        let engine: SimulationEngine
        do {
            engine = try SimulationEngine(scenario: scenario, options: options)
        } catch {
            Console.err("Error: could not set up the run: \(error)")
            return 1
        }
        let mode = options.transcript ?? scenario.report.transcript
        let seed = options.seed ?? scenario.seed
        if !quiet {
            Console.out("ProofLayer simulation \(scenario.name) (seed \(seed)): \(engine.agentCount) agents, \(Format.duration(scenario.durationMs)) of virtual time from \(scenario.startTime.iso8601)")
            if !scenario.description.isEmpty { Console.out(scenario.description) }
            Console.out("")
        }
        var hooks = RunHooks()
        if mode != .silent {
            // Idle feed polls are in events.ndjson; on the console they would drown the conversation.
            hooks.transcript = { e in
                if e.summary == "0 open tasks" { return }
                Console.out(Format.transcriptLine(e))
            }
        }
        let tty = isatty(STDOUT_FILENO) == 1
        var progress: ProgressBar?
        if tty && mode != .full {
            let bar = ProgressBar()
            progress = bar
            hooks.progress = { now, end, tasks in bar.update(now: now, end: end, tasks: tasks) }
        }
        if let pace {
            let pacer = Pacer(speed: pace)
            hooks.beforeEvent = { t in pacer.wait(untilVirtualMs: t) }
        }
        let result: RunResult
        do {
            result = try engine.run(hooks: hooks)
        } catch {
            progress?.clear()
            Console.err("Error: the run failed: \(error)")
            return 1
        }
        progress?.clear()
        for line in Format.summary(result) { Console.out(line) }
        if !result.ledgerBalanced {
            Console.err("Error: the ledger invariant is BROKEN: paid budgets \(result.summary.ledgerPaidBudgetsMsat) msat, accounted for \(result.summary.ledgerAccountedMsat) msat")
            return 1
        }
        return 0
    }

    static func parseMarketURL(_ s: String) -> (host: String, port: UInt16)? {
        guard s.hasPrefix("http://") else { return nil }
        let rest = s.dropFirst(7).prefix { $0 != "/" }
        guard let colon = rest.lastIndex(of: ":"), let port = UInt16(rest[rest.index(after: colon)...]) else { return nil }
        let host = String(rest[..<colon])
        return host.isEmpty ? nil : (host, port)
    }
}

/// `simrun validate FILE`: check a scenario without running it.
enum ValidateCommand {
    static let usage = "USAGE: simrun validate <scenario.json>..."
    static let help = """
        OVERVIEW: Check scenario files and print every problem with its JSON path; exit 64 if any is invalid.

        \(usage)
        """

    static func run(_ args: [String]) throws -> Int32 {
        let a = try Arguments(args, options: [], flags: ["help"])
        if a.flag("help") { print(help); return 0 }
        guard !a.positionals.isEmpty else { throw UsageError("missing the scenario file") }
        var ok = true
        for path in a.positionals {
            do {
                let s = try ScenarioLoader.load(path: path)
                let agents = s.requesters.reduce(0) { $0 + $1.count } + s.resolvers.reduce(0) { $0 + $1.count }
                Console.out("\(path): valid (\(s.name), seed \(s.seed), \(agents) agents, \(Format.duration(s.durationMs)))")
            } catch {
                ok = false
                Console.err("\(error)")
            }
        }
        return ok ? 0 : 64
    }
}

/// Sleeps so that virtual time advances at `speed` times real time (the only wall-clock reader of a run).
final class Pacer {
    let speed: Double
    let start = DispatchTime.now().uptimeNanoseconds

    init(speed: Double) { self.speed = speed }

    func wait(untilVirtualMs t: Int64) {
        let target = start &+ UInt64(max(0, Double(t) / speed * 1_000_000))
        let now = DispatchTime.now().uptimeNanoseconds
        if target > now { usleep(useconds_t(min(Double(target - now) / 1000, 1e9))) }
    }
}

/// A one-line progress bar on the terminal, redrawn at most five times a second.
final class ProgressBar {
    private var last: UInt64 = 0
    private let started = DispatchTime.now().uptimeNanoseconds

    func update(now: Int64, end: Int64, tasks: Int64) {
        let wall = DispatchTime.now().uptimeNanoseconds
        guard wall - last > 200_000_000 else { return }
        last = wall
        let fraction = end > 0 ? min(1, Double(now) / Double(end)) : 1
        let width = 30
        let filled = Int(fraction * Double(width))
        let elapsed = Double(wall - started) / 1e9
        let eta = fraction > 0.01 ? elapsed * (1 - fraction) / fraction : 0
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let line = "\r[\(bar)] \(Int(fraction * 100))%  virtual \(Format.clock(now)) / \(Format.clock(end))  \(tasks) tasks  eta \(Int(eta)) s  "
        FileHandle.standardOutput.write(Data(line.utf8))
    }

    func clear() {
        FileHandle.standardOutput.write(Data(("\r" + String(repeating: " ", count: 100) + "\r").utf8))
    }
}
