import Foundation
import HTTPKit
import Synchronization

/// A loopback HTTP server (127.0.0.1, ephemeral port) that serves a `WebTable`, so fixture mode makes real HEADs.
///
/// Wire format: the URL being probed travels percent-encoded in the query, `GET|HEAD /fixture?url=<URL>`
/// (see `requestTarget(for:)`). The answer is the fixture's status (404 for unknown URLs); redirect statuses with a
/// `redirectTo` carry `Location: http://127.0.0.1:<port>/fixture?url=<resolved redirectTo>`, i.e. the server's own
/// encoding of the target, so a client that follows `Location` stays inside the fixture web. Every answer carries
/// `X-Sim-URL` (the normalised URL answered for). HEAD answers have no body; GET answers a one-line text body.
/// The server does not sleep for `latencyMs`: latency is modelled, and charged by the probe from the table.
///
/// Flakes: a request with `X-Sim-Flake: 1` is held for `flakeHoldSeconds` (longer than the client's real timeout)
/// and then answered 503, so the client sees a timeout, matching the simulated probe. `stop()` cuts holds short.
/// Other paths get 404, a `/fixture` request without `url` gets 400.
///
/// Thread safety: `start()`/`stop()` may be called from any thread; requests are served on the server's threads.
public final class FixtureWebServer: Sendable {
    /// The path of fixture requests.
    public static let fixturePath = "/fixture"
    /// The address the server listens on.
    public static let host = "127.0.0.1"

    /// The table served.
    public let table: WebTable
    /// How long a flaked request is held before its (too late) 503.
    public let flakeHoldSeconds: Double
    private let handler: FixtureWebHandler
    private let server: HTTPServer

    /// Creates a stopped server for `table`; `threads` bounds how many requests (held flakes included) run at once.
    public init(table: WebTable, flakeHoldSeconds: Double = 2, threads: Int = 4) {
        self.table = table
        self.flakeHoldSeconds = max(0, flakeHoldSeconds)
        self.handler = FixtureWebHandler(table: table, flakeHoldSeconds: self.flakeHoldSeconds)
        let configuration = HTTPServer.Configuration(host: FixtureWebServer.host, port: 0,
                                                     connectionTimeoutSeconds: 10,
                                                     maxConnections: 256, threads: max(1, min(threads, 64)),
                                                     shutdownGraceSeconds: 2)
        self.server = HTTPServer(configuration: configuration, handler: handler)
    }

    deinit {
        stop()
    }

    /// Starts listening on 127.0.0.1 with an ephemeral port and returns that port.
    @discardableResult
    public func start() throws(HTTPServerError) -> UInt16 {
        handler.stopping.store(false, ordering: .releasing)
        let port = try server.start()
        handler.port.store(port, ordering: .releasing)
        return port
    }

    /// Stops the server (idempotent); held flaked requests are released first.
    public func stop() {
        handler.stopping.store(true, ordering: .releasing)
        server.stop()
        handler.port.store(0, ordering: .releasing)
    }

    /// The bound port while running, 0 when stopped.
    public var port: UInt16 { server.port }

    /// The request target that asks this server about `url`: `/fixture?url=<percent-encoded url>`.
    public static func requestTarget(for url: String) -> String {
        "\(fixturePath)?url=\(url.percentEncodedUnreserved())"
    }

    /// The absolute URL on this server that stands for `url` (as sent in `Location`).
    public func serverURL(for url: String) -> String {
        "http://\(FixtureWebServer.host):\(port)\(FixtureWebServer.requestTarget(for: url))"
    }

    /// The probed URL carried by a `Location` of this server (absolute or `/fixture?...`); nil for anything else.
    public func probedURL(fromLocation location: String) -> String? {
        let target: String
        if location.hasPrefix("/") {
            target = location
        } else {
            guard let parsed = WebURL(location), parsed.scheme == "http",
                  parsed.host == FixtureWebServer.host, parsed.port == port else { return nil }
            target = parsed.pathAndQuery
        }
        let (path, query) = HTTPRequest.splitTarget(target)
        guard path == FixtureWebServer.fixturePath else { return nil }
        return query.first { $0.name == "url" }?.value
    }
}

/// Answers fixture requests from the table.
private final class FixtureWebHandler: HTTPHandler {
    let table: WebTable
    let flakeHoldSeconds: Double
    let port = Atomic<UInt16>(0)
    let stopping = Atomic<Bool>(false)

    init(table: WebTable, flakeHoldSeconds: Double) {
        self.table = table
        self.flakeHoldSeconds = flakeHoldSeconds
    }

    func handle(_ request: HTTPRequest) -> HTTPResponse {
        let isHead = request.method.uppercased() == "HEAD"
        guard request.path == FixtureWebServer.fixturePath else {
            return answer(404, "not a fixture request", isHead: isHead)
        }
        guard let url = request.queryValue("url") else {
            return answer(400, "missing query parameter 'url'", isHead: isHead)
        }
        if request.header(WebProbeRules.flakeHeader) == "1" {
            hold()
            return answer(503, "flaked", isHead: isHead)
        }
        let normalized = WebURL.normalize(url)
        let entry = table.entry(for: normalized)
        var headers: [(name: String, value: String)] = [("X-Sim-URL", normalized)]
        if WebProbeRules.isRedirect(entry.status), let redirectTo = entry.redirectTo {
            // Resolve relative targets here, so the client only ever sees absolute fixture URLs.
            let target = WebURL(normalized)?.resolve(redirectTo)?.text ?? redirectTo
            let base = "http://\(FixtureWebServer.host):\(port.load(ordering: .acquiring))"
            headers.append(("Location", base + FixtureWebServer.requestTarget(for: target)))
        }
        return answer(entry.status, "\(entry.status) \(normalized)", isHead: isHead, headers: headers)
    }

    private func answer(_ status: Int, _ text: String, isHead: Bool,
                        headers: [(name: String, value: String)] = []) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "text/plain; charset=utf-8")] + headers,
                     body: isHead ? [] : Array((text + "\n").utf8))
    }

    /// Sleeps `flakeHoldSeconds` in short steps, returning early once the server is stopping.
    private func hold() {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: .milliseconds(Int64((flakeHoldSeconds * 1000).rounded(.up))))
        while clock.now < deadline && !stopping.load(ordering: .acquiring) {
            Thread.sleep(forTimeInterval: 0.005)
        }
    }
}
