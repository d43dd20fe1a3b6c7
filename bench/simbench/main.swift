// simbench: the benchmark command behind bench/run.sh. Performance figures come from here, never from tests.
import Foundation
import Lightning
import Simulator

/// Peak resident set size of this process, in MiB.
func peakRSSMiB() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}

func wallSeconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("simbench: \(message)\n".utf8))
    exit(64)
}

let usage = """
    USAGE: simbench kernel [--events N]
           simbench crypto [--count N]
           simbench run <scenario.json> [--until SECONDS] [--db PATH]
           simbench sweep <scenario.json> [--jobs N] [--seeds K] [--shard I/N]
    Prints one JSON object per measurement on stdout.
    """

let all = Array(CommandLine.arguments.dropFirst())
guard let command = all.first else { fail(usage) }
let args = Array(all.dropFirst())

@MainActor func option(_ name: String) -> String? {
    guard let i = args.firstIndex(of: "--" + name), i + 1 < args.count else { return nil }
    return args[i + 1]
}

switch command {
case "kernel":
    let events = Int(option("events") ?? "10000000") ?? 10_000_000
    let queue = KernelBenchmark.queueHold(events: events)
    let kernel = KernelBenchmark.kernelHold(events: events)
    print("{\"measurement\":\"kernel\",\"events\":\(events),\"queue_events_per_second\":\(Int(queue.eventsPerSecond)),\"kernel_events_per_second\":\(Int(kernel.eventsPerSecond))}")
case "run":
    guard let path = args.first, !path.hasPrefix("--") else { fail(usage) }
    let scenario: Scenario
    do { scenario = try ScenarioLoader.load(path: path) } catch { fail("\(error)") }
    var options = RunOptions()
    options.transcript = .silent
    options.outputDirectory = NSTemporaryDirectory() + "simbench-\(scenario.name)"
    options.databasePath = option("db")
    if let until = option("until").flatMap(Double.init) { options.untilMs = Int64(until * 1000) }
    var result: RunResult?
    let seconds: Double
    do {
        let engine = try SimulationEngine(scenario: scenario, options: options)
        seconds = try wallSeconds { result = try engine.run() }
    } catch {
        fail("the run failed: \(error)")
    }
    guard let s = result?.summary else { fail("no result") }
    let tasks = Double(s.tasksCreated)
    print("{\"measurement\":\"run\",\"scenario\":\"\(scenario.name)\",\"virtual_seconds\":\(s.durationMs / 1000),\"tasks_created\":\(s.tasksCreated),\"tasks_completed\":\(s.tasksCompleted),\"requests\":\(s.requests),\"events\":\(s.eventsDispatched),\"wall_seconds\":\(String(format: "%.3f", seconds)),\"tasks_per_second\":\(Int(tasks / seconds)),\"requests_per_second\":\(Int(Double(s.requests) / seconds)),\"events_per_second\":\(Int(Double(s.eventsDispatched) / seconds)),\"peak_rss_mib\":\(String(format: "%.1f", peakRSSMiB())),\"ledger_balanced\":\(s.ledgerBalanced)}")
case "crypto":
    // The per-task floor of the full contract: two BOLT11 invoices signed (the 402 challenge and the worker's
    // payout invoice) and the macaroon minted and verified.
    let n = Int(option("count") ?? "20000") ?? 20_000
    let random = SeededRandom(seed: 1)
    guard let key = NodeKey(seed: random.bytes(32)) else { fail("no key") }
    var invoices: [String] = []
    let sign = wallSeconds {
        for i in 0..<n {
            let invoice = Bolt11Invoice(network: .regtest, amount: MilliSats(Int64(1000 + i)), timestamp: 1_800_000_000,
                                        paymentHash: random.bytes(32), paymentSecret: random.bytes(32), description: "ProofLayer task",
                                        expiry: 3600, minFinalCLTVExpiry: 18)
            if let text = try? Bolt11.encode(invoice, signingKey: key) { invoices.append(text) }
        }
    }
    let decode = wallSeconds { for text in invoices { _ = try? Bolt11.decode(text) } }
    let rootKey = random.bytes(32)
    var macaroons: [Macaroon] = []
    let mint = wallSeconds {
        for _ in 0..<n {
            guard let id = try? L402Identifier(paymentHash: random.bytes(32), tokenId: random.bytes(32)) else { continue }
            macaroons.append(Macaroon.l402(rootKey: rootKey, identifier: id, location: "prooflayer.sim", caveats: [
                .services([L402Service(name: "prooflayer", tier: 0)]), .budgetSats(service: "prooflayer", 100),
                .validUntil(service: "prooflayer", unixTime: 1_900_000_000)]))
        }
    }
    let verify = wallSeconds { for m in macaroons { _ = m.verify(rootKey: rootKey) { _ in true } } }
    func us(_ seconds: Double) -> String { String(format: "%.2f", seconds / Double(n) * 1e6) }
    print("{\"measurement\":\"crypto\",\"count\":\(n),\"bolt11_sign_us\":\(us(sign)),\"bolt11_decode_verify_us\":\(us(decode)),\"macaroon_mint_us\":\(us(mint)),\"macaroon_verify_us\":\(us(verify))}")
case "sweep":
    // A sweep's wall time on N threads, for the 1-to-all-cores speed-up in bench/run.sh.
    guard let path = args.first, !path.hasPrefix("--") else { fail(usage) }
    let jobs = Int(option("jobs") ?? "") ?? ProcessInfo.processInfo.activeProcessorCount
    let plan: SweepPlan
    do { plan = try SweepPlan.load(path: path, seeds: option("seeds").flatMap { Int($0) }) } catch { fail("\(error)") }
    let shard = option("shard").flatMap { SweepShard($0) }
    let directory = NSTemporaryDirectory() + "simbench-sweep-\(plan.base.name)-\(jobs)"
    defer { try? FileManager.default.removeItem(atPath: directory) }
    var outcome: SweepOutcome?
    do {
        outcome = try SweepRunner.run(plan, options: SweepOptions(outputDirectory: directory, jobs: jobs, shard: shard))
    } catch {
        fail("the sweep failed: \(error)")
    }
    guard let outcome, outcome.failures.isEmpty else { fail("runs failed") }
    let seconds = outcome.wallSeconds
    print("{\"measurement\":\"sweep\",\"scenario\":\"\(plan.base.name)\",\"jobs\":\(jobs),\"cores\":\(ProcessInfo.processInfo.activeProcessorCount),\"runs\":\(outcome.ran),\"wall_seconds\":\(String(format: "%.3f", seconds)),\"runs_per_second\":\(String(format: "%.2f", Double(outcome.ran) / seconds)),\"peak_rss_mib\":\(String(format: "%.1f", peakRSSMiB()))}")
default:
    fail(usage)
}
