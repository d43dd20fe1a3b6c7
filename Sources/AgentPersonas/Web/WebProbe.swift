/// What a HEAD probe of a URL found, after following redirects.
public struct ProbeOutcome: Sendable, Equatable {
    /// The status of the last response; nil when the probe timed out (or flaked) or could not connect.
    public var finalStatus: Int?
    /// The (normalised) URL of the last request made.
    public var finalURL: String
    /// Redirects followed.
    public var redirects: Int
    /// Virtual time to charge the prober, in milliseconds; exactly `timeoutMs` for a timeout.
    public var latencyMs: Int64
    /// Why the probe did not end in a plain response: timeout, connection failure, redirect loop, too many
    /// redirects, invalid redirect target; nil otherwise.
    public var error: String?

    /// Creates an outcome.
    public init(finalStatus: Int?, finalURL: String, redirects: Int, latencyMs: Int64, error: String?) {
        self.finalStatus = finalStatus
        self.finalURL = finalURL
        self.redirects = redirects
        self.latencyMs = latencyMs
        self.error = error
    }

    /// Whether the URL is live: the final status is 2xx.
    public var isLive: Bool { finalStatus.map { (200..<300).contains($0) } ?? false }
}

/// Verifies a URL with an HTTP HEAD, following redirects.
///
/// Every mode shares these rules:
/// - 301, 302, 303, 307 and 308 with a target are followed, at most `WebProbeRules.maxRedirects` times; a target
///   already visited in this probe is a redirect loop. Both end the probe with the redirect's status and an error.
/// - The timeout covers the whole probe (all hops); going over it is a timeout, charged exactly `timeoutMs`.
/// - `flake` is rolled by the caller from its own seeded generator (chance: the fixture's `flakyRate`), so every
///   mode is deterministic. A flaked probe behaves as a timeout of its first request: no status, `timeoutMs` charged.
public protocol WebProbe: Sendable {
    /// HEADs `url`, following redirects; `flake` makes the first request time out.
    func head(_ url: String, flake: Bool) -> ProbeOutcome
}

/// Rules and messages shared by the probes, so that equal situations give equal outcomes in every mode.
public enum WebProbeRules {
    /// Redirects followed before the probe gives up.
    public static let maxRedirects = 5
    /// Statuses that are followed when they carry a target.
    public static let redirectStatuses: Set<Int> = [301, 302, 303, 307, 308]
    /// Header a fixture probe sets on a flaked request; the fixture server then holds it past the client's timeout.
    public static let flakeHeader = "X-Sim-Flake"

    /// Whether `status` is followed when it carries a target.
    public static func isRedirect(_ status: Int) -> Bool { redirectStatuses.contains(status) }

    static func timeoutMessage(_ timeoutMs: Int64) -> String { "timed out after \(timeoutMs) ms" }
    static func loopMessage(_ url: String) -> String { "redirect loop: \(url) was already visited" }
    static let tooManyMessage = "too many redirects (more than \(maxRedirects))"
    static func invalidTargetMessage(_ target: String) -> String { "invalid redirect target '\(target)'" }
}

/// What one request of a probe got.
enum HopResult: Sendable, Equatable {
    /// A response: its status and the redirect target (absolute or relative), if any.
    case response(status: Int, location: String?)
    /// No response within the time allowed.
    case timedOut
    /// Could not connect or exchange; the message says why.
    case failed(String)
}

/// The redirect-following loop shared by every probe.
enum RedirectWalker {
    /// Walks from `start`; `fetch(url, hopIndex, elapsedMs)` performs one request and reports its latency in ms.
    static func walk(start: String, timeoutMs: Int64,
                     fetch: (_ url: WebURL?, _ text: String, _ hop: Int, _ elapsedMs: Int64) -> (HopResult, Int64)) -> ProbeOutcome {
        var currentURL = WebURL(start)
        var current = currentURL?.text ?? WebURL.normalize(start)
        var visited: Set<String> = [current]
        var total: Int64 = 0
        var redirects = 0
        while true {
            let (result, hopLatency) = fetch(currentURL, current, redirects, total)
            switch result {
            case .timedOut:
                return timeout(current, redirects, timeoutMs)
            case .failed(let message):
                let charged = min(timeoutMs, total + max(0, hopLatency))
                return ProbeOutcome(finalStatus: nil, finalURL: current, redirects: redirects,
                                    latencyMs: charged, error: message)
            case .response(let status, let location):
                total += max(0, hopLatency)
                if total > timeoutMs { return timeout(current, redirects, timeoutMs) }
                guard WebProbeRules.isRedirect(status), let location else {
                    return ProbeOutcome(finalStatus: status, finalURL: current, redirects: redirects,
                                        latencyMs: total, error: nil)
                }
                let stop = { (message: String) in
                    ProbeOutcome(finalStatus: status, finalURL: current, redirects: redirects, latencyMs: total, error: message)
                }
                guard let next = currentURL?.resolve(location) ?? WebURL(location) else {
                    return stop(WebProbeRules.invalidTargetMessage(location))
                }
                if visited.contains(next.text) { return stop(WebProbeRules.loopMessage(next.text)) }
                if redirects >= WebProbeRules.maxRedirects { return stop(WebProbeRules.tooManyMessage) }
                visited.insert(next.text)
                redirects += 1
                currentURL = next
                current = next.text
            }
        }
    }

    static func timeout(_ url: String, _ redirects: Int, _ timeoutMs: Int64) -> ProbeOutcome {
        ProbeOutcome(finalStatus: nil, finalURL: url, redirects: redirects, latencyMs: timeoutMs,
                     error: WebProbeRules.timeoutMessage(timeoutMs))
    }
}
