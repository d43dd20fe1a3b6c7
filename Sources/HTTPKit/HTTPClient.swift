import Foundation

/// Why an `HTTPClient` or `HTTPConnection` exchange failed.
public enum HTTPClientError: Error, Equatable, CustomStringConvertible {
    /// The host is neither a numeric address nor a resolvable name.
    case invalidHost(String)
    /// Nothing is listening at the address (the connection was actively refused).
    case connectionRefused(host: String, port: UInt16)
    /// Connecting, sending or receiving did not finish within the timeout.
    case timedOut(seconds: Double)
    /// The peer closed or reset the connection before the response was complete.
    case connectionClosed(String)
    /// Some other socket error; the message names the call and the system error.
    case connectionFailed(String)
    /// The response is not valid HTTP/1.x.
    case malformedResponse(String)
    /// The response body exceeds the client's limit.
    case responseTooLarge(limit: Int)
    /// The request cannot be written (for example a header containing CR or LF).
    case invalidRequest(String)

    /// A human-readable explanation.
    public var description: String {
        switch self {
        case .invalidHost(let host): return "cannot resolve host '\(host)'"
        case .connectionRefused(let host, let port): return "connection refused by \(host):\(port)"
        case .timedOut(let seconds): return "HTTP exchange timed out after \(seconds) s"
        case .connectionClosed(let detail): return "connection closed early: \(detail)"
        case .connectionFailed(let detail): return "connection failed: \(detail)"
        case .malformedResponse(let detail): return "malformed HTTP response: \(detail)"
        case .responseTooLarge(let limit): return "HTTP response larger than \(limit) bytes"
        case .invalidRequest(let detail): return "invalid HTTP request: \(detail)"
        }
    }
}

/// A small blocking HTTP/1.1 client over POSIX sockets, meant for loopback peers; one connection per call.
public enum HTTPClient {
    /// Largest response body accepted.
    public static let maxResponseBytes = 64 << 20

    /// Sends `request` to `host:port` on a fresh connection and returns the response; `timeout` bounds the whole exchange.
    public static func send(_ request: HTTPRequest, host: String, port: UInt16,
                            timeout: Double = 10) throws(HTTPClientError) -> HTTPResponse {
        let bytes = try HTTPWire.serialize(request, host: host, port: port, keepAlive: false)
        let deadline = monotonicSeconds() + timeout
        let socket = try ClientSocket.connect(host: host, port: port, deadline: deadline, timeoutSeconds: timeout)
        return try HTTPWire.exchange(bytes, method: request.method, on: socket, deadline: deadline).response
    }

    /// Sends `request` with a `Duration` timeout.
    public static func send(_ request: HTTPRequest, host: String, port: UInt16,
                            timeout: Duration) throws(HTTPClientError) -> HTTPResponse {
        try send(request, host: host, port: port, timeout: timeout.seconds)
    }
}

/// A persistent (keep-alive) HTTP/1.1 connection that reuses one socket across requests and reconnects when needed.
///
/// Thread safety: requests on one connection are serialized by an internal lock; use several connections for parallelism.
public final class HTTPConnection: @unchecked Sendable {
    /// The peer's host.
    public let host: String
    /// The peer's port.
    public let port: UInt16
    /// Bound on each exchange, in seconds.
    public let timeout: Double

    private let lock = NSLock()
    private var socket: ClientSocket?  // guarded by `lock`

    /// Creates an unconnected connection; the socket opens on the first request.
    public init(host: String, port: UInt16, timeout: Double = 10) {
        self.host = host
        self.port = port
        self.timeout = timeout
    }

    /// Sends `request`, reusing the open socket when the server kept it alive.
    public func send(_ request: HTTPRequest) throws(HTTPClientError) -> HTTPResponse {
        lock.lock()
        defer { lock.unlock() }
        let deadline = monotonicSeconds() + timeout
        let bytes = try HTTPWire.serialize(request, host: host, port: port, keepAlive: true)
        if let existing = socket, existing.isReusable {
            do {
                return try exchange(bytes, method: request.method, on: existing, deadline: deadline)
            } catch {
                socket = nil
                // A kept-alive socket the server closed meanwhile fails before any response byte arrives;
                // repeat on a fresh socket, but only requests that are safe to repeat.
                guard !existing.receivedSinceMark, HTTPWire.isIdempotent(request.method) else { throw error }
                switch error {
                case .connectionClosed, .connectionFailed: break
                default: throw error
                }
            }
        }
        socket = nil
        let fresh = try ClientSocket.connect(host: host, port: port, deadline: deadline, timeoutSeconds: timeout)
        return try exchange(bytes, method: request.method, on: fresh, deadline: deadline)
    }

    /// Closes the socket; a later `send` reconnects.
    public func close() {
        lock.withLock { socket = nil }
    }

    private func exchange(_ bytes: [UInt8], method: String, on candidate: ClientSocket,
                          deadline: Double) throws(HTTPClientError) -> HTTPResponse {
        candidate.markExchangeStart()
        socket = nil
        let result = try HTTPWire.exchange(bytes, method: method, on: candidate, deadline: deadline)
        if result.reusable { socket = candidate }
        return result.response
    }
}

/// HTTP/1.1 request serialization and response parsing shared by the client types.
enum HTTPWire {
    static let maxHeadBytes = 64 << 10

    static func isIdempotent(_ method: String) -> Bool {
        ["GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"].contains(method.uppercased())
    }

    /// Bytes kept verbatim in the request path: unreserved characters, sub-delimiters, `:`, `@`, `/` and `%`.
    private static let pathSafe: Set<UInt8> = Set(Array(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@/%".utf8))
    /// Bytes kept verbatim in query names and values.
    private static let querySafe: Set<UInt8> = Set(Array(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8))

    private static func percentEncode(_ text: String, keeping safe: Set<UInt8>) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for byte in text.utf8 {
            if safe.contains(byte) {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0xF)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The request target: the path (kept as given apart from unsafe bytes) plus the percent-encoded query.
    static func target(of request: HTTPRequest) -> String {
        var target = request.path.isEmpty ? "/" : percentEncode(request.path, keeping: pathSafe)
        if !request.query.isEmpty {
            target += "?" + request.query.map {
                percentEncode($0.name, keeping: querySafe) + "=" + percentEncode($0.value, keeping: querySafe)
            }.joined(separator: "&")
        }
        return target
    }

    private static func isToken(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { byte in
            byte > 0x20 && byte < 0x7F && !"()<>@,;:\\\"/[]?={}".utf8.contains(byte)
        }
    }

    static func serialize(_ request: HTTPRequest, host: String, port: UInt16,
                          keepAlive: Bool) throws(HTTPClientError) -> [UInt8] {
        guard isToken(request.method) else { throw .invalidRequest("method '\(request.method)' is not a token") }
        var head = "\(request.method) \(target(of: request)) HTTP/1.1\r\n"
        if request.header("Host") == nil {
            let hostPart = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
            head += "Host: \(hostPart):\(port)\r\n"
        }
        for (name, value) in request.headers {
            let lower = name.lowercased()
            if lower == "content-length" || lower == "transfer-encoding" || lower == "connection" { continue }
            guard isToken(name) else { throw .invalidRequest("header name '\(name)' is not a token") }
            guard !value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }) else {
                throw .invalidRequest("header '\(name)' contains CR, LF or NUL")
            }
            head += "\(name): \(value)\r\n"
        }
        let method = request.method.uppercased()
        if !request.body.isEmpty || ["POST", "PUT", "PATCH"].contains(method) {
            head += "Content-Length: \(request.body.count)\r\n"
        }
        head += keepAlive ? "Connection: keep-alive\r\n" : "Connection: close\r\n"
        head += "\r\n"
        return Array(head.utf8) + request.body
    }

    /// Writes a serialized request and reads the response.
    ///
    /// If the peer stops reading mid-request (say, a 413 for an oversized upload followed by a close), the write
    /// fails; the response the peer sent before closing is still read and returned when it is there.
    static func exchange(_ bytes: [UInt8], method: String, on socket: ClientSocket,
                         deadline: Double) throws(HTTPClientError) -> (response: HTTPResponse, reusable: Bool) {
        do {
            try socket.write(bytes, deadline: deadline)
        } catch {
            guard case .connectionClosed = error,
                  let early = try? readResponse(from: socket, method: method, deadline: deadline) else { throw error }
            return (early.response, false)
        }
        return try readResponse(from: socket, method: method, deadline: deadline)
    }

    /// Reads one response; `reusable` says whether the socket may carry another request.
    static func readResponse(from socket: ClientSocket, method: String,
                             deadline: Double) throws(HTTPClientError) -> (response: HTTPResponse, reusable: Bool) {
        while true {
            guard let statusLine = try socket.readLine(deadline: deadline, limit: maxHeadBytes) else {
                throw .connectionClosed("no response before the connection closed")
            }
            let (version, status) = try parseStatusLine(statusLine)
            var headers: [(name: String, value: String)] = []
            var headBytes = statusLine.count
            while true {
                guard let line = try socket.readLine(deadline: deadline, limit: maxHeadBytes) else {
                    throw .connectionClosed("connection closed inside the response head")
                }
                if line.isEmpty { break }
                headBytes += line.count
                if headBytes > maxHeadBytes { throw .malformedResponse("response head exceeds \(maxHeadBytes) bytes") }
                if line.first == UInt8(ascii: " ") || line.first == UInt8(ascii: "\t") {
                    guard let last = headers.popLast() else { throw .malformedResponse("continuation line before any header") }
                    let more = String(decoding: line, as: UTF8.self).trimmingASCIISpaces()
                    headers.append((last.name, last.value + " " + more))
                    continue
                }
                guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > 0 else {
                    throw .malformedResponse("header line without a colon")
                }
                let name = String(decoding: line[..<colon], as: UTF8.self)
                let value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingASCIISpaces()
                headers.append((name, value))
            }
            // Interim responses (100 Continue and friends) precede the real one.
            if (100...199).contains(status) && status != 101 { continue }

            let response = HTTPResponse(status: status, headers: headers)
            let connectionTokens = response.header("Connection")?.lowercased() ?? ""
            var reusable = version == "HTTP/1.1" ? !connectionTokens.contains("close")
                                                 : connectionTokens.contains("keep-alive")
            var body: [UInt8] = []
            let noBody = method.uppercased() == "HEAD" || status == 204 || status == 304 || (100...199).contains(status)
            if !noBody {
                let transferEncoding = response.header("Transfer-Encoding")?.lowercased() ?? ""
                if transferEncoding.contains("chunked") {
                    body = try readChunked(from: socket, deadline: deadline)
                } else if let lengthText = response.header("Content-Length") {
                    guard let length = Int(lengthText.trimmingASCIISpaces()), length >= 0 else {
                        throw .malformedResponse("invalid Content-Length '\(lengthText)'")
                    }
                    if length > HTTPClient.maxResponseBytes { throw .responseTooLarge(limit: HTTPClient.maxResponseBytes) }
                    body = try socket.readExactly(length, deadline: deadline)
                } else {
                    body = try socket.readToEnd(deadline: deadline, limit: HTTPClient.maxResponseBytes)
                    reusable = false
                }
            }
            return (HTTPResponse(status: status, headers: headers, body: body), reusable)
        }
    }

    private static func parseStatusLine(_ line: [UInt8]) throws(HTTPClientError) -> (String, Int) {
        let text = String(decoding: line, as: UTF8.self)
        let parts = text.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), parts[1].count == 3,
              let status = Int(parts[1]), (100...999).contains(status) else {
            throw .malformedResponse("bad status line '\(text.prefix(80))'")
        }
        return (String(parts[0]), status)
    }

    private static func readChunked(from socket: ClientSocket, deadline: Double) throws(HTTPClientError) -> [UInt8] {
        var body: [UInt8] = []
        while true {
            guard let sizeLine = try socket.readLine(deadline: deadline, limit: 1024) else {
                throw .connectionClosed("connection closed inside a chunked body")
            }
            let sizeText = String(decoding: sizeLine, as: UTF8.self)
                .split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first
                .map { String($0).trimmingASCIISpaces() } ?? ""
            guard !sizeText.isEmpty, sizeText.count <= 15, let size = Int(sizeText, radix: 16), size >= 0 else {
                throw .malformedResponse("bad chunk size '\(sizeText.prefix(20))'")
            }
            if size == 0 {
                // Trailers, then the blank line that ends the message.
                while true {
                    guard let trailer = try socket.readLine(deadline: deadline, limit: maxHeadBytes) else {
                        throw .connectionClosed("connection closed inside chunked trailers")
                    }
                    if trailer.isEmpty { return body }
                }
            }
            if body.count + size > HTTPClient.maxResponseBytes { throw .responseTooLarge(limit: HTTPClient.maxResponseBytes) }
            body += try socket.readExactly(size, deadline: deadline)
            guard let terminator = try socket.readLine(deadline: deadline, limit: 2), terminator.isEmpty else {
                throw .malformedResponse("chunk not followed by CRLF")
            }
        }
    }
}

extension Duration {
    /// The duration in seconds as a `Double`.
    var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
