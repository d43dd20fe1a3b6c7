import HTTPKit
import JSON
import Lightning

/// The L402 payment gate of SPEC section 7: issues challenges (invoice + macaroon) and checks credentials.
final class L402Gate: Sendable {
    let service: MarketService
    private let masterKey: [UInt8]

    /// The seed page's demo credential, accepted in demo mode only.
    static let simToken = "sim_token"
    static let simPreimage = "sim_valid_preimage"

    init(service: MarketService) throws {
        self.service = service
        let random = service.random
        let hex = try service.store.secret("l402_master_key") { random.hexID(32) }
        masterKey = Hex.decode(hex) ?? Array(hex.utf8)
    }

    /// Each token's root key: HMAC(master key, token id). Nothing per token needs storing to verify it.
    func rootKey(tokenID: [UInt8]) -> [UInt8] { Hash.hmacSHA256(key: masterKey, message: tokenID) }

    var serviceName: String { service.configuration.serviceName }

    /// A fresh 402: a BOLT11 invoice for exactly `budgetSats` and a macaroon bound to its payment hash,
    /// the service, the budget and an expiry. `code` is `payment_required`, or `token_spent` for a used token.
    func challenge(budgetSats: Int64, title: String, code: String = "payment_required", message: String? = nil,
                   extra: [String: JSONValue] = [:]) -> APIError {
        let config = service.configuration
        guard let budget = MilliSats.sats(budgetSats) else {
            return .invalidField("budget_sats", "is too large")
        }
        let invoice: IssuedInvoice
        do {
            invoice = try service.node.createInvoice(amount: budget, description: "ProofLayer task: \(title.prefix(200))",
                                                     expirySeconds: config.timing.challengeTTLMs / 1000)
        } catch {
            return APIError(error)
        }
        let tokenID = service.random.bytes(32)
        guard let identifier = try? L402Identifier(paymentHash: invoice.paymentHash, tokenId: tokenID) else {
            return APIError(422, "invalid_invoice", "the node returned an invoice without a 32-byte payment hash")
        }
        let macaroon = Macaroon.l402(rootKey: rootKey(tokenID: tokenID), identifier: identifier, location: config.location, caveats: [
            .services([L402Service(name: serviceName, tier: 0)]),
            .budgetSats(service: serviceName, budgetSats),
            .validUntil(service: serviceName, unixTime: invoice.expiresAt.seconds),
        ])
        let hashHex = Hex.encode(invoice.paymentHash)
        do {
            try service.recordChallenge(paymentHash: hashHex, tokenID: Hex.encode(tokenID), budget: budget,
                                        invoice: invoice.bolt11, expiresAt: invoice.expiresAt)
        } catch {
            return APIError(503, "storage_unavailable", "could not record the payment challenge; try again")
        }
        let challenge = L402Challenge(macaroon: macaroon, invoice: invoice.bolt11)
        var details = extra
        details["macaroon"] = .string(macaroon.base64())
        details["invoice"] = .string(invoice.bolt11)
        details["payment_hash"] = .string(hashHex)
        details["amount_sats"] = .int(budgetSats)
        details["amount_msat"] = .int(budget.rawValue)
        details["expires_at"] = .string(invoice.expiresAt.iso8601)
        let text = message ?? "pay the invoice (\(budgetSats) sats), then retry with Authorization: L402 <macaroon>:<preimage hex>"
        return APIError(402, code, text, details: details, headers: [("WWW-Authenticate", challenge.headerValue)])
    }

    /// Who the `Authorization` header proves the caller to be, for a task of `budgetSats` (nil: any budget).
    /// Throws 401 for anything forged, mismatched, expired, underpaid or unpaid.
    /// `ownership`: the credential only proves who paid for an existing task (release/reject of a review-mode
    /// task), so the expiry caveat, which bounds when the token may buy a task, is not applied; otherwise a
    /// requester would lose its review rights one challenge TTL after paying while its task lives on.
    func authenticate(_ header: String, budgetSats: Int64?, ownership: Bool = false) throws(APIError) -> TaskPayment {
        let credential: L402Credential
        do {
            credential = try L402Credential(parsing: header)
        } catch {
            throw APIError(401, "invalid_credential", error.description)
        }
        if credential.token == Self.simToken && credential.preimageText == Self.simPreimage {
            guard service.configuration.mode == .demo else {
                throw APIError(401, "invalid_credential", "the demo credential sim_token:sim_valid_preimage is accepted only when the market runs in demo mode; pay the invoice instead")
            }
            return .simToken
        }
        let policy = L402CaveatPolicy(service: serviceName, now: ownership ? Int64.min : service.clock.now().seconds)
        let grant: L402Grant
        do {
            grant = try credential.verify(rootKey: { self.rootKey(tokenID: $0.tokenId) }, policy: policy)
        } catch {
            throw APIError(401, error.isExpiry ? "credential_expired" : "invalid_credential", error.description)
        }
        guard let identifier = grant.identifier else {
            throw APIError(401, "invalid_credential", "the macaroon has no L402 identifier")
        }
        if let budgetSats {
            guard let granted = grant.budgetSats else {
                throw APIError(401, "invalid_credential", "the macaroon does not state the budget it paid for")
            }
            if granted != budgetSats {
                throw APIError(401, "budget_mismatch", "this credential paid for \(granted) sats but the request asks for a \(budgetSats)-sat task")
            }
        }
        let hashHex = Hex.encode(identifier.paymentHash)
        switch service.node.invoiceState(paymentHash: identifier.paymentHash) {
        case .paid: break
        case .unpaid, .expired:
            throw APIError(401, "invoice_unpaid", "the invoice for this credential has not been paid")
        case .unknown:
            // A node forgets settled invoices after a while; a token that already bought a task was paid.
            guard (try? service.task(paidBy: hashHex)) != nil else {
                throw APIError(401, "unknown_token", "this market's node never issued an invoice with this payment hash")
            }
        }
        return .l402(paymentHash: hashHex)
    }
}

extension L402VerificationError {
    var isExpiry: Bool {
        if case .caveat(let e) = self, case .expired = e { return true }
        return false
    }
}
