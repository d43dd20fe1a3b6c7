import Foundation
import Synchronization
import Testing
@testable import HTTPKit

#if canImport(Glibc)
import Glibc
#endif

@Suite struct HTTPServerTests {
    @Test func methodPathQueryHeadersAndBodySurviveTheSocketRoundTrip() throws {
        let handler = RecordingHandler()
        try withServer(handler) { _, port in
            let body: [UInt8] = [0, 1, 2, 0xFF, 0xFE] + Array("{\"k\":\"v\"}".utf8)
            let request = HTTPRequest(method: "POST", path: "/api/tasks/a%20b",
                                      query: [("x", "1"), ("y", "hello world"), ("x", "2"), ("mark", "✓ & = ?")],
                                      headers: [("X-Custom", "value one"), ("Content-Type", "application/json")],
                                      body: body)
            let response = try HTTPClient.send(request, host: "127.0.0.1", port: port, timeout: 5)
            #expect(response.status == 200)
            #expect(response.body == body)
            #expect(response.header("x-echo-method") == "POST")

            let seen = try #require(handler.last)
            #expect(seen.method == "POST")
            #expect(seen.path == "/api/tasks/a%20b")
            #expect(seen.query.map { "\($0.name)=\($0.value)" } == ["x=1", "y=hello world", "x=2", "mark=✓ & = ?"])
            #expect(seen.header("X-Custom") == "value one")
            #expect(seen.header("content-type") == "application/json")
            #expect(seen.header("Content-Length") == String(body.count))
            #expect(seen.body == body)
        }
    }

    @Test func rawQueryIsDecodedWithPlusAsSpaceAndKeepsOrder() throws {
        let handler = RecordingHandler()
        try withServer(handler) { _, port in
            let raw = "GET /p%2Fq?a=1+2&b=%41%42&a=3&flag HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
            let response = try rawExchange(Array(raw.utf8), port: port)
            #expect(response.status == 200)
            let seen = try #require(handler.last)
            #expect(seen.path == "/p%2Fq")
            #expect(seen.query.map { "\($0.name)=\($0.value)" } == ["a=1 2", "b=AB", "a=3", "flag="])
        }
    }

    @Test func bodyOverTheLimitWithContentLengthGets413AndSkipsTheHandler() throws {
        let handler = RecordingHandler()
        try withServer(handler, configure: { $0.maxBodyBytes = 1024 }) { server, port in
            let request = HTTPRequest(method: "POST", path: "/upload", body: [UInt8](repeating: 7, count: 4096))
            let response = try HTTPClient.send(request, host: "127.0.0.1", port: port, timeout: 5)
            #expect(response.status == 413)
            #expect(response.text == #"{"error":{"code":"payload_too_large","message":"request body exceeds 1024 bytes"}}"#)
            #expect(response.header("Content-Type")?.hasPrefix("application/json") == true)
            #expect(handler.count == 0)

            // Exactly at the limit is accepted.
            let atLimit = HTTPRequest(method: "POST", path: "/upload", body: [UInt8](repeating: 7, count: 1024))
            #expect(try HTTPClient.send(atLimit, host: "127.0.0.1", port: port, timeout: 5).status == 200)
            #expect(handler.count == 1)
            #expect(settledInFlight(server) == 0)
        }
    }

    @Test func hugeBodyWithContentLengthGets413BeforeTheUploadFinishes() throws {
        let handler = RecordingHandler()
        try withServer(handler, configure: { $0.maxBodyBytes = 1024 }) { _, port in
            // The server answers after the head and closes; the client still reads that early answer.
            let request = HTTPRequest(method: "PUT", path: "/upload", body: [UInt8](repeating: 1, count: 8 << 20))
            let response = try HTTPClient.send(request, host: "127.0.0.1", port: port, timeout: 5)
            #expect(response.status == 413)
            #expect(handler.count == 0)
        }
    }

    @Test func stalledRequestIsClosedAfterTheConnectionTimeout() throws {
        let handler = RecordingHandler()
        try withServer(handler, configure: { $0.connectionTimeoutSeconds = 1 }) { server, port in
            let started = monotonicSeconds()
            // A slowloris client: half a header, then silence.
            #expect(throws: HTTPClientError.connectionClosed("no response before the connection closed")) {
                try rawExchange(Array("GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ".utf8), port: port, timeout: 5)
            }
            let elapsed = monotonicSeconds() - started
            #expect(elapsed > 0.9 && elapsed < 3)
            #expect(handler.count == 0)
            #expect(settledInFlight(server) == 0)
        }
    }

    @Test func chunkedBodyOverTheLimitGets413AndSkipsTheHandler() throws {
        let handler = RecordingHandler()
        try withServer(handler, configure: { $0.maxBodyBytes = 1024 }) { server, port in
            var raw = Array("POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n".utf8)
            for _ in 0..<8 {
                raw += Array("200\r\n".utf8) + [UInt8](repeating: 0x41, count: 512) + Array("\r\n".utf8)
            }
            raw += Array("0\r\n\r\n".utf8)
            let response = try rawExchange(raw, port: port)
            #expect(response.status == 413)
            #expect(response.text.contains("payload_too_large"))
            #expect(handler.count == 0)
            #expect(settledInFlight(server) == 0)
        }
    }

    @Test func chunkedBodyWithinTheLimitIsReassembled() throws {
        let handler = RecordingHandler()
        try withServer(handler) { _, port in
            let raw = "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
            let response = try rawExchange(Array(raw.utf8), port: port)
            #expect(response.status == 200)
            #expect(response.text == "hello world")
            #expect(handler.last?.body == Array("hello world".utf8))
        }
    }

    @Test func oversizedHeadersAreRefusedWith4xxAndTheServerKeepsWorking() throws {
        let handler = RecordingHandler()
        try withServer(handler, configure: { $0.maxHeaderBytes = 4096 }) { server, port in
            let big = String(repeating: "a", count: 32 * 1024)
            let request = HTTPRequest(method: "GET", path: "/", headers: [("X-Big", big)])
            let response = try HTTPClient.send(request, host: "127.0.0.1", port: port, timeout: 5)
            #expect((400...499).contains(response.status))
            #expect(handler.count == 0)

            let longTarget = HTTPRequest(method: "GET", path: "/" + String(repeating: "p", count: 32 * 1024))
            let second = try HTTPClient.send(longTarget, host: "127.0.0.1", port: port, timeout: 5)
            #expect((400...499).contains(second.status))
            #expect(handler.count == 0)

            let ok = try HTTPClient.send(HTTPRequest(method: "GET", path: "/"), host: "127.0.0.1", port: port, timeout: 5)
            #expect(ok.status == 200)
            #expect(settledInFlight(server) == 0)
        }
    }

    @Test func garbageRequestGets400NotACrash() throws {
        let handler = RecordingHandler()
        try withServer(handler) { server, port in
            let garbage: [UInt8] = Array("\u{01}\u{02} NONSENSE\r\n\r\n".utf8)
            let response = try rawExchange(garbage, port: port)
            #expect(response.status == 400)

            let notHTTP = try rawExchange(Array("hello world\r\n\r\n".utf8), port: port)
            #expect(notHTTP.status == 400)

            let badHeaderLine = try rawExchange(Array("GET / HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n".utf8), port: port)
            #expect(badHeaderLine.status == 400)

            // A bare request line without a version is treated as HTTP/0.9 by libmicrohttpd: closed, no answer.
            do {
                let bare = try rawExchange(Array("GET\r\n\r\n".utf8), port: port)
                #expect(bare.status == 400)
            } catch let error as HTTPClientError {
                #expect(error == .connectionClosed("no response before the connection closed"))
            }

            let badLength = try rawExchange(
                Array("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: banana\r\n\r\n".utf8), port: port)
            #expect(badLength.status == 400)
            #expect(handler.count == 0)

            let ok = try HTTPClient.send(HTTPRequest(method: "GET", path: "/"), host: "127.0.0.1", port: port, timeout: 5)
            #expect(ok.status == 200)
            #expect(settledInFlight(server) == 0)
        }
    }

    @Test func invalidUTF8InPathAndHeadersReachesTheHandlerRepaired() throws {
        let handler = RecordingHandler()
        try withServer(handler) { _, port in
            var raw = Array("GET /x".utf8) + [0xFF, 0xFE] + Array(" HTTP/1.1\r\nHost: x\r\nX-Bad: ".utf8)
            raw += [0xC3, 0x28] + Array("\r\nConnection: close\r\n\r\n".utf8)
            let response = try rawExchange(raw, port: port)
            #expect(response.status == 200)
            let seen = try #require(handler.last)
            #expect(seen.path == "/x\u{FFFD}\u{FFFD}")
            #expect(seen.header("X-Bad") == "\u{FFFD}(")
        }
    }

    @Test func headRequestGetsHeadersWithoutBody() throws {
        let handler = RecordingHandler(responseBody: Array("hello".utf8))
        try withServer(handler) { _, port in
            let connection = HTTPConnection(host: "127.0.0.1", port: port, timeout: 5)
            let head = try connection.send(HTTPRequest(method: "HEAD", path: "/thing"))
            #expect(head.status == 200)
            #expect(head.body.isEmpty)
            #expect(head.header("Content-Length") == "5")
            #expect(handler.last?.method == "HEAD")
            // No stray body bytes follow on the kept-alive socket.
            let get = try connection.send(HTTPRequest(method: "GET", path: "/thing"))
            #expect(get.text == "hello")

            // On the raw wire nothing follows the head: reading it as a GET finds the 5 announced bytes missing.
            #expect(throws: HTTPClientError.connectionClosed("connection closed after 0 of 5 body bytes")) {
                try rawExchange(Array("HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8),
                                port: port, method: "GET")
            }
        }
    }

    @Test func manyConcurrentClientsAreAllAnswered() throws {
        let handler = RecordingHandler()
        try withServer(handler, configure: { $0.threads = 4 }) { server, port in
            let failures = Mutex<[String]>([])
            DispatchQueue.concurrentPerform(iterations: 8) { worker in
                let connection = HTTPConnection(host: "127.0.0.1", port: port, timeout: 10)
                for index in 0..<50 {
                    let payload = Array("worker \(worker) request \(index)".utf8)
                    let request = HTTPRequest(method: "POST", path: "/echo", query: [("i", String(index))], body: payload)
                    do {
                        // Half the workers reuse one keep-alive socket, half open a connection per request.
                        let response = worker % 2 == 0
                            ? try connection.send(request)
                            : try HTTPClient.send(request, host: "127.0.0.1", port: port, timeout: 10)
                        if response.status != 200 || response.body != payload {
                            failures.withLock { $0.append("\(worker)/\(index): status \(response.status)") }
                        }
                    } catch {
                        failures.withLock { $0.append("\(worker)/\(index): \(error)") }
                    }
                }
            }
            #expect(failures.withLock { $0 } == [])
            #expect(handler.count == 400)
            #expect(settledInFlight(server) == 0)
        }
    }

    @Test func stopWhileIdleAndStopTwiceAreHarmless() throws {
        let server = HTTPServer(configuration: .init(port: 0), handler: RecordingHandler())
        server.stop()  // never started
        let port = try server.start()
        #expect(port != 0)
        #expect(server.port == port)
        #expect(server.isRunning)
        server.stop()
        server.stop()
        #expect(server.port == 0)
        #expect(!server.isRunning)
        #expect(throws: HTTPClientError.connectionRefused(host: "127.0.0.1", port: port)) {
            try HTTPClient.send(HTTPRequest(method: "GET", path: "/"), host: "127.0.0.1", port: port, timeout: 2)
        }
        // A stopped server can be started again.
        let again = try server.start()
        #expect(try HTTPClient.send(HTTPRequest(method: "GET", path: "/"), host: "127.0.0.1", port: again, timeout: 2).status == 200)
        server.stop()
    }

    @Test func stopWaitsForInFlightRequestsToFinish() throws {
        let handler = RecordingHandler(delaySeconds: 0.3)
        let server = HTTPServer(configuration: .init(port: 0), handler: handler)
        let port = try server.start()
        let outcome = Mutex<Int?>(nil)
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            let status = try? HTTPClient.send(HTTPRequest(method: "POST", path: "/commit", body: [1]),
                                              host: "127.0.0.1", port: port, timeout: 5).status
            outcome.withLock { $0 = status }
            done.signal()
        }
        let waitStart = monotonicSeconds()
        while server.requestsInFlight == 0 && monotonicSeconds() - waitStart < 2 { usleep(1_000) }
        server.stop()
        #expect(handler.count == 1)  // the handler ran to completion before stop() returned
        #expect(done.wait(timeout: .now() + 5) == .success)
        #expect(outcome.withLock { $0 } == 200)
    }

    @Test func busyPortAndNonAddressHostAreClearErrors() throws {
        try withServer(RecordingHandler()) { _, port in
            let second = HTTPServer(configuration: .init(host: "127.0.0.1", port: port), handler: RecordingHandler())
            #expect(throws: HTTPServerError.portInUse(host: "127.0.0.1", port: port)) { try second.start() }
        }
        let named = HTTPServer(configuration: .init(host: "localhost", port: 0), handler: RecordingHandler())
        #expect(throws: HTTPServerError.invalidHost("localhost")) { try named.start() }
        let foreign = HTTPServer(configuration: .init(host: "203.0.113.7", port: 0), handler: RecordingHandler())
        #expect(throws: HTTPServerError.addressNotAvailable("203.0.113.7")) { try foreign.start() }
    }

    @Test func startingTwiceIsAnError() throws {
        try withServer(RecordingHandler()) { server, _ in
            #expect(throws: HTTPServerError.alreadyRunning) { try server.start() }
        }
    }

    @Test func ipv6LoopbackIsServedWhenAvailable() throws {
        let server = HTTPServer(configuration: .init(host: "::1", port: 0), handler: RecordingHandler())
        guard let port = try? server.start() else { return }  // no IPv6 loopback in this environment
        defer { server.stop() }
        let response = try HTTPClient.send(HTTPRequest(method: "GET", path: "/"), host: "::1", port: port, timeout: 2)
        #expect(response.status == 200)
    }

    @Test func responseHeadersFromTheHandlerAreSent() throws {
        struct Fixed: HTTPHandler {
            func handle(_ request: HTTPRequest) -> HTTPResponse {
                HTTPResponse(status: 402, headers: [("WWW-Authenticate", "L402 macaroon=\"abc\", invoice=\"lnbc1\""),
                                                    ("X-Two", "a"), ("X-Two", "b"), ("Content-Length", "999"),
                                                    ("X-Evil", "a\r\nInjected: yes")],
                             body: Array("pay".utf8))
            }
        }
        try withServer(Fixed()) { _, port in
            let response = try HTTPClient.send(HTTPRequest(method: "GET", path: "/"), host: "127.0.0.1", port: port, timeout: 2)
            #expect(response.status == 402)
            #expect(response.header("WWW-Authenticate") == "L402 macaroon=\"abc\", invoice=\"lnbc1\"")
            #expect(response.headers.filter { $0.name.lowercased() == "x-two" }.map(\.value) == ["a", "b"])
            #expect(response.header("Content-Length") == "3")
            #expect(response.header("Injected") == nil)
            #expect(response.text == "pay")
        }
    }
}
