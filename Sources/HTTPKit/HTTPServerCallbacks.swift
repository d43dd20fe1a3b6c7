import CMicroHTTPD
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// The C callbacks libmicrohttpd calls on its worker threads. They are file-scope functions (so they
// convert to @convention(c) pointers without captures) and reach the server only through the `cls`
// pointer, which is an unretained `ServerCore` kept alive by `HTTPServer` until the daemon is stopped.

/// The state the daemon's callbacks share: the handler, limits and the in-flight request count.
final class ServerCore: Sendable {
    let handler: any HTTPHandler
    let maxBodyBytes: Int
    /// Once an oversized body has been discarded beyond this many bytes the connection is dropped.
    let discardLimit: Int
    /// Requests whose context exists (request line seen) and whose completion has not been reported.
    let inFlight = Atomic<Int>(0)

    init(handler: any HTTPHandler, maxBodyBytes: Int) {
        self.handler = handler
        self.maxBodyBytes = maxBodyBytes
        self.discardLimit = max(maxBodyBytes, 1 << 20) * 4
    }
}

/// Per-request state; owned by one connection, hence touched by one worker thread at a time.
final class RequestContext {
    /// The request target exactly as received (path still percent-encoded, with the query).
    let rawTarget: [UInt8]
    var headersSeen = false
    var body: [UInt8] = []
    var tooLarge = false
    var discarded = 0
    var triedEarlyAnswer = false
    var responded = false

    init(rawTarget: [UInt8]) {
        self.rawTarget = rawTarget
    }
}

/// Collects name/value pairs from `MHD_get_connection_values_n`.
private final class PairCollector {
    var pairs: [(name: String, value: String)] = []
}

private func text(_ pointer: UnsafePointer<CChar>?, _ length: Int) -> String {
    guard let pointer, length > 0 else { return "" }
    return pointer.withMemoryRebound(to: UInt8.self, capacity: length) {
        String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
    }
}

private func cStringBytes(_ pointer: UnsafePointer<CChar>?) -> [UInt8] {
    guard let pointer else { return [] }
    let length = strlen(pointer)
    return pointer.withMemoryRebound(to: UInt8.self, capacity: length) {
        Array(UnsafeBufferPointer(start: $0, count: length))
    }
}

private func collectPair(_ cls: UnsafeMutableRawPointer?, _ kind: MHD_ValueKind,
                         _ key: UnsafePointer<CChar>?, _ keySize: Int,
                         _ value: UnsafePointer<CChar>?, _ valueSize: Int) -> MHD_Result {
    guard let cls else { return .NO }
    let collector = Unmanaged<PairCollector>.fromOpaque(cls).takeUnretainedValue()
    collector.pairs.append((text(key, keySize), text(value, valueSize)))
    return .YES
}

private func connectionValues(_ connection: OpaquePointer, _ kind: MHD_ValueKind) -> [(name: String, value: String)] {
    let collector = PairCollector()
    withExtendedLifetime(collector) {
        _ = MHD_get_connection_values_n(connection, kind, collectPair,
                                        Unmanaged.passUnretained(collector).toOpaque())
    }
    return collector.pairs
}

/// Called once per request when its request line has been read; creates the request's context.
func httpKitURILogger(_ cls: UnsafeMutableRawPointer?, _ uri: UnsafePointer<CChar>?,
                      _ connection: OpaquePointer?) -> UnsafeMutableRawPointer? {
    guard let cls else { return nil }
    let core = Unmanaged<ServerCore>.fromOpaque(cls).takeUnretainedValue()
    core.inFlight.add(1, ordering: .acquiringAndReleasing)
    return Unmanaged.passRetained(RequestContext(rawTarget: cStringBytes(uri))).toOpaque()
}

/// Called when a request is finished (response sent, or the connection failed); frees its context.
func httpKitRequestCompleted(_ cls: UnsafeMutableRawPointer?, _ connection: OpaquePointer?,
                             _ contextSlot: UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
                             _ reason: MHD_RequestTerminationCode) {
    guard let cls, let contextSlot, let raw = contextSlot.pointee else { return }
    contextSlot.pointee = nil
    Unmanaged<RequestContext>.fromOpaque(raw).release()
    let core = Unmanaged<ServerCore>.fromOpaque(cls).takeUnretainedValue()
    core.inFlight.subtract(1, ordering: .acquiringAndReleasing)
}

/// The access handler: accumulates the body, enforces the size limit and runs the `HTTPHandler`.
func httpKitAccessHandler(_ cls: UnsafeMutableRawPointer?, _ connection: OpaquePointer?,
                          _ url: UnsafePointer<CChar>?, _ method: UnsafePointer<CChar>?,
                          _ version: UnsafePointer<CChar>?, _ uploadData: UnsafePointer<CChar>?,
                          _ uploadDataSize: UnsafeMutablePointer<Int>?,
                          _ contextSlot: UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> MHD_Result {
    guard let cls, let connection, let uploadDataSize, let contextSlot else { return .NO }
    let core = Unmanaged<ServerCore>.fromOpaque(cls).takeUnretainedValue()

    let context: RequestContext
    if let raw = contextSlot.pointee {
        context = Unmanaged<RequestContext>.fromOpaque(raw).takeUnretainedValue()
    } else {
        // The URI logger normally creates the context; this is a fallback that keeps the count balanced.
        context = RequestContext(rawTarget: cStringBytes(url))
        core.inFlight.add(1, ordering: .acquiringAndReleasing)
        contextSlot.pointee = Unmanaged.passRetained(context).toOpaque()
    }
    if context.responded {
        uploadDataSize.pointee = 0
        return .YES
    }

    if !context.headersSeen {
        context.headersSeen = true
        if let declared = MHD_lookup_connection_value(connection, .HEADER_KIND, "Content-Length") {
            let digits = String(cString: declared).trimmingASCIISpaces()
            // Unparseable lengths are rejected by the daemon itself; only act on valid, too-large ones.
            if !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
               UInt64(digits).map({ $0 > UInt64(core.maxBodyBytes) }) ?? true {
                context.tooLarge = true
                context.responded = true
                return queue(payloadTooLarge(core.maxBodyBytes), on: connection)
            }
        }
        return .YES
    }

    let chunkSize = uploadDataSize.pointee
    if chunkSize > 0 {
        uploadDataSize.pointee = 0
        if context.tooLarge || context.body.count + chunkSize > core.maxBodyBytes {
            if !context.tooLarge {
                context.tooLarge = true
                context.discarded = context.body.count
                context.body = []
            }
            context.discarded += chunkSize
            // Answer right away if the daemon allows it mid-upload (libmicrohttpd 0.9.75 does not); otherwise
            // discard until the end and answer then, or drop the connection once the discarded bytes pass
            // `discardLimit` so a client cannot keep a worker busy with an endless upload.
            if !context.triedEarlyAnswer {
                context.triedEarlyAnswer = true
                if queue(payloadTooLarge(core.maxBodyBytes), on: connection) == .YES {
                    context.responded = true
                    return .YES
                }
            }
            return context.discarded > core.discardLimit ? .NO : .YES
        }
        if let uploadData {
            uploadData.withMemoryRebound(to: UInt8.self, capacity: chunkSize) {
                context.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: chunkSize))
            }
        }
        return .YES
    }

    // The whole request has arrived.
    context.responded = true
    if context.tooLarge {
        return queue(payloadTooLarge(core.maxBodyBytes), on: connection)
    }
    let methodName = method.map { String(cString: $0) } ?? "GET"
    let target = String(decoding: context.rawTarget, as: UTF8.self)
    let path = target.firstIndex(of: "?").map { String(target[..<$0]) } ?? target
    let request = HTTPRequest(method: methodName, path: path,
                              query: connectionValues(connection, .GET_ARGUMENT_KIND),
                              headers: connectionValues(connection, .HEADER_KIND),
                              body: context.body)
    context.body = []
    let response = core.handler.handle(request)
    return queue(response, on: connection)
}

private func payloadTooLarge(_ limit: Int) -> HTTPResponse {
    HTTPResponse.jsonError(status: 413, code: "payload_too_large",
                           message: "request body exceeds \(limit) bytes")
}

/// Header names the daemon computes itself and must not be duplicated from the handler's response.
private let daemonManagedHeaders: Set<String> = ["content-length", "transfer-encoding"]

/// Copies `response` into a daemon response and queues it.
private func queue(_ response: HTTPResponse, on connection: OpaquePointer) -> MHD_Result {
    let status = (100...999).contains(response.status) ? response.status : 500
    let bodyAllowed = status >= 200 && status != 204 && status != 304
    let body = bodyAllowed ? response.body : []
    var placeholder: UInt8 = 0
    let created: OpaquePointer? = body.withUnsafeBytes { bytes in
        if let base = bytes.baseAddress, bytes.count > 0 {
            return MHD_create_response_from_buffer(bytes.count, UnsafeMutableRawPointer(mutating: base),
                                                   .RESPMEM_MUST_COPY)
        }
        return MHD_create_response_from_buffer(0, &placeholder, .RESPMEM_MUST_COPY)
    }
    guard let created else { return .NO }
    defer { MHD_destroy_response(created) }
    for (name, value) in response.headers where !daemonManagedHeaders.contains(name.lowercased()) {
        // The daemon rejects names or values with CR, LF or other invalid characters; such headers are dropped.
        _ = MHD_add_response_header(created, name, value)
    }
    return MHD_queue_response(connection, UInt32(status), created)
}

extension String {
    func trimmingASCIISpaces() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        return String(scalars)
    }
}
