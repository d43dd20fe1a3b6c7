import Foundation
import Testing
@testable import HTTPKit

#if canImport(Glibc)
import Glibc
#endif

@Suite struct HTTPClientTests {
    @Test func clientTimesOutAgainstAHandlerSlowerThanTheTimeout() throws {
        let handler = RecordingHandler(delaySeconds: 0.5)
        try withServer(handler) { _, port in
            let started = monotonicSeconds()
            #expect(throws: HTTPClientError.timedOut(seconds: 0.2)) {
                try HTTPClient.send(HTTPRequest(method: "GET", path: "/slow"), host: "127.0.0.1", port: port, timeout: 0.2)
            }
            let elapsed = monotonicSeconds() - started
            #expect(elapsed >= 0.19 && elapsed < 0.45)
        }
    }

    @Test func closedPortIsConnectionRefused() throws {
        // Bind and close a socket to find a port nothing listens on.
        let fd = try ListenSocket.open(host: "127.0.0.1", port: 0)
        let port = try ListenSocket.localPort(fd)
        close(fd)
        #expect(throws: HTTPClientError.connectionRefused(host: "127.0.0.1", port: port)) {
            try HTTPClient.send(HTTPRequest(method: "GET", path: "/"), host: "127.0.0.1", port: port, timeout: 1)
        }
        let connection = HTTPConnection(host: "127.0.0.1", port: port, timeout: 1)
        #expect(throws: HTTPClientError.connectionRefused(host: "127.0.0.1", port: port)) {
            try connection.send(HTTPRequest(method: "GET", path: "/"))
        }
    }

    @Test func silentServerIsATimeoutNotAHang() throws {
        // A listening socket that never accepts or answers.
        let fd = try ListenSocket.open(host: "127.0.0.1", port: 0)
        defer { close(fd) }
        let port = try ListenSocket.localPort(fd)
        #expect(throws: HTTPClientError.timedOut(seconds: 0.15)) {
            try HTTPClient.send(HTTPRequest(method: "GET", path: "/"), host: "127.0.0.1", port: port, timeout: 0.15)
        }
    }

    @Test func localhostNameResolves() throws {
        try withServer(RecordingHandler()) { _, port in
            let response = try HTTPClient.send(HTTPRequest(method: "GET", path: "/"), host: "localhost", port: port,
                                               timeout: .seconds(2))
            #expect(response.status == 200)
        }
    }

    @Test func headersWithLineBreaksAreRejectedBeforeSending() {
        let request = HTTPRequest(method: "GET", path: "/", headers: [("X-A", "1\r\nX-B: 2")])
        #expect(throws: HTTPClientError.invalidRequest("header 'X-A' contains CR, LF or NUL")) {
            try HTTPClient.send(request, host: "127.0.0.1", port: 1, timeout: 1)
        }
        #expect(throws: HTTPClientError.self) {
            try HTTPClient.send(HTTPRequest(method: "G ET", path: "/"), host: "127.0.0.1", port: 1, timeout: 1)
        }
    }

    @Test func targetPercentEncodesQueryAndUnsafePathBytes() {
        let request = HTTPRequest(method: "GET", path: "/a b/%41", query: [("k y", "v&=+/é")])
        #expect(HTTPWire.target(of: request) == "/a%20b/%41?k%20y=v%26%3D%2B%2F%C3%A9")
        #expect(HTTPWire.target(of: HTTPRequest(method: "GET", path: "")) == "/")
    }

    @Test func keepAliveConnectionReusesItsSocketAndSurvivesServerRestart() throws {
        let handler = RecordingHandler()
        let server = HTTPServer(configuration: .init(port: 0, threads: 1), handler: handler)
        let port = try server.start()
        let connection = HTTPConnection(host: "127.0.0.1", port: port, timeout: 2)
        for index in 0..<20 {
            let response = try connection.send(HTTPRequest(method: "GET", path: "/n", query: [("i", String(index))]))
            #expect(response.status == 200)
        }
        // The server closes the idle socket on stop; the next GET transparently reconnects.
        server.stop()
        var configuration = server.configuration
        configuration.port = port
        let restarted = HTTPServer(configuration: configuration, handler: handler)
        _ = try restarted.start()
        defer { restarted.stop() }
        #expect(try connection.send(HTTPRequest(method: "GET", path: "/after")).status == 200)
        #expect(handler.count == 21)
    }

    @Test func responsesAreParsedByLengthChunkedAndClose() throws {
        let cases: [(String, String)] = [
            ("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcEXTRA", "abc"),
            ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nT: x\r\n\r\n", "abcde"),
            ("HTTP/1.0 200 OK\r\n\r\nuntil close", "until close"),
            ("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok", "ok"),
        ]
        for (wire, expected) in cases {
            let response = try cannedResponse(wire)
            #expect(response.text == expected)
        }
        #expect(throws: HTTPClientError.self) { try cannedResponse("SMTP ready\r\n\r\n") }
        #expect(throws: HTTPClientError.self) { try cannedResponse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort") }
        #expect(throws: HTTPClientError.self) { try cannedResponse("HTTP/1.1 200 OK\r\nBroken header\r\n\r\n") }
    }

    /// Serves `wire` once from a raw listening socket and parses it with the client.
    private func cannedResponse(_ wire: String) throws -> HTTPResponse {
        let listener = try ListenSocket.open(host: "127.0.0.1", port: 0)
        defer { close(listener) }
        let port = try ListenSocket.localPort(listener)
        let bytes = Array(wire.utf8)
        let thread = Thread {
            var entry = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, 2000) == 1 else { return }
            let peer = accept(listener, nil, nil)
            guard peer >= 0 else { return }
            var scratch = [UInt8](repeating: 0, count: 4096)
            _ = recv(peer, &scratch, scratch.count, 0)
            _ = bytes.withUnsafeBytes { send(peer, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            shutdown(peer, Int32(SHUT_WR))
            usleep(50_000)
            close(peer)
        }
        thread.start()
        return try HTTPClient.send(HTTPRequest(method: "GET", path: "/"), host: "127.0.0.1", port: port, timeout: 2)
    }
}

@Suite struct ShutdownSignalTests {
    @Test func sigtermIsDeliveredToWaitInsteadOfKillingTheProcess() {
        #expect(ShutdownSignal.install())
        #expect(ShutdownSignal.wait(timeout: 0.01) == nil)
        kill(getpid(), SIGTERM)
        #expect(ShutdownSignal.wait(timeout: 2) == SIGTERM)
        kill(getpid(), SIGINT)
        #expect(ShutdownSignal.wait(timeout: 2) == SIGINT)
    }
}
