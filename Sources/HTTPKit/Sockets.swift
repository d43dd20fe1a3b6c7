#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

#if canImport(Glibc)
let socketStreamType = Int32(SOCK_STREAM.rawValue)
let socketCloexecFlag = Int32(SOCK_CLOEXEC.rawValue)
let sendNoSignalFlag = Int32(MSG_NOSIGNAL)
#else
let socketStreamType = SOCK_STREAM
let socketCloexecFlag: Int32 = 0
let sendNoSignalFlag: Int32 = 0
#endif

/// The current `errno` as text.
func errnoMessage(_ code: Int32 = errno) -> String {
    String(cString: strerror(code))
}

/// A numeric IPv4 or IPv6 socket address.
struct SocketAddress {
    private enum Storage {
        case v4(sockaddr_in)
        case v6(sockaddr_in6)
    }

    private let storage: Storage

    /// Parses a numeric address such as `127.0.0.1`, `::1` or `[::1]`; nil for names and garbage.
    init?(numericHost host: String, port: UInt16) {
        var text = host
        if text.hasPrefix("[") && text.hasSuffix("]") && text.count >= 2 {
            text = String(text.dropFirst().dropLast())
        }
        var v4 = sockaddr_in()
        if inet_pton(AF_INET, text, &v4.sin_addr) == 1 {
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = port.bigEndian
            storage = .v4(v4)
            return
        }
        var v6 = sockaddr_in6()
        if inet_pton(AF_INET6, text, &v6.sin6_addr) == 1 {
            v6.sin6_family = sa_family_t(AF_INET6)
            v6.sin6_port = port.bigEndian
            storage = .v6(v6)
            return
        }
        return nil
    }

    /// Wraps an address returned by `getaddrinfo`.
    init?(_ address: UnsafePointer<sockaddr>, port: UInt16) {
        switch Int32(address.pointee.sa_family) {
        case AF_INET:
            var v4 = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee }
            v4.sin_port = port.bigEndian
            storage = .v4(v4)
        case AF_INET6:
            var v6 = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee }
            v6.sin6_port = port.bigEndian
            storage = .v6(v6)
        default:
            return nil
        }
    }

    var family: Int32 {
        switch storage {
        case .v4: return AF_INET
        case .v6: return AF_INET6
        }
    }

    /// Calls `body` with the address as a `sockaddr` pointer and its length.
    func withSockAddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        switch storage {
        case .v4(var v4):
            return withUnsafePointer(to: &v4) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        case .v6(var v6):
            return withUnsafePointer(to: &v6) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        }
    }
}

/// `connect(2)`, named so that methods called `connect` do not shadow it.
func posixConnect(_ fd: Int32, _ address: UnsafePointer<sockaddr>, _ length: socklen_t) -> Int32 {
    connect(fd, address, length)
}

/// `send(2)`, named so that methods called `send` do not shadow it.
func posixSend(_ fd: Int32, _ bytes: UnsafeRawPointer?, _ count: Int, _ flags: Int32) -> Int {
    send(fd, bytes, count, flags)
}
