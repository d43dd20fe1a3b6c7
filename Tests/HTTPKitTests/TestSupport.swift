import Foundation
import Synchronization
@testable import HTTPKit

/// Records every request and answers with its body, echoing the method in a header.
final class RecordingHandler: HTTPHandler {
    let requests = Mutex<[HTTPRequest]>([])
    let delaySeconds: Double
    let responseBody: [UInt8]?

    init(delaySeconds: Double = 0, responseBody: [UInt8]? = nil) {
        self.delaySeconds = delaySeconds
        self.responseBody = responseBody
    }

    var count: Int { requests.withLock { $0.count } }
    var last: HTTPRequest? { requests.withLock { $0.last } }

    func handle(_ request: HTTPRequest) -> HTTPResponse {
        if delaySeconds > 0 { usleep(UInt32(delaySeconds * 1_000_000)) }
        requests.withLock { $0.append(request) }
        return HTTPResponse(status: 200,
                            headers: [("Content-Type", "application/octet-stream"), ("X-Echo-Method", request.method)],
                            body: responseBody ?? request.body)
    }
}

/// Starts a server on 127.0.0.1 with an ephemeral port, runs `body`, and always stops the server.
func withServer(_ handler: any HTTPHandler,
                configure: (inout HTTPServer.Configuration) -> Void = { _ in },
                _ body: (HTTPServer, UInt16) throws -> Void) throws {
    var configuration = HTTPServer.Configuration(host: "127.0.0.1", port: 0, threads: 2)
    configure(&configuration)
    let server = HTTPServer(configuration: configuration, handler: handler)
    let port = try server.start()
    defer { server.stop() }
    try body(server, port)
}

/// Writes raw bytes to the server and parses whatever response comes back.
func rawExchange(_ bytes: [UInt8], port: UInt16, method: String = "GET", timeout: Double = 5) throws -> HTTPResponse {
    let deadline = monotonicSeconds() + timeout
    let socket = try ClientSocket.connect(host: "127.0.0.1", port: port, deadline: deadline, timeoutSeconds: timeout)
    return try HTTPWire.exchange(bytes, method: method, on: socket, deadline: deadline).response
}

/// Waits briefly for the server's in-flight count to drain (completion callbacks run after the response is sent).
func settledInFlight(_ server: HTTPServer) -> Int {
    let deadline = monotonicSeconds() + 2
    while server.requestsInFlight > 0 && monotonicSeconds() < deadline { usleep(2_000) }
    return server.requestsInFlight
}

extension HTTPResponse {
    var text: String { String(decoding: body, as: UTF8.self) }
}
