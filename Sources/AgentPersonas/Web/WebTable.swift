/// One row of a scenario's web table (`web.fixtures[]`): what a HEAD of `url` answers in simulated and fixture modes.
public struct WebFixture: Sendable, Equatable {
    /// The URL this row answers for; matched after normalisation (see `WebTable.normalize(_:)`).
    public var url: String
    /// The HTTP status answered. Expected in 200...599; 301, 302, 303, 307 and 308 redirect when `redirectTo` is set.
    public var status: Int
    /// Modelled latency of one HEAD to this URL, in virtual milliseconds (negative values count as 0).
    public var latencyMs: Int64
    /// Chance (0...1) that a HEAD of this URL flakes; the caller rolls it and passes `flake:` to the probe.
    public var flakyRate: Double
    /// Where a redirect status points: absolute, or relative to `url`. Ignored for non-redirect statuses.
    public var redirectTo: String?

    /// Creates a fixture row.
    public init(url: String, status: Int, latencyMs: Int64, flakyRate: Double = 0, redirectTo: String? = nil) {
        self.url = url
        self.status = status
        self.latencyMs = latencyMs
        self.flakyRate = flakyRate
        self.redirectTo = redirectTo
    }
}

/// The web as the simulated and fixture probes see it: fixtures looked up by normalised URL.
///
/// Normalisation: scheme and host lower-cased, default port (80/443) dropped, empty path = `/`, fragment dropped;
/// path and query are case-sensitive and kept as written. When two fixtures normalise to the same URL the first
/// one wins. A URL that is in no fixture answers 404 after `unknownLatencyMs`.
public struct WebTable: Sendable {
    /// Latency charged for a URL that no fixture describes, unless the table says otherwise.
    public static let defaultUnknownLatencyMs: Int64 = 50

    /// The fixtures, in the order given.
    public let fixtures: [WebFixture]
    /// Latency (virtual ms) of a HEAD to a URL with no fixture; its status is 404.
    public let unknownLatencyMs: Int64
    private let index: [String: WebFixture]

    /// Builds the table; earlier fixtures win over later ones for the same normalised URL.
    public init(_ fixtures: [WebFixture], unknownLatencyMs: Int64 = WebTable.defaultUnknownLatencyMs) {
        self.fixtures = fixtures
        self.unknownLatencyMs = max(0, unknownLatencyMs)
        var index: [String: WebFixture] = [:]
        for fixture in fixtures {
            let key = WebURL.normalize(fixture.url)
            if index[key] == nil { index[key] = fixture }
        }
        self.index = index
    }

    /// The fixture for `url` (after normalisation), or nil when the table does not know it.
    public func fixture(for url: String) -> WebFixture? {
        index[WebURL.normalize(url)]
    }

    /// The fixture for `url`, or a synthesised `404` row with `unknownLatencyMs` for unknown URLs.
    public func entry(for url: String) -> WebFixture {
        fixture(for: url) ?? WebFixture(url: WebURL.normalize(url), status: 404, latencyMs: unknownLatencyMs)
    }

    /// The flaky rate callers roll against before probing `url`: the fixture's, or 0 for unknown URLs.
    public func flakyRate(for url: String) -> Double {
        fixture(for: url)?.flakyRate ?? 0
    }

    /// The normalised form of `url` used as the table key; text that is not an absolute URL is only trimmed.
    public static func normalize(_ url: String) -> String {
        WebURL.normalize(url)
    }
}
