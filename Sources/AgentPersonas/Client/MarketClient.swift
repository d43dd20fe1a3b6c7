import HTTPKit
import JSON

/// How agents reach the market: only through the API contract. In process, the client hands the router the same
/// `HTTPRequest` value the HTTP server would; over HTTP, it sends it on a socket.
public protocol MarketClient: Sendable {
    func send(_ request: HTTPRequest) -> HTTPResponse
}

/// The market's router called directly: the exact contract, no socket.
public struct InProcessMarketClient: MarketClient {
    public let handler: any HTTPHandler
    public init(handler: any HTTPHandler) { self.handler = handler }
    public func send(_ request: HTTPRequest) -> HTTPResponse { handler.handle(request) }
}

/// A market served elsewhere (`simrun serve`), over one keep-alive HTTP connection.
public final class HTTPMarketClient: MarketClient {
    private let connection: HTTPConnection

    public init(host: String, port: UInt16, timeoutSeconds: Double = 10) {
        connection = HTTPConnection(host: host, port: port, timeout: timeoutSeconds)
    }

    /// Sends the request; a transport failure comes back as status 0 with the reason in a JSON error body,
    /// so agents handle it like any other refusal.
    public func send(_ request: HTTPRequest) -> HTTPResponse {
        do {
            return try connection.send(request)
        } catch {
            let body: JSONValue = ["error": ["code": "transport_error", "message": .string("\(error)")]]
            return HTTPResponse(status: 0, headers: [], body: body.serialized())
        }
    }

    public func close() { connection.close() }
}

/// A response with its JSON body parsed.
public struct APIResult: Sendable {
    public var status: Int
    public var json: JSONValue
    public var response: HTTPResponse

    /// The error code of an error response, if any.
    public var errorCode: String? { json["error"]?["code"]?.stringValue }
}

extension MarketClient {
    /// Sends a JSON request and parses the response (a body that is not JSON parses as null).
    public func call(_ method: String, _ target: String, body: JSONValue? = nil,
                     headers: [(name: String, value: String)] = []) -> APIResult {
        var hs = headers
        var bytes: [UInt8] = []
        if let body {
            bytes = body.serialized()
            hs.append((name: "Content-Type", value: "application/json"))
        }
        let response = send(HTTPRequest(method: method, target: target, headers: hs, body: bytes))
        let json = response.body.isEmpty ? JSONValue.null : ((try? JSONValue.parse(response.body)) ?? .null)
        return APIResult(status: response.status, json: json, response: response)
    }
}
