import Lightning

/// The progress of one payment the platform sends to a Lightning address: a worker's payout or a requester's
/// refund. Both follow the same rules: ask the address for an invoice, record its payment hash before sending,
/// send, and on failure retry with exponential backoff up to the limit, then give up as `failed` (still owed).
public struct TransferProgress: Sendable, Equatable {
    public var lightningAddress: String
    public var status: PayoutStatus
    public var invoice: String?
    public var paymentHash: String?
    public var preimage: String?
    public var routingFee: MilliSats
    public var attempts: Int64
    public var nextAttemptAt: Instant?
    public var settledAt: Instant?
    public var failureReason: String?
}

/// How one step of a transfer ended.
enum TransferStep: Equatable {
    case settled
    /// The payment is in flight; look again at `nextAttemptAt`.
    case waiting
    /// This attempt failed; retried later, or `failed` for good once the attempts are used up.
    case failedAttempt(String)
}

extension Payout {
    /// The payment-progress fields of the payout, as a transfer.
    var transfer: TransferProgress {
        get {
            TransferProgress(lightningAddress: lightningAddress, status: status, invoice: invoice, paymentHash: paymentHash,
                             preimage: preimage, routingFee: routingFee, attempts: attempts, nextAttemptAt: nextAttemptAt,
                             settledAt: settledAt, failureReason: failureReason)
        }
        set {
            status = newValue.status
            invoice = newValue.invoice
            paymentHash = newValue.paymentHash
            preimage = newValue.preimage
            routingFee = newValue.routingFee
            attempts = newValue.attempts
            nextAttemptAt = newValue.nextAttemptAt
            settledAt = newValue.settledAt
            failureReason = newValue.failureReason
        }
    }
}

extension MarketService {
    /// Advances a transfer by one attempt. `persist` is called with the invoice and payment hash before anything is
    /// sent, so a crash in between resumes by asking the node about that hash instead of paying again.
    func advanceTransfer(_ t: inout TransferProgress, amount: MilliSats, comment: String,
                         persist: (TransferProgress) throws -> Void) throws -> TransferStep {
        let now = clock.now()
        // A payment already sent for this hash: learn its outcome rather than sending anything new.
        if let hashHex = t.paymentHash, let hash = Hex.decode(hashHex), let known = node.outgoingPayment(paymentHash: hash) {
            if known.status != .failed {
                return outcome(&t, known, now: now)
            }
            t.invoice = nil
            t.paymentHash = nil
        }
        if t.invoice == nil {
            do {
                let invoice = try node.requestInvoice(lightningAddress: t.lightningAddress, amount: amount, comment: comment)
                t.invoice = invoice
                t.paymentHash = try paymentHashHex(ofInvoice: invoice)
            } catch {
                return failure(&t, reason: "\(error)", now: now)
            }
        }
        try persist(t)
        guard let invoice = t.invoice else { return failure(&t, reason: "no invoice to pay", now: now) }
        let result: PaymentResult
        do {
            result = try node.payFromPlatform(invoice: invoice, maxFee: configuration.maxRoutingFee(for: amount))
        } catch {
            return failure(&t, reason: "\(error)", now: now)
        }
        return outcome(&t, result, now: now)
    }

    private func outcome(_ t: inout TransferProgress, _ result: PaymentResult, now: Instant) -> TransferStep {
        switch result.status {
        case .succeeded:
            t.status = .settled
            t.preimage = result.preimage.map { Hex.encode($0) }
            t.routingFee = result.fee
            t.settledAt = now
            t.attempts += 1
            t.nextAttemptAt = nil
            t.failureReason = nil
            return .settled
        case .inFlight:
            t.nextAttemptAt = now.adding(milliseconds: configuration.payoutRetryBaseMs)
            return .waiting
        case .failed:
            return failure(&t, reason: result.failureReason ?? "payment failed", now: now)
        }
    }

    private func failure(_ t: inout TransferProgress, reason: String, now: Instant) -> TransferStep {
        t.attempts += 1
        t.failureReason = reason
        if t.attempts >= configuration.payoutMaxAttempts {
            t.status = .failed
            t.nextAttemptAt = nil
        } else {
            t.status = .pending
            let shift = min(t.attempts - 1, 20)
            t.nextAttemptAt = now.adding(milliseconds: configuration.payoutRetryBaseMs << shift)
        }
        return .failedAttempt(reason)
    }
}
