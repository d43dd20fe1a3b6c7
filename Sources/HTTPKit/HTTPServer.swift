import CMicroHTTPD
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why an `HTTPServer` could not start.
public enum HTTPServerError: Error, Equatable, CustomStringConvertible {
    /// The host is not a numeric IPv4 or IPv6 address.
    case invalidHost(String)
    /// Another socket is already bound to the address and port.
    case portInUse(host: String, port: UInt16)
    /// The address does not belong to any local interface.
    case addressNotAvailable(String)
    /// A configuration value is out of range.
    case invalidConfiguration(String)
    /// The server is already running.
    case alreadyRunning
    /// A socket call failed; the message names the call and the system error.
    case socketFailed(String)
    /// libmicrohttpd refused to start the daemon.
    case daemonFailed

    /// A human-readable explanation.
    public var description: String {
        switch self {
        case .invalidHost(let host):
            return "cannot listen on '\(host)': not a numeric IPv4 or IPv6 address"
        case .portInUse(let host, let port):
            return "cannot listen on \(host):\(port): address already in use"
        case .addressNotAvailable(let host):
            return "cannot listen on \(host): address not available on this machine"
        case .invalidConfiguration(let message):
            return "invalid HTTP server configuration: \(message)"
        case .alreadyRunning:
            return "the HTTP server is already running"
        case .socketFailed(let message):
            return "cannot listen: \(message)"
        case .daemonFailed:
            return "libmicrohttpd failed to start the daemon"
        }
    }
}

/// An HTTP/1.1 server on libmicrohttpd that passes every request to an `HTTPHandler`.
///
/// Thread safety: `start()`, `stop()` and `port` may be called from any thread; lifecycle calls are
/// serialized by an internal lock. The handler is called concurrently from the daemon's worker threads
/// (up to `Configuration.threads` at once), so it must be safe for that, as `HTTPHandler: Sendable` demands.
public final class HTTPServer: @unchecked Sendable {
    /// Listening address, limits and threading.
    public struct Configuration: Sendable {
        /// Numeric IPv4 or IPv6 address to bind; only this address is served.
        public var host: String = "127.0.0.1"
        /// TCP port; 0 picks an ephemeral port, reported by `start()`.
        public var port: UInt16 = 8402
        /// Largest accepted request body; larger uploads get 413 without reaching the handler.
        public var maxBodyBytes: Int = 1 << 20
        /// Per-connection memory for the request line and headers; larger heads are refused by the daemon.
        public var maxHeaderBytes: Int = 16 << 10
        /// Idle or stalled connections are closed after this many seconds.
        public var connectionTimeoutSeconds: Int = 30
        /// Concurrent connection cap; further connections are refused.
        public var maxConnections: Int = 512
        /// Worker threads, each polling its share of connections and running the handler.
        public var threads: Int = 4
        /// How long `stop()` waits for in-flight requests before closing their connections.
        public var shutdownGraceSeconds: Double = 10

        /// Creates a configuration; every parameter has the documented default.
        public init(host: String = "127.0.0.1", port: UInt16 = 8402, maxBodyBytes: Int = 1 << 20,
                    maxHeaderBytes: Int = 16 << 10, connectionTimeoutSeconds: Int = 30,
                    maxConnections: Int = 512, threads: Int = 4, shutdownGraceSeconds: Double = 10) {
            self.host = host
            self.port = port
            self.maxBodyBytes = maxBodyBytes
            self.maxHeaderBytes = maxHeaderBytes
            self.connectionTimeoutSeconds = connectionTimeoutSeconds
            self.maxConnections = maxConnections
            self.threads = threads
            self.shutdownGraceSeconds = shutdownGraceSeconds
        }
    }

    /// The configuration the server was created with.
    public let configuration: Configuration
    private let handler: any HTTPHandler

    // Guarded by `lifecycle`.
    private let lifecycle = NSLock()
    private var daemon: OpaquePointer?
    private var listenFD: Int32 = -1
    private var core: Unmanaged<ServerCore>?

    private let boundPort = Atomic<UInt16>(0)

    /// Creates a stopped server; call `start()` to listen.
    public init(configuration: Configuration = Configuration(), handler: any HTTPHandler) {
        self.configuration = configuration
        self.handler = handler
    }

    deinit {
        stop()
    }

    /// The bound port while running (useful with port 0), or 0 when stopped.
    public var port: UInt16 {
        boundPort.load(ordering: .acquiring)
    }

    /// Whether the server is currently listening.
    public var isRunning: Bool {
        lifecycle.withLock { daemon != nil }
    }

    /// Binds the configured address, starts the worker threads and returns the bound port.
    @discardableResult
    public func start() throws(HTTPServerError) -> UInt16 {
        lifecycle.lock()
        defer { lifecycle.unlock() }
        guard daemon == nil else { throw .alreadyRunning }
        let config = configuration
        try Self.validate(config)

        let fd = try ListenSocket.open(host: config.host, port: config.port)
        let actualPort: UInt16
        do {
            actualPort = try ListenSocket.localPort(fd)
        } catch {
            close(fd)
            throw error
        }

        let serverCore = ServerCore(handler: handler, maxBodyBytes: config.maxBodyBytes)
        let retained = Unmanaged.passRetained(serverCore)
        var flags = MHD_USE_INTERNAL_POLLING_THREAD.rawValue | MHD_USE_AUTO.rawValue | MHD_USE_ITC.rawValue
        if config.host.contains(":") {
            flags |= MHD_USE_IPv6.rawValue
        }
        let started = prooflayer_mhd_start(
            flags, fd,
            httpKitAccessHandler, httpKitRequestCompleted, httpKitURILogger,
            retained.toOpaque(),
            UInt32(config.threads), UInt32(config.maxConnections),
            UInt32(config.connectionTimeoutSeconds), config.maxHeaderBytes)
        guard let started else {
            retained.release()
            close(fd)
            throw .daemonFailed
        }
        daemon = started
        listenFD = fd
        core = retained
        boundPort.store(actualPort, ordering: .releasing)
        return actualPort
    }

    /// Stops accepting connections, waits (up to the grace period) for in-flight requests, then shuts down.
    ///
    /// Idempotent. Requests whose handler has started always run to completion: worker threads are joined.
    /// Must not be called from inside the handler (it would wait for its own worker thread).
    public func stop() {
        lifecycle.lock()
        defer { lifecycle.unlock() }
        guard let running = daemon, let retained = core else { return }
        let quiescedFD = MHD_quiesce_daemon(running)
        let serverCore = retained.takeUnretainedValue()
        let deadline = monotonicSeconds() + max(0, configuration.shutdownGraceSeconds)
        while serverCore.inFlight.load(ordering: .acquiring) > 0 && monotonicSeconds() < deadline {
            usleep(2_000)
        }
        MHD_stop_daemon(running)
        if quiescedFD != MHD_INVALID_SOCKET {
            close(quiescedFD)
        }
        retained.release()
        daemon = nil
        core = nil
        listenFD = -1
        boundPort.store(0, ordering: .releasing)
    }

    /// Requests that have begun (request line received) and not yet completed; for tests and diagnostics.
    var requestsInFlight: Int {
        lifecycle.withLock { core?.takeUnretainedValue().inFlight.load(ordering: .acquiring) ?? 0 }
    }

    private static func validate(_ config: Configuration) throws(HTTPServerError) {
        if config.maxBodyBytes < 0 { throw .invalidConfiguration("maxBodyBytes must not be negative") }
        if config.maxHeaderBytes < 1024 { throw .invalidConfiguration("maxHeaderBytes must be at least 1024") }
        if config.connectionTimeoutSeconds < 1 || config.connectionTimeoutSeconds > 86_400 {
            throw .invalidConfiguration("connectionTimeoutSeconds must be between 1 and 86400")
        }
        if config.maxConnections < 1 || config.maxConnections > 1_000_000 {
            throw .invalidConfiguration("maxConnections must be between 1 and 1000000")
        }
        if config.threads < 1 || config.threads > 1024 {
            throw .invalidConfiguration("threads must be between 1 and 1024")
        }
        if config.threads > config.maxConnections {
            throw .invalidConfiguration("threads must not exceed maxConnections")
        }
    }
}

/// Seconds on the monotonic clock.
func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// The listening socket, created here rather than by libmicrohttpd so bind errors are precise.
enum ListenSocket {
    static func open(host: String, port: UInt16) throws(HTTPServerError) -> Int32 {
        guard let address = SocketAddress(numericHost: host, port: port) else {
            throw .invalidHost(host)
        }
        let fd = socket(address.family, socketStreamType | socketCloexecFlag, 0)
        guard fd >= 0 else { throw .socketFailed("socket(): \(errnoMessage())") }
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        if address.family == AF_INET6 {
            _ = setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &one, socklen_t(MemoryLayout<Int32>.size))
        }
        let bound = address.withSockAddr { bind(fd, $0, $1) }
        if bound != 0 {
            let code = errno
            close(fd)
            switch code {
            case EADDRINUSE: throw .portInUse(host: host, port: port)
            case EADDRNOTAVAIL: throw .addressNotAvailable(host)
            default: throw .socketFailed("bind(\(host):\(port)): \(String(cString: strerror(code)))")
            }
        }
        guard listen(fd, 1024) == 0 else {
            let message = errnoMessage()
            close(fd)
            throw .socketFailed("listen(): \(message)")
        }
        let flags = fcntl(fd, F_GETFL, 0)
        guard flags >= 0, fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0 else {
            let message = errnoMessage()
            close(fd)
            throw .socketFailed("fcntl(O_NONBLOCK): \(message)")
        }
        return fd
    }

    static func localPort(_ fd: Int32) throws(HTTPServerError) -> UInt16 {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard result == 0 else { throw .socketFailed("getsockname(): \(errnoMessage())") }
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin_port) }
            }
        case AF_INET6:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin6_port) }
            }
        default:
            throw .socketFailed("getsockname(): unexpected address family")
        }
    }
}
