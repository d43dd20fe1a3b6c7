/// The default web probe: answers from the `WebTable` alone, with no sockets.
///
/// Each hop answers its fixture's status after its `latencyMs` (unknown URLs: 404 after the table's
/// `unknownLatencyMs`); redirect statuses with a `redirectTo` are followed. The latency charged is the sum of the
/// hops' latencies; when that sum exceeds `timeoutMs` the probe is a timeout (charged `timeoutMs`). A flaked
/// probe is a timeout of its first request.
public struct SimulatedWebProbe: WebProbe {
    /// The web table answered from.
    public let table: WebTable
    /// Budget for the whole probe, in virtual milliseconds.
    public let timeoutMs: Int64

    /// Creates a probe over `table` with a whole-probe timeout of `timeoutMs` (negative counts as 0).
    public init(table: WebTable, timeoutMs: Int64) {
        self.table = table
        self.timeoutMs = max(0, timeoutMs)
    }

    /// HEADs `url` in the simulated web.
    public func head(_ url: String, flake: Bool) -> ProbeOutcome {
        RedirectWalker.walk(start: url, timeoutMs: timeoutMs) { _, current, hop, _ in
            if flake && hop == 0 { return (.timedOut, timeoutMs) }
            let entry = table.entry(for: current)
            let location = WebProbeRules.isRedirect(entry.status) ? entry.redirectTo : nil
            return (.response(status: entry.status, location: location), entry.latencyMs)
        }
    }
}
