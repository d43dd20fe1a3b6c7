import Foundation
import Testing
@testable import AgentPersonas
@testable import HTTPKit

// MARK: - Shared table

/// A table exercising every rule: plain statuses, a 301 -> 302 -> 200 chain (with a relative hop), a loop, a ladder of
/// redirects (5 followed from /1, 6 from /0), latency over and exactly at the timeout, a flaky row and a redirect
/// into an unknown URL.
let webTimeoutMs: Int64 = 2000
let webFixtures: [WebFixture] = [
    WebFixture(url: "https://example.com/", status: 200, latencyMs: 120),
    WebFixture(url: "http://Example.COM/missing", status: 404, latencyMs: 80),
    WebFixture(url: "http://chain.test/start", status: 301, latencyMs: 10, redirectTo: "http://chain.test/second"),
    WebFixture(url: "http://chain.test/second", status: 302, latencyMs: 20, redirectTo: "/final?x=1"),
    WebFixture(url: "http://chain.test/final?x=1", status: 200, latencyMs: 30),
    WebFixture(url: "http://loop.test/a", status: 301, latencyMs: 5, redirectTo: "http://loop.test/b"),
    WebFixture(url: "http://loop.test/b", status: 307, latencyMs: 5, redirectTo: "http://loop.test/a"),
    WebFixture(url: "http://ladder.test/0", status: 301, latencyMs: 1, redirectTo: "/1"),
    WebFixture(url: "http://ladder.test/1", status: 301, latencyMs: 1, redirectTo: "/2"),
    WebFixture(url: "http://ladder.test/2", status: 302, latencyMs: 1, redirectTo: "/3"),
    WebFixture(url: "http://ladder.test/3", status: 303, latencyMs: 1, redirectTo: "/4"),
    WebFixture(url: "http://ladder.test/4", status: 307, latencyMs: 1, redirectTo: "/5"),
    WebFixture(url: "http://ladder.test/5", status: 308, latencyMs: 1, redirectTo: "/6"),
    WebFixture(url: "http://ladder.test/6", status: 200, latencyMs: 1),
    WebFixture(url: "http://slow.test/", status: 200, latencyMs: 5000),
    WebFixture(url: "http://edge.test/", status: 200, latencyMs: 2000),
    WebFixture(url: "http://slowchain.test/a", status: 301, latencyMs: 1500, redirectTo: "http://slowchain.test/b"),
    WebFixture(url: "http://slowchain.test/b", status: 200, latencyMs: 600),
    WebFixture(url: "http://flaky.test/", status: 200, latencyMs: 10, flakyRate: 0.3),
    WebFixture(url: "http://gone.test/", status: 301, latencyMs: 10, redirectTo: "http://nowhere.test/x"),
    WebFixture(url: "http://down.test/", status: 503, latencyMs: 40),
    WebFixture(url: "http://bare.test/", status: 302, latencyMs: 15),
]
let webTable = WebTable(webFixtures)
let simulated = SimulatedWebProbe(table: webTable, timeoutMs: webTimeoutMs)

// MARK: - URL normalisation

@Suite struct WebURLTests {
    @Test func schemeAndHostAreLowerCasedAndAnEmptyPathIsASlash() {
        #expect(WebTable.normalize("HTTPS://Example.COM") == "https://example.com/")
        #expect(WebTable.normalize("http://Example.com?q=A") == "http://example.com/?q=A")
        #expect(WebTable.normalize("http://example.com:80/Path#frag") == "http://example.com/Path")
        #expect(WebTable.normalize("https://example.com:8443/x") == "https://example.com:8443/x")
        #expect(WebTable.normalize("http://[::1]:8080/") == "http://[::1]:8080/")
        #expect(WebTable.normalize("  not a url ") == "not a url")
        #expect(webTable.fixture(for: "HTTPS://EXAMPLE.com") == webFixtures[0])
        #expect(webTable.fixture(for: "https://example.com/PATH") == nil)
    }

    @Test func redirectTargetsResolveAgainstTheCurrentURL() throws {
        let base = try #require(WebURL("http://h.test/a/b?q=1"))
        #expect(base.resolve("/x")?.text == "http://h.test/x")
        #expect(base.resolve("c")?.text == "http://h.test/a/c")
        #expect(base.resolve("?z=2")?.text == "http://h.test/a/b?z=2")
        #expect(base.resolve("//other.test")?.text == "http://other.test/")
        #expect(base.resolve("HTTPS://Other.test/p")?.text == "https://other.test/p")
        #expect(base.resolve("") == nil)
    }

    @Test func malformedURLsAreRejected() {
        #expect(WebURL("example.com/x") == nil)
        #expect(WebURL("http:///x") == nil)
        #expect(WebURL("http://h:99999/") == nil)
        #expect(WebURL("http://h:8x/") == nil)
        #expect(WebURL("1http://h/") == nil)
    }

    @Test func firstFixtureWinsForTheSameNormalisedURL() {
        let table = WebTable([WebFixture(url: "http://dup.test", status: 200, latencyMs: 1),
                              WebFixture(url: "HTTP://DUP.test/", status: 500, latencyMs: 2)])
        #expect(table.fixture(for: "http://dup.test/")?.status == 200)
    }
}

// MARK: - Simulated

@Suite struct SimulatedWebProbeTests {
    @Test func a200FixtureIsLiveAndChargedItsLatency() {
        let outcome = simulated.head("https://example.com", flake: false)
        #expect(outcome == ProbeOutcome(finalStatus: 200, finalURL: "https://example.com/", redirects: 0,
                                        latencyMs: 120, error: nil))
        #expect(outcome.isLive)
    }

    @Test func a404FixtureIsNotLive() {
        let outcome = simulated.head("http://example.com/missing", flake: false)
        #expect(outcome.finalStatus == 404)
        #expect(outcome.latencyMs == 80)
        #expect(!outcome.isLive)
        #expect(outcome.error == nil)
    }

    @Test func anUnknownURLIs404WithTheDefaultLatency() {
        let outcome = simulated.head("http://unknown.test/page", flake: false)
        #expect(outcome == ProbeOutcome(finalStatus: 404, finalURL: "http://unknown.test/page", redirects: 0,
                                        latencyMs: WebTable.defaultUnknownLatencyMs, error: nil))
        #expect(WebTable([], unknownLatencyMs: 7).entry(for: "http://u.test").latencyMs == 7)
        #expect(simulated.head("not a url", flake: false).finalStatus == 404)
    }

    @Test func a301To302To200ChainSumsLatenciesAndCountsHops() {
        let outcome = simulated.head("http://chain.test/start", flake: false)
        #expect(outcome == ProbeOutcome(finalStatus: 200, finalURL: "http://chain.test/final?x=1", redirects: 2,
                                        latencyMs: 60, error: nil))
        #expect(outcome.isLive)
    }

    @Test func aRedirectIntoAnUnknownURLEndsIn404() {
        let outcome = simulated.head("http://gone.test/", flake: false)
        #expect(outcome == ProbeOutcome(finalStatus: 404, finalURL: "http://nowhere.test/x", redirects: 1,
                                        latencyMs: 10 + WebTable.defaultUnknownLatencyMs, error: nil))
    }

    @Test func aRedirectStatusWithoutATargetIsFinal() {
        let outcome = simulated.head("http://bare.test/", flake: false)
        #expect(outcome == ProbeOutcome(finalStatus: 302, finalURL: "http://bare.test/", redirects: 0,
                                        latencyMs: 15, error: nil))
        #expect(!outcome.isLive)
    }

    @Test func aRedirectLoopEndsWithAnError() {
        let outcome = simulated.head("http://loop.test/a", flake: false)
        #expect(outcome == ProbeOutcome(finalStatus: 307, finalURL: "http://loop.test/b", redirects: 1,
                                        latencyMs: 10, error: "redirect loop: http://loop.test/a was already visited"))
        #expect(!outcome.isLive)
    }

    @Test func fiveRedirectsAreFollowedButASixthIsTooMany() {
        let five = simulated.head("http://ladder.test/1", flake: false)
        #expect(five == ProbeOutcome(finalStatus: 200, finalURL: "http://ladder.test/6", redirects: 5,
                                     latencyMs: 6, error: nil))
        let six = simulated.head("http://ladder.test/0", flake: false)
        #expect(six == ProbeOutcome(finalStatus: 308, finalURL: "http://ladder.test/5", redirects: 5,
                                    latencyMs: 6, error: "too many redirects (more than 5)"))
        #expect(!six.isLive)
    }

    @Test func latencyOverTheTimeoutIsATimeoutChargedTheTimeout() {
        #expect(simulated.head("http://slow.test/", flake: false)
                == ProbeOutcome(finalStatus: nil, finalURL: "http://slow.test/", redirects: 0, latencyMs: 2000,
                                error: "timed out after 2000 ms"))
        // The budget covers the whole chain: 1500 + 600 > 2000 although each hop fits.
        #expect(simulated.head("http://slowchain.test/a", flake: false)
                == ProbeOutcome(finalStatus: nil, finalURL: "http://slowchain.test/b", redirects: 1, latencyMs: 2000,
                                error: "timed out after 2000 ms"))
        // Exactly at the timeout is still in time.
        #expect(simulated.head("http://edge.test/", flake: false).finalStatus == 200)
        #expect(simulated.head("http://edge.test/", flake: false).latencyMs == 2000)
    }

    @Test func aFlakeIsATimeoutChargedTheTimeout() {
        for url in ["http://flaky.test/", "http://chain.test/start", "http://unknown.test/"] {
            let outcome = simulated.head(url, flake: true)
            #expect(outcome == ProbeOutcome(finalStatus: nil, finalURL: WebTable.normalize(url), redirects: 0,
                                            latencyMs: webTimeoutMs, error: "timed out after 2000 ms"))
            #expect(!outcome.isLive)
        }
        #expect(webTable.flakyRate(for: "http://FLAKY.test") == 0.3)
        #expect(webTable.flakyRate(for: "http://unknown.test/") == 0)
    }
}

// MARK: - Fixture server

/// Every URL of the table plus an unknown one.
let probedURLs = webFixtures.map(\.url) + ["http://unknown.test/page"]

@Suite struct FixtureWebTests {
    @Test func fixtureProbeEqualsSimulatedOverTheWholeTableWithoutFlakes() throws {
        let server = FixtureWebServer(table: webTable, flakeHoldSeconds: 10)
        try server.start()
        defer { server.stop() }
        let probe = FixtureWebProbe(server: server, table: webTable, timeoutMs: webTimeoutMs, realTimeoutSeconds: 3)
        for url in probedURLs {
            #expect(probe.head(url, flake: false) == simulated.head(url, flake: false), "\(url)")
        }
    }

    @Test func fixtureProbeEqualsSimulatedOverTheWholeTableWithFlakes() throws {
        let server = FixtureWebServer(table: webTable, flakeHoldSeconds: 0.15, threads: 8)
        try server.start()
        defer { server.stop() }
        let probe = FixtureWebProbe(server: server, table: webTable, timeoutMs: webTimeoutMs, realTimeoutSeconds: 0.05)
        #expect(probe.realTimeoutSeconds == 0.05)
        for url in probedURLs {
            #expect(probe.head(url, flake: true) == simulated.head(url, flake: true), "\(url)")
        }
    }

    @Test func fixtureServerAnswersAReal404OverTCP() throws {
        let server = FixtureWebServer(table: webTable)
        let port = try server.start()
        defer { server.stop() }
        for url in ["http://example.com/missing", "http://unknown.test/"] {
            let response = try HTTPClient.send(HTTPRequest(method: "HEAD", target: FixtureWebServer.requestTarget(for: url)),
                                               host: "127.0.0.1", port: port, timeout: 5)
            #expect(response.status == 404)
            #expect(response.header("X-Sim-URL") == WebTable.normalize(url))
        }
        let outcome = FixtureWebProbe(server: server, timeoutMs: webTimeoutMs).head("http://example.com/missing", flake: false)
        #expect(outcome.finalStatus == 404)
    }

    @Test func fixtureRedirectsCarryALocationBackIntoTheServerAndAreFollowedOverTCP() throws {
        let server = FixtureWebServer(table: webTable)
        let port = try server.start()
        defer { server.stop() }
        let first = try HTTPClient.send(HTTPRequest(method: "HEAD", target: FixtureWebServer.requestTarget(for: "http://chain.test/start")),
                                        host: "127.0.0.1", port: port, timeout: 5)
        #expect(first.status == 301)
        let location = try #require(first.header("Location"))
        #expect(location == "http://127.0.0.1:\(port)/fixture?url=http%3A%2F%2Fchain.test%2Fsecond")
        #expect(server.probedURL(fromLocation: location) == "http://chain.test/second")
        // The relative redirect_to of the second hop is resolved by the server.
        let second = try HTTPClient.send(HTTPRequest(method: "HEAD", target: FixtureWebServer.requestTarget(for: "http://chain.test/second")),
                                         host: "127.0.0.1", port: port, timeout: 5)
        #expect(second.status == 302)
        #expect(second.header("Location").flatMap(server.probedURL(fromLocation:)) == "http://chain.test/final?x=1")

        let outcome = FixtureWebProbe(server: server, timeoutMs: webTimeoutMs).head("http://chain.test/start", flake: false)
        #expect(outcome == ProbeOutcome(finalStatus: 200, finalURL: "http://chain.test/final?x=1", redirects: 2,
                                        latencyMs: 60, error: nil))
        #expect(server.probedURL(fromLocation: "http://127.0.0.1:1/fixture?url=x") == nil)
        #expect(server.probedURL(fromLocation: "/elsewhere?url=x") == nil)
    }

    @Test func headResponseHasNoBodyButGetHasOne() throws {
        let server = FixtureWebServer(table: webTable)
        let port = try server.start()
        defer { server.stop() }
        func raw(_ method: String) throws -> (head: String, body: [UInt8]) {
            let deadline = monotonicSeconds() + 5
            let socket = try ClientSocket.connect(host: "127.0.0.1", port: port, deadline: deadline, timeoutSeconds: 5)
            let target = FixtureWebServer.requestTarget(for: "https://example.com/")
            try socket.write(Array("\(method) \(target) HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8),
                             deadline: deadline)
            let bytes = try socket.readToEnd(deadline: deadline, limit: 1 << 20)
            let separator = Array("\r\n\r\n".utf8)
            let end = try #require((0...(bytes.count - separator.count)).first { Array(bytes[$0..<($0 + 4)]) == separator })
            return (String(decoding: bytes[..<end], as: UTF8.self), Array(bytes[(end + 4)...]))
        }
        let head = try raw("HEAD")
        #expect(head.head.hasPrefix("HTTP/1.1 200"))
        #expect(head.body.isEmpty)
        let get = try raw("GET")
        #expect(get.head.hasPrefix("HTTP/1.1 200"))
        #expect(String(decoding: get.body, as: UTF8.self) == "200 https://example.com/\n")
    }

    @Test func aStoppedFixtureServerIsAConnectionFailureWithoutStatus() throws {
        let server = FixtureWebServer(table: webTable)
        try server.start()
        server.stop()
        let outcome = FixtureWebProbe(server: server, timeoutMs: webTimeoutMs).head("https://example.com/", flake: false)
        #expect(outcome.finalStatus == nil)
        #expect(outcome.error == "fixture web server is not running")
        #expect(outcome.latencyMs == 0)
    }

    @Test func realTimeoutIsCappedBelowTheFlakeHold() {
        let server = FixtureWebServer(table: webTable, flakeHoldSeconds: 1)
        #expect(FixtureWebProbe(server: server, timeoutMs: 100, realTimeoutSeconds: 5).realTimeoutSeconds == 0.5)
    }
}

// MARK: - Live (loopback only)

/// A loopback site: /ok 200, /missing 404, /old 301 -> /ok (relative), /abs 302 -> absolute /ok, /loop 301 -> /loop,
/// /sleep answers 200 after 0.5 s.
final class LoopbackSite: HTTPHandler {
    func handle(_ request: HTTPRequest) -> HTTPResponse {
        let methodHeader = ("X-Method", request.method)
        switch request.path {
        case "/ok": return HTTPResponse(status: 200, headers: [methodHeader], body: Array("hello".utf8))
        case "/old": return HTTPResponse(status: 301, headers: [("Location", "/ok")])
        case "/abs": return HTTPResponse(status: 302, headers: [("Location", "http://\(request.header("Host") ?? "")/ok")])
        case "/loop": return HTTPResponse(status: 301, headers: [("Location", "/loop")])
        case "/sleep":
            Thread.sleep(forTimeInterval: 0.5)
            return HTTPResponse(status: 200)
        default: return HTTPResponse(status: 404)
        }
    }
}

/// Runs `body` against a started loopback site, always stopping it.
func withLoopbackSite(_ body: (UInt16) throws -> Void) throws {
    let server = HTTPServer(configuration: .init(host: "127.0.0.1", port: 0, threads: 4, shutdownGraceSeconds: 2),
                            handler: LoopbackSite())
    let port = try server.start()
    defer { server.stop() }
    try body(port)
}

@Suite struct LiveWebProbeTests {
    static let transports: [LiveWebProbe.HTTPTransport] = [.socket, .urlSession]

    @Test(arguments: transports) func liveProbeReads200And404(_ transport: LiveWebProbe.HTTPTransport) throws {
        try withLoopbackSite { port in
            let probe = LiveWebProbe(timeoutMs: 2000, httpTransport: transport)
            let ok = probe.head("http://127.0.0.1:\(port)/ok", flake: false)
            #expect(ok.finalStatus == 200)
            #expect(ok.isLive)
            #expect(ok.error == nil)
            #expect(ok.finalURL == "http://127.0.0.1:\(port)/ok")
            #expect((0..<2000).contains(ok.latencyMs))
            let missing = probe.head("http://127.0.0.1:\(port)/missing", flake: false)
            #expect(missing.finalStatus == 404)
            #expect(!missing.isLive)
        }
    }

    @Test(arguments: transports) func liveProbeFollows301WithLocationItself(_ transport: LiveWebProbe.HTTPTransport) throws {
        try withLoopbackSite { port in
            let probe = LiveWebProbe(timeoutMs: 2000, httpTransport: transport)
            let relative = probe.head("http://127.0.0.1:\(port)/old", flake: false)
            #expect(relative.finalStatus == 200)
            #expect(relative.redirects == 1)
            #expect(relative.finalURL == "http://127.0.0.1:\(port)/ok")
            let absolute = probe.head("http://127.0.0.1:\(port)/abs", flake: false)
            #expect(absolute.finalStatus == 200)
            #expect(absolute.redirects == 1)
            let loop = probe.head("http://127.0.0.1:\(port)/loop", flake: false)
            #expect(loop.finalStatus == 301)
            #expect(loop.redirects == 0)
            #expect(loop.error == "redirect loop: http://127.0.0.1:\(port)/loop was already visited")
        }
    }

    @Test(arguments: transports) func liveProbeTimesOutWhenTheServerSleepsPastTheTimeout(_ transport: LiveWebProbe.HTTPTransport) throws {
        try withLoopbackSite { port in
            let started = ContinuousClock.now
            let outcome = LiveWebProbe(timeoutMs: 200, httpTransport: transport)
                .head("http://127.0.0.1:\(port)/sleep", flake: false)
            let elapsed = ContinuousClock.now - started
            #expect(outcome == ProbeOutcome(finalStatus: nil, finalURL: "http://127.0.0.1:\(port)/sleep", redirects: 0,
                                            latencyMs: 200, error: "timed out after 200 ms"))
            #expect(elapsed < .milliseconds(450))
        }
    }

    @Test(arguments: transports) func liveProbeOnAClosedPortIsAConnectionFailure(_ transport: LiveWebProbe.HTTPTransport) throws {
        let server = HTTPServer(configuration: .init(host: "127.0.0.1", port: 0, threads: 1), handler: LoopbackSite())
        let port = try server.start()
        server.stop()
        let outcome = LiveWebProbe(timeoutMs: 1000, httpTransport: transport).head("http://127.0.0.1:\(port)/", flake: false)
        #expect(outcome.finalStatus == nil)
        #expect(outcome.error != nil)
        #expect(outcome.error != "timed out after 1000 ms")
        #expect(outcome.latencyMs < 1000)
        if transport == .socket {
            #expect(outcome.error == "connection refused by 127.0.0.1:\(port)")
        }
    }

    @Test func liveFlakeIsATimeoutWithoutTraffic() {
        // Port 9 on loopback is never contacted: a flake short-circuits before any connection.
        let outcome = LiveWebProbe(timeoutMs: 300).head("http://127.0.0.1:9/x", flake: true)
        #expect(outcome == ProbeOutcome(finalStatus: nil, finalURL: "http://127.0.0.1:9/x", redirects: 0,
                                        latencyMs: 300, error: "timed out after 300 ms"))
    }

    @Test func liveProbeRejectsURLsItCannotFetch() {
        let probe = LiveWebProbe(timeoutMs: 300)
        #expect(probe.head("not a url", flake: false).error == "not an absolute http(s) URL: 'not a url'")
        #expect(probe.head("ftp://127.0.0.1/x", flake: false).error == "unsupported scheme 'ftp'")
    }
}
