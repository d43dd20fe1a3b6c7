import HTTPKit

/// Fixture mode: real HEADs over TCP to a loopback `FixtureWebServer`, with the simulated probe's latency model.
///
/// Each hop is a real `HEAD /fixture?url=...` sent with `HTTPClient` (timeout `realTimeoutSeconds`, capped below the
/// server's flake hold); the status returned is the one received and redirects follow the real `Location` header.
/// The latency CHARGED is modelled from `table`, exactly as `SimulatedWebProbe` does, so for the same table and the
/// same flakes both probes return equal outcomes. A flaked probe sends `X-Sim-Flake: 1` on its first request, which
/// the server holds past the client's timeout. A real timeout is charged `timeoutMs`; a connection failure (server
/// not running) is charged the modelled latency so far, with no status.
public struct FixtureWebProbe: WebProbe {
    /// The server asked; it must be started before probing.
    public let server: FixtureWebServer
    /// Table the latencies are modelled from (normally the server's table).
    public let table: WebTable
    /// Budget for the whole probe, in virtual milliseconds.
    public let timeoutMs: Int64
    /// Wall-clock timeout of each real request, in seconds.
    public let realTimeoutSeconds: Double

    /// Creates a probe against `server`, modelling latency from `table` (default: the server's table).
    ///
    /// `realTimeoutSeconds` is capped at half of the server's `flakeHoldSeconds` so that a held request always
    /// times out on the client first.
    public init(server: FixtureWebServer, table: WebTable? = nil, timeoutMs: Int64, realTimeoutSeconds: Double = 1) {
        self.server = server
        self.table = table ?? server.table
        self.timeoutMs = max(0, timeoutMs)
        self.realTimeoutSeconds = max(0.001, min(realTimeoutSeconds, server.flakeHoldSeconds / 2))
    }

    /// HEADs `url` through the fixture server.
    public func head(_ url: String, flake: Bool) -> ProbeOutcome {
        RedirectWalker.walk(start: url, timeoutMs: timeoutMs) { _, current, hop, _ in
            let port = server.port
            guard port != 0 else { return (.failed("fixture web server is not running"), 0) }
            var headers: [(name: String, value: String)] = []
            if flake && hop == 0 { headers.append((WebProbeRules.flakeHeader, "1")) }
            let request = HTTPRequest(method: "HEAD", path: FixtureWebServer.fixturePath,
                                      query: [("url", current)], headers: headers)
            let response: HTTPResponse
            do throws(HTTPClientError) {
                response = try HTTPClient.send(request, host: FixtureWebServer.host, port: port,
                                               timeout: realTimeoutSeconds)
            } catch .timedOut {
                return (.timedOut, timeoutMs)
            } catch {
                return (.failed(error.description), 0)
            }
            let modelled = table.entry(for: current).latencyMs
            var location: String?
            if WebProbeRules.isRedirect(response.status), let header = response.header("Location") {
                guard let probed = server.probedURL(fromLocation: header) else {
                    return (.failed("redirect outside the fixture web: \(header)"), modelled)
                }
                location = probed
            }
            return (.response(status: response.status, location: location), modelled)
        }
    }
}
