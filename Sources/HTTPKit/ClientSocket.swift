#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A connected, non-blocking TCP socket with a read buffer; every operation honours an absolute deadline.
final class ClientSocket {
    let fd: Int32
    private var buffer: [UInt8] = []
    private var readIndex = 0
    /// Whether any byte has been received since `markExchangeStart()`.
    private(set) var receivedSinceMark = false
    let timeoutSeconds: Double

    private init(fd: Int32, timeoutSeconds: Double) {
        self.fd = fd
        self.timeoutSeconds = timeoutSeconds
    }

    deinit {
        close(fd)
    }

    /// Resolves `host` (numeric or a name such as `localhost`) and connects to the first address that answers.
    static func connect(host: String, port: UInt16, deadline: Double, timeoutSeconds: Double) throws(HTTPClientError) -> ClientSocket {
        let addresses = try resolve(host: host, port: port)
        var lastError = HTTPClientError.connectionRefused(host: host, port: port)
        for address in addresses {
            do {
                return try connect(address, host: host, port: port, deadline: deadline, timeoutSeconds: timeoutSeconds)
            } catch {
                lastError = error
                if case .timedOut = error { throw error }
            }
        }
        throw lastError
    }

    private static func resolve(host: String, port: UInt16) throws(HTTPClientError) -> [SocketAddress] {
        if let numeric = SocketAddress(numericHost: host, port: port) { return [numeric] }
        guard !host.isEmpty, !host.contains("\0") else { throw .invalidHost(host) }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = socketStreamType
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0, let first = list else { throw .invalidHost(host) }
        defer { freeaddrinfo(first) }
        var result: [SocketAddress] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            if let raw = entry.pointee.ai_addr, let address = SocketAddress(UnsafePointer(raw), port: port) {
                result.append(address)
            }
            cursor = entry.pointee.ai_next
        }
        guard !result.isEmpty else { throw .invalidHost(host) }
        return result
    }

    private static func connect(_ address: SocketAddress, host: String, port: UInt16,
                                deadline: Double, timeoutSeconds: Double) throws(HTTPClientError) -> ClientSocket {
        let fd = socket(address.family, socketStreamType | socketCloexecFlag, 0)
        guard fd >= 0 else { throw .connectionFailed("socket(): \(errnoMessage())") }
        let socket = ClientSocket(fd: fd, timeoutSeconds: timeoutSeconds)
        let flags = fcntl(fd, F_GETFL, 0)
        guard flags >= 0, fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0 else {
            throw .connectionFailed("fcntl(O_NONBLOCK): \(errnoMessage())")
        }
        var one: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        let started = address.withSockAddr { posixConnect(fd, $0, $1) }
        if started != 0 {
            let code = errno
            guard code == EINPROGRESS || code == EINTR else {
                throw connectError(code, host: host, port: port, timeoutSeconds: timeoutSeconds)
            }
            try socket.waitFor(Int16(POLLOUT), deadline: deadline)
            var soError: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &length) == 0 else {
                throw .connectionFailed("getsockopt(SO_ERROR): \(errnoMessage())")
            }
            if soError != 0 { throw connectError(soError, host: host, port: port, timeoutSeconds: timeoutSeconds) }
        }
        return socket
    }

    private static func connectError(_ code: Int32, host: String, port: UInt16, timeoutSeconds: Double) -> HTTPClientError {
        switch code {
        case ECONNREFUSED: return .connectionRefused(host: host, port: port)
        case ETIMEDOUT: return .timedOut(seconds: timeoutSeconds)
        default: return .connectionFailed("connect(\(host):\(port)): \(errnoMessage(code))")
        }
    }

    /// Waits until the socket is ready for `events` or the deadline passes.
    private func waitFor(_ events: Int16, deadline: Double) throws(HTTPClientError) {
        while true {
            let remaining = deadline - monotonicSeconds()
            if remaining <= 0 { throw .timedOut(seconds: timeoutSeconds) }
            var entry = pollfd(fd: fd, events: events, revents: 0)
            let millis = Int32(min(remaining * 1000, Double(Int32.max)).rounded(.up))
            let ready = poll(&entry, 1, max(1, millis))
            if ready > 0 { return }
            if ready < 0 && errno != EINTR { throw .connectionFailed("poll(): \(errnoMessage())") }
        }
    }

    /// Whether an idle kept-alive socket is still usable: not readable (no EOF, no stray bytes), no error.
    var isReusable: Bool {
        guard readIndex == buffer.count else { return false }
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, 0) == 0
    }

    /// Sends all of `bytes`.
    func write(_ bytes: [UInt8], deadline: Double) throws(HTTPClientError) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { raw in
                posixSend(fd, raw.baseAddress.map { $0 + offset }, raw.count - offset, sendNoSignalFlag)
            }
            if sent > 0 {
                offset += sent
            } else if sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
                try waitFor(Int16(POLLOUT), deadline: deadline)
            } else {
                throw .connectionClosed("send(): \(errnoMessage())")
            }
        }
    }

    func markExchangeStart() {
        receivedSinceMark = false
    }

    /// Reads more bytes into the buffer; returns false at end of stream.
    private func fill(deadline: Double) throws(HTTPClientError) -> Bool {
        if readIndex > 0 && readIndex == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            readIndex = 0
        } else if readIndex > 65_536 {
            buffer.removeFirst(readIndex)
            readIndex = 0
        }
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let received = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if received > 0 {
                buffer.append(contentsOf: chunk[0..<received])
                receivedSinceMark = true
                return true
            }
            if received == 0 { return false }
            let code = errno
            if code == EAGAIN || code == EWOULDBLOCK || code == EINTR {
                try waitFor(Int16(POLLIN), deadline: deadline)
                continue
            }
            if code == ECONNRESET { throw .connectionClosed("connection reset by peer") }
            throw .connectionFailed("recv(): \(errnoMessage(code))")
        }
    }

    /// Reads one line ending in LF (CR stripped); nil at a clean end of stream before any byte.
    func readLine(deadline: Double, limit: Int) throws(HTTPClientError) -> [UInt8]? {
        var scanned = 0
        while true {
            if let newline = buffer[(readIndex + scanned)...].firstIndex(of: UInt8(ascii: "\n")) {
                var line = Array(buffer[readIndex..<newline])
                readIndex = newline + 1
                if line.last == UInt8(ascii: "\r") { line.removeLast() }
                return line
            }
            scanned = buffer.count - readIndex
            if scanned > limit {
                throw .malformedResponse("header line longer than \(limit) bytes")
            }
            guard try fill(deadline: deadline) else {
                if buffer.count == readIndex { return nil }
                throw .connectionClosed("connection closed in the middle of a line")
            }
        }
    }

    /// Reads exactly `count` bytes.
    func readExactly(_ count: Int, deadline: Double) throws(HTTPClientError) -> [UInt8] {
        while buffer.count - readIndex < count {
            guard try fill(deadline: deadline) else {
                throw .connectionClosed("connection closed after \(buffer.count - readIndex) of \(count) body bytes")
            }
        }
        let bytes = Array(buffer[readIndex..<(readIndex + count)])
        readIndex += count
        return bytes
    }

    /// Reads until the peer closes the connection.
    func readToEnd(deadline: Double, limit: Int) throws(HTTPClientError) -> [UInt8] {
        while try fill(deadline: deadline) {
            if buffer.count - readIndex > limit { throw .responseTooLarge(limit: limit) }
        }
        let bytes = Array(buffer[readIndex...])
        readIndex = buffer.count
        return bytes
    }
}
