#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An error writing a report file, with the path and the C library's reason.
public enum ReportError: Error, Equatable, CustomStringConvertible {
    /// The report directory could not be created.
    case cannotCreateDirectory(path: String, reason: String)
    /// A report file could not be opened for writing.
    case cannotOpen(path: String, reason: String)
    /// Writing or closing a report file failed.
    case writeFailed(path: String, reason: String)
    /// `finish` was called twice (records that arrive after `finish` are ignored).
    case alreadyFinished

    /// A one-line message for people.
    public var description: String {
        switch self {
        case .cannotCreateDirectory(let path, let reason): return "cannot create report directory \(path): \(reason)"
        case .cannotOpen(let path, let reason): return "cannot open \(path) for writing: \(reason)"
        case .writeFailed(let path, let reason): return "cannot write \(path): \(reason)"
        case .alreadyFinished: return "the report was already finished"
        }
    }
}

/// One output file written through a fixed-size buffer: bytes go to disk each time the buffer fills, so the
/// memory held does not grow with the amount written.
///
/// Errors do not throw at each write (the hot path): the first one is kept, later writes are dropped, and
/// `close()` throws it.
public final class BufferedFileWriter {
    /// The file's path.
    public let path: String
    /// Bytes handed to the writer so far (buffered or on disk).
    public private(set) var bytesWritten: Int64 = 0
    /// The number of times the buffer was written out.
    public private(set) var flushCount: Int = 0
    /// The size at which the buffer is written out.
    public let bufferLimit: Int

    private var file: UnsafeMutablePointer<FILE>?
    private var buffer: [UInt8]
    private var failure: ReportError?
    private var scratch: [UInt8] = []

    /// Opens (truncating) `path` for writing with a buffer of `bufferLimit` bytes (64 KiB by default).
    public init(path: String, bufferLimit: Int = 64 * 1024) throws(ReportError) {
        self.path = path
        self.bufferLimit = max(1, bufferLimit)
        guard let handle = fopen(path, "wb") else {
            throw ReportError.cannotOpen(path: path, reason: BufferedFileWriter.lastErrorText())
        }
        // This class buffers; stdio's own buffer would only copy the bytes once more.
        setvbuf(handle, nil, _IONBF, 0)
        file = handle
        buffer = []
        buffer.reserveCapacity(self.bufferLimit)
    }

    deinit {
        if let file {
            flushBuffer()
            fclose(file)
        }
    }

    /// The capacity of the in-memory buffer right now (for checks that memory stays flat).
    public var bufferCapacity: Int { buffer.capacity }

    /// The bytes waiting in the buffer.
    public var bufferedCount: Int { buffer.count }

    /// Appends UTF-8 bytes.
    public func write(_ bytes: some Collection<UInt8>) {
        bytesWritten += Int64(bytes.count)
        if buffer.count + bytes.count > bufferLimit {
            flushBuffer()
            if bytes.count > bufferLimit {
                // Larger than the whole buffer: straight to the file, the buffer keeps its size.
                writeDirect(Array(bytes))
                return
            }
        }
        buffer.append(contentsOf: bytes)
    }

    /// Appends a string as UTF-8.
    public func write(_ text: String) {
        var text = text
        text.withUTF8 { write($0) }
    }

    /// Appends one byte.
    public func write(byte: UInt8) {
        bytesWritten += 1
        if buffer.count + 1 > bufferLimit { flushBuffer() }
        buffer.append(byte)
    }

    /// Appends an integer's decimal digits without building a String.
    public func write(int value: Int64) {
        if value < 0 { write(byte: UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        scratch.removeAll(keepingCapacity: true)
        repeat {
            scratch.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        scratch.reverse()
        write(scratch)
    }

    /// Writes the buffer out and closes the file; throws the first error met since opening.
    public func close() throws(ReportError) {
        guard let handle = file else {
            if let failure { throw failure }
            return
        }
        flushBuffer()
        file = nil
        if fclose(handle) != 0 && failure == nil {
            failure = .writeFailed(path: path, reason: BufferedFileWriter.lastErrorText())
        }
        buffer = []
        if let failure { throw failure }
    }

    private func flushBuffer() {
        guard !buffer.isEmpty else { return }
        flushCount += 1
        writeDirect(buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    private func writeDirect(_ bytes: [UInt8]) {
        guard let file, failure == nil else { return }
        let written = bytes.withUnsafeBytes { raw -> Int in
            guard let base = raw.baseAddress else { return 0 }
            return fwrite(base, 1, raw.count, file)
        }
        if written != bytes.count {
            failure = .writeFailed(path: path, reason: BufferedFileWriter.lastErrorText())
        }
    }

    static func lastErrorText() -> String {
        guard let message = strerror(errno) else { return "errno \(errno)" }
        return String(cString: message)
    }
}
