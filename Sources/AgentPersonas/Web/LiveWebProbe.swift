import Dispatch
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HTTPKit
import Synchronization

/// Live mode: real HEADs to the URL as given, over the network.
///
/// `http://` goes through `HTTPClient` (host, port, path and query from the URL; the query is re-encoded by the
/// client, so `+` is sent as `%20`); `https://` goes through `URLSession` with redirects disabled, so every hop is
/// counted and followed by the same rules as the other modes. The timeout covers the whole probe; the latency
/// charged is the measured wall time, rounded to ms (a timeout is charged `timeoutMs`).
///
/// This is the one mode whose statuses depend on the outside world, so its results are not reproducible.
/// `flake: true` is still honoured, without any network traffic: the probe is a timeout, charged `timeoutMs`.
public struct LiveWebProbe: WebProbe {
    /// How `http://` URLs are fetched; tests use `.urlSession` to exercise the HTTPS path against loopback.
    enum HTTPTransport: Sendable {
        case socket
        case urlSession
    }

    /// Budget for the whole probe, in milliseconds of wall time.
    public let timeoutMs: Int64
    let httpTransport: HTTPTransport

    /// Creates a live probe with a whole-probe timeout of `timeoutMs`.
    public init(timeoutMs: Int64) {
        self.init(timeoutMs: timeoutMs, httpTransport: .socket)
    }

    init(timeoutMs: Int64, httpTransport: HTTPTransport) {
        self.timeoutMs = max(0, timeoutMs)
        self.httpTransport = httpTransport
    }

    /// HEADs `url` for real.
    public func head(_ url: String, flake: Bool) -> ProbeOutcome {
        if flake { return RedirectWalker.timeout(WebURL.normalize(url), 0, timeoutMs) }
        return RedirectWalker.walk(start: url, timeoutMs: timeoutMs) { parsed, text, _, elapsedMs in
            guard let parsed else { return (.failed("not an absolute http(s) URL: '\(text)'"), 0) }
            let remainingMs = timeoutMs - elapsedMs
            guard remainingMs > 0 else { return (.timedOut, timeoutMs) }
            let started = ContinuousClock.now
            let result: HopResult
            switch (parsed.scheme, httpTransport) {
            case ("http", .socket): result = headOverSocket(parsed, timeout: Double(remainingMs) / 1000)
            case ("http", .urlSession), ("https", _): result = headOverURLSession(parsed, timeout: Double(remainingMs) / 1000)
            default: result = .failed("unsupported scheme '\(parsed.scheme)'")
            }
            let elapsed = ContinuousClock.now - started
            let ms = elapsed.components.seconds * 1000 + Int64((Double(elapsed.components.attoseconds) / 1e15).rounded())
            return (result, ms)
        }
    }

    private func headOverSocket(_ url: WebURL, timeout: Double) -> HopResult {
        guard let port = url.effectivePort else { return .failed("no port for '\(url.text)'") }
        let request = HTTPRequest(method: "HEAD", target: url.pathAndQuery,
                                  headers: [("Host", url.authority), ("User-Agent", LiveWebProbe.userAgent)])
        do throws(HTTPClientError) {
            let response = try HTTPClient.send(request, host: url.connectHost, port: port, timeout: timeout)
            return .response(status: response.status, location: response.header("Location"))
        } catch .timedOut {
            return .timedOut
        } catch {
            return .failed(error.description)
        }
    }

    private func headOverURLSession(_ url: WebURL, timeout: Double) -> HopResult {
        guard let target = URL(string: url.text) else { return .failed("URL not accepted by URLSession: '\(url.text)'") }
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.urlCache = nil
        configuration.httpCookieStorage = nil
        let session = URLSession(configuration: configuration, delegate: RedirectRefuser(), delegateQueue: nil)
        defer { session.invalidateAndCancel() }

        var request = URLRequest(url: target, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
        request.httpMethod = "HEAD"
        request.setValue(LiveWebProbe.userAgent, forHTTPHeaderField: "User-Agent")

        let box = Mutex<HopResult?>(nil)
        let done = DispatchSemaphore(value: 0)
        let task = session.dataTask(with: request) { _, response, error in
            let result: HopResult
            if let http = response as? HTTPURLResponse {
                let location = http.allHeaderFields.first { key, _ in
                    (key as? String)?.lowercased() == "location"
                }?.value as? String
                result = .response(status: http.statusCode, location: location)
            } else if let error = error as? URLError, error.code == .timedOut {
                result = .timedOut
            } else if let error {
                result = .failed("URLSession: \(error.localizedDescription)")
            } else {
                result = .failed("URLSession: no HTTP response")
            }
            box.withLock { $0 = result }
            done.signal()
        }
        task.resume()
        // A little slack over the session's own timeout, so its error (not ours) normally decides.
        if done.wait(timeout: .now() + .milliseconds(Int(timeout * 1000) + 50)) == .timedOut {
            task.cancel()
            return .timedOut
        }
        return box.withLock { $0 } ?? .failed("URLSession: no result")
    }

    static let userAgent = "ProofLayerSim-WebProbe/1"
}

/// Declines every redirect, so the 3xx response itself completes the task and the probe counts the hop.
private final class RedirectRefuser: NSObject, URLSessionTaskDelegate, Sendable {
    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void) {
        completionHandler(nil)
    }
}
