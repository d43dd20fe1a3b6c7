import HTTPKit
import JSON
import Lightning

/// An error the API returns: status, a snake_case code and a sentence a person can act on.
public struct APIError: Error, Sendable, Equatable {
    public var status: Int
    public var code: String
    public var message: String
    /// Extra members of the error object (e.g. the 402 challenge's invoice and macaroon).
    public var details: [String: JSONValue]
    public var headers: [(name: String, value: String)]

    public init(_ status: Int, _ code: String, _ message: String, details: [String: JSONValue] = [:],
                headers: [(name: String, value: String)] = []) {
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.headers = headers
    }

    public static func == (a: APIError, b: APIError) -> Bool {
        a.status == b.status && a.code == b.code && a.message == b.message && a.details == b.details
    }

    static func malformed(_ message: String) -> APIError { APIError(400, "malformed_request", message) }
    static func invalidField(_ field: String, _ reason: String) -> APIError {
        APIError(422, "invalid_field", "\(field): \(reason)", details: ["field": .string(field)])
    }
    static func missingField(_ field: String, _ expected: String) -> APIError {
        APIError(422, "missing_field", "\(field): is required (\(expected))", details: ["field": .string(field)])
    }

    /// The response for this error: `{"error": {"code", "message", ...}}`.
    public var response: HTTPResponse {
        var object = details
        object["code"] = .string(code)
        object["message"] = .string(message)
        var response = HTTPResponse.json(status, ["error": .object(object)])
        response.headers.append(contentsOf: headers)
        return response
    }
}

extension APIError {
    /// The one place where domain errors become API errors.
    public init(_ error: MarketError) {
        let message = error.description
        switch error {
        case .workerNotFound: self.init(404, "worker_not_found", message)
        case .taskNotFound: self.init(404, "task_not_found", message)
        case .invalidState(_, let status, _):
            self.init(409, "invalid_state", message, details: ["status": .string(status.rawValue)])
        case .workerTypeMismatch: self.init(409, "worker_type_mismatch", message)
        case .notClaimant: self.init(409, "not_claimant", message)
        case .proofRequired: self.init(422, "proof_required", message, details: ["field": "proof_url"])
        case .invalidField(let field, let reason): self = .invalidField(field, reason)
        case .reviewNeedsRequester: self.init(401, "requester_credential_required", message)
        case .tokenSpent(let existing):
            self.init(402, "token_spent", message, details: ["task_id": .string(existing.rawValue)])
        case .unknownToken: self.init(401, "unknown_token", message)
        case .storage: self.init(503, "storage_unavailable", "the market could not complete this request; try again")
        }
    }

    /// Lightning refusals as API errors.
    public init(_ error: LightningError) {
        switch error.code {
        case .invalidInvoice: self.init(422, "invalid_invoice", error.message, details: ["field": "invoice"])
        case .unknownWallet: self.init(404, "wallet_not_found", error.message)
        case .invalidAmount: self.init(422, "invalid_amount", error.message)
        case .unknownAddress: self.init(422, "unknown_lightning_address", error.message)
        case .invoiceExpired: self.init(409, "invoice_expired", error.message)
        case .alreadyPaid: self.init(409, "invoice_already_paid", error.message)
        }
    }
}

extension HTTPResponse {
    /// A JSON response with sorted keys and a trailing newline.
    public static func json(_ status: Int, _ value: JSONValue, headers: [(name: String, value: String)] = []) -> HTTPResponse {
        json(status, bytes: value.serialized(), headers: headers)
    }

    /// A JSON response from already-serialized JSON, with a trailing newline.
    public static func json(_ status: Int, bytes: [UInt8], headers: [(name: String, value: String)] = []) -> HTTPResponse {
        var body = bytes
        body.append(UInt8(ascii: "\n"))
        return HTTPResponse(status: status, headers: [("Content-Type", "application/json")] + headers, body: body)
    }
}
