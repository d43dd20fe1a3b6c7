/// A wallet on the (simulated) Lightning network: a requester's or a worker's.
public struct WalletID: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
    public static func < (a: WalletID, b: WalletID) -> Bool { a.rawValue < b.rawValue }
}

/// An invoice the platform's node issued to get paid.
public struct IssuedInvoice: Sendable, Equatable {
    public var bolt11: String
    public var paymentHash: [UInt8]
    public var amount: MilliSats
    public var expiresAt: Instant
}

/// What the node knows about one of its own invoices.
public enum InvoiceState: Sendable, Equatable {
    case unpaid
    case paid(preimage: [UInt8], at: Instant)
    case expired
    case unknown
}

/// The outcome of sending a payment.
public struct PaymentResult: Sendable, Equatable {
    public enum Status: String, Sendable, Equatable { case succeeded, failed, inFlight = "in_flight" }
    public var status: Status
    public var paymentHash: [UInt8]
    public var preimage: [UInt8]?
    public var amount: MilliSats
    public var fee: MilliSats
    /// Why a failed payment failed, in words a person can act on.
    public var failureReason: String?

    public init(status: Status, paymentHash: [UInt8], preimage: [UInt8]?, amount: MilliSats, fee: MilliSats, failureReason: String?) {
        self.status = status
        self.paymentHash = paymentHash
        self.preimage = preimage
        self.amount = amount
        self.fee = fee
        self.failureReason = failureReason
    }
}

/// Why the node refused a request outright (as opposed to a payment that was tried and failed).
public struct LightningError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable { case invalidInvoice = "invalid_invoice", unknownWallet = "unknown_wallet",
        invalidAmount = "invalid_amount", unknownAddress = "unknown_address", invoiceExpired = "invoice_expired",
        alreadyPaid = "already_paid" }
    public var code: Code
    public var message: String
    public init(_ code: Code, _ message: String) { self.code = code; self.message = message }
    public var description: String { message }
}

/// The market's view of a Lightning network: the platform's node that issues invoices and sends payouts, and
/// the wallets of the agents around it. The minimal in-process node and the simulated network both conform.
public protocol LightningNode: Sendable {
    /// The platform node's public key (33 bytes, compressed).
    var platformNodeKey: [UInt8] { get }

    /// Issues a BOLT11 invoice payable to the platform.
    func createInvoice(amount: MilliSats, description: String, expirySeconds: Int64) throws(LightningError) -> IssuedInvoice

    /// The state of a platform invoice by payment hash.
    func invoiceState(paymentHash: [UInt8]) -> InvoiceState

    /// Creates a wallet holding `balance` (simulation only: the money is minted).
    func createWallet(balance: MilliSats) -> WalletID

    /// The balance of a wallet, or nil if unknown.
    func balance(of wallet: WalletID) -> MilliSats?

    /// Pays a BOLT11 invoice from `wallet`, spending at most `maxFee` on routing.
    func pay(invoice: String, from wallet: WalletID, maxFee: MilliSats) throws(LightningError) -> PaymentResult

    /// Asks the wallet behind a Lightning address (LUD-16) for an invoice of `amount`.
    func requestInvoice(lightningAddress: String, amount: MilliSats, comment: String) throws(LightningError) -> String

    /// Pays an invoice from the platform's own node (payouts, refunds).
    func payFromPlatform(invoice: String, maxFee: MilliSats) throws(LightningError) -> PaymentResult

    /// What became of an outgoing platform payment, by hash (to resume after a crash without paying twice).
    func outgoingPayment(paymentHash: [UInt8]) -> PaymentResult?

    /// The payment hash of a BOLT11 invoice, or nil if it does not decode.
    func paymentHash(ofInvoice invoice: String) -> [UInt8]?
}

extension LightningNode {
    /// Decodes the invoice (checking its signature); nodes that issued the invoice themselves may answer faster.
    public func paymentHash(ofInvoice invoice: String) -> [UInt8]? {
        (try? Bolt11.decode(invoice))?.paymentHash
    }
}
