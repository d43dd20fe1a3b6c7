import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Write end of the self-pipe; set once (under `ShutdownSignal.state`) before any handler is installed.
nonisolated(unsafe) private var shutdownPipeWriteFD: Int32 = -1

/// The signal handler: only async-signal-safe work, one byte (the signal number) into the self-pipe.
private func shutdownSignalHandler(_ signalNumber: Int32) {
    let savedErrno = errno
    var byte = UInt8(truncatingIfNeeded: signalNumber)
    _ = write(shutdownPipeWriteFD, &byte, 1)
    errno = savedErrno
}

/// Turns SIGINT and SIGTERM into an orderly shutdown request that a thread can wait for.
///
/// After `install()` (called implicitly by `wait`), these signals no longer terminate the process;
/// each one is queued (self-pipe) until a `wait` call consumes it, whichever thread the kernel delivered it to.
public enum ShutdownSignal {
    private static let state = Mutex<Int32>(-1)  // read end of the self-pipe, -1 until installed

    /// Installs the SIGINT and SIGTERM handlers; idempotent and thread-safe. Returns false if the pipe cannot be made.
    @discardableResult
    public static func install() -> Bool {
        state.withLock { readFD in
            if readFD >= 0 { return true }
            var fds: [Int32] = [-1, -1]
            guard pipe(&fds) == 0 else { return false }
            for fd in fds {
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
                _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL, 0) | O_NONBLOCK)
            }
            shutdownPipeWriteFD = fds[1]
            readFD = fds[0]
            _ = signal(SIGINT, shutdownSignalHandler)
            _ = signal(SIGTERM, shutdownSignalHandler)
            return true
        }
    }

    /// Blocks the calling thread until SIGINT or SIGTERM arrives and returns the signal number.
    public static func wait() -> Int32 {
        while true {
            if let received = wait(timeout: 3600) { return received }
        }
    }

    /// Blocks until SIGINT or SIGTERM arrives or `seconds` pass; returns the signal number, or nil on timeout.
    public static func wait(timeout seconds: Double) -> Int32? {
        guard install() else { return nil }
        let readFD = state.withLock { $0 }
        let deadline = monotonicSeconds() + max(0, seconds)
        while true {
            var byte: UInt8 = 0
            if read(readFD, &byte, 1) == 1 { return Int32(byte) }
            let remaining = deadline - monotonicSeconds()
            if remaining <= 0 { return nil }
            var entry = pollfd(fd: readFD, events: Int16(POLLIN), revents: 0)
            _ = poll(&entry, 1, Int32(min(remaining * 1000, 3_600_000).rounded(.up)))
        }
    }
}
