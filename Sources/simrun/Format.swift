import Lightning
import Simulator

/// How runs look on the console.
enum Format {
    /// `01:02:03.456` from virtual milliseconds.
    static func clock(_ ms: Int64) -> String {
        let h = ms / 3_600_000, m = ms / 60_000 % 60, s = ms / 1000 % 60, f = ms % 1000
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let frac = f < 10 ? "00\(f)" : (f < 100 ? "0\(f)" : "\(f)")
        return "\(two(h)):\(two(m)):\(two(s)).\(frac)"
    }

    static func duration(_ ms: Int64) -> String {
        if ms % 3_600_000 == 0 { return "\(ms / 3_600_000) h" }
        if ms % 60_000 == 0 { return "\(ms / 60_000) min" }
        return "\(Double(ms) / 1000) s"
    }

    static func pad(_ s: String, _ n: Int) -> String {
        s.count >= n ? s : s + String(repeating: " ", count: n - s.count)
    }

    static func transcriptLine(_ e: TranscriptEvent) -> String {
        "[\(clock(e.atMs))] \(pad(e.agent, 13)) \(pad(e.method + " " + e.path, 50)) \(e.status)  \(e.summary)"
    }

    static func sats(_ msat: Int64) -> String { MilliSats(msat).satsString }

    static func percent(_ v: Double?) -> String {
        guard let v else { return "n/a" }
        return "\(Double(Int((v * 1000).rounded())) / 10)%"
    }

    static func summary(_ r: RunResult) -> [String] {
        let s = r.summary
        var lines = ["", "Summary of \(s.scenario) (seed \(s.seed)), \(duration(s.durationMs)) of virtual time"]
        let rows: [(String, String)] = [
            ("tasks", "\(s.tasksCreated) created, \(s.tasksCompleted) completed, \(s.tasksExpired) expired, \(s.tasksInFlight) in flight"),
            ("volume", "\(sats(s.volumeMsat)) sats paid in over L402"),
            ("worker earnings", "\(sats(s.workerEarningsMsat)) sats settled, \(sats(s.owedPayoutsMsat)) sats owed"),
            ("platform fees", "\(sats(s.platformFeeMsat)) sats net of \(sats(s.routingFeeMsat)) sats routing; effective take \(percent(s.effectiveTakeRate))"),
            ("refunds", "\(sats(s.refundsMsat)) sats; \(sats(s.escrowMsat)) sats still in escrow"),
            ("reputation", "\(s.workersAboveThresholdAtEnd) of \(s.workers) workers above the bonus threshold"),
            ("quality", "answer accuracy \(percent(s.answerAccuracy)); \(s.claimsAbandoned) claims abandoned, \(s.submissionsRejected) submissions rejected"),
            ("payouts", "\(s.payoutsSettled) settled, \(s.payoutsFailed) failed, \(s.payoutRetries) retries"),
            ("engine", "\(s.eventsDispatched) events, \(s.requests) API requests"),
            ("ledger", s.ledgerBalanced ? "BALANCED (\(sats(s.ledgerPaidBudgetsMsat)) sats paid in, all accounted for)"
                                        : "BROKEN (\(s.ledgerPaidBudgetsMsat) msat paid in, \(s.ledgerAccountedMsat) msat accounted for)"),
            ("reports", r.outputDirectory + "/"),
        ]
        for (k, v) in rows { lines.append("  " + pad(k, 16) + v) }
        return lines
    }
}
