/// One hop of a route: an HTLC from `from` to `to` over one channel.
public struct RouteHop: Sendable, Hashable {
    /// The channel the HTLC crosses.
    public var shortChannelID: UInt64
    /// The node that sends the HTLC over the channel (the payer for the first hop, else a forwarding node).
    public var from: String
    /// The node that receives it.
    public var to: String
    /// The HTLC amount: what `to` receives (the payment plus the fees of every node after `to`).
    public var amount: MilliSats
    /// The HTLC's absolute CLTV expiry (block height).
    public var cltvExpiry: Int64
    /// The fee `from` keeps for forwarding over this channel (zero on the first hop: the payer charges itself nothing).
    public var fee: MilliSats

    /// A hop from its parts.
    public init(shortChannelID: UInt64, from: String, to: String, amount: MilliSats, cltvExpiry: Int64, fee: MilliSats) {
        self.shortChannelID = shortChannelID
        self.from = from
        self.to = to
        self.amount = amount
        self.cltvExpiry = cltvExpiry
        self.fee = fee
    }

    /// The short channel id as `block x tx x output`.
    public var shortChannelIDString: String { ShortChannelID.string(shortChannelID) }
}

/// A route from a payer to a payee, hop by hop, with its amounts and fees.
public struct Route: Sendable, Hashable {
    /// The hops in order from the payer.
    public var hops: [RouteHop]
    /// What the payee receives.
    public var amount: MilliSats

    /// A route from its parts.
    public init(hops: [RouteHop], amount: MilliSats) {
        self.hops = hops
        self.amount = amount
    }

    /// What the payer sends (the first HTLC).
    public var totalAmount: MilliSats { hops.first?.amount ?? amount }
    /// The sum of the forwarding fees.
    public var totalFee: MilliSats { totalAmount - amount }
    /// Total CLTV lock (blocks) the payer's first HTLC carries beyond the current height.
    public var firstExpiry: Int64 { hops.first?.cltvExpiry ?? 0 }
    /// The nodes along the route, payer first.
    public var nodes: [String] { (hops.first.map { [$0.from] } ?? []) + hops.map(\.to) }
}

/// Short channel id helpers (BOLT #7: block height << 40 | tx index << 16 | output index).
public enum ShortChannelID {
    /// The id for a block, transaction index and output.
    public static func make(block: UInt64, tx: UInt64, output: UInt64) -> UInt64 {
        (block & 0xff_ffff) << 40 | (tx & 0xff_ffff) << 16 | (output & 0xffff)
    }
    /// `block x tx x output`.
    public static func string(_ id: UInt64) -> String { "\(id >> 40)x\((id >> 16) & 0xff_ffff)x\(id & 0xffff)" }
}

/// Why a payment (or one attempt of it) failed, as a machine-readable class.
public enum PaymentFailureKind: String, Sendable, Hashable, CaseIterable {
    /// No path from payer to payee with enough capacity within HTLC limits (possibly after excluding failed channels).
    case noRoute = "no_route"
    /// Paths exist but every one costs more in fees than the payer's limit.
    case feeLimitExceeded = "fee_limit_exceeded"
    /// The payer's own channels do not hold enough to send the amount.
    case insufficientBalance = "insufficient_balance"
    /// A hop lacked outbound liquidity for the HTLC (BOLT #4 `temporary_channel_failure`).
    case temporaryChannelFailure = "temporary_channel_failure"
    /// A node on the route (or the payer or payee) was offline.
    case nodeOffline = "node_offline"
    /// The configured random failure rate struck an attempt.
    case randomFailure = "random_failure"
    /// No node in the network issued the invoice.
    case payeeUnknown = "payee_unknown"
    /// The payee refused: the amount differs from its invoice (BOLT #4 `incorrect_or_unknown_payment_details`).
    case amountMismatch = "amount_mismatch"
    /// The invoice had expired before it was paid.
    case invoiceExpired = "invoice_expired"
    /// Payer and payee are the same node.
    case selfPayment = "self_payment"
}

/// The network's record of one payment (every `pay` / `payFromPlatform` call that reached the network).
public struct NetworkPayment: Sendable, Hashable {
    /// The payment hash.
    public var paymentHash: [UInt8]
    /// The paying node's name.
    public var payer: String
    /// The payee's node name, when known.
    public var payee: String?
    /// What the payee was to receive.
    public var amount: MilliSats
    /// The outcome, as the payer saw it.
    public var status: PaymentResult.Status
    /// Routing fees paid (zero unless succeeded).
    public var fee: MilliSats
    /// The route that succeeded.
    public var route: Route?
    /// The failure class of a failed payment (of its last attempt).
    public var failure: PaymentFailureKind?
    /// The failure reason in words.
    public var failureReason: String?
    /// Routes tried (each a full HTLC attempt).
    public var attempts: Int
    /// Failure classes of the attempts that failed along the way, in order.
    public var attemptFailures: [PaymentFailureKind]
}

/// Counters over every payment the network has seen (for reports).
public struct NetworkStatistics: Sendable, Hashable {
    /// Payments that succeeded.
    public var succeeded: Int = 0
    /// Payments that finally failed.
    public var failed: Int = 0
    /// HTLC attempts made (a payment may make several).
    public var attempts: Int = 0
    /// Routing fees paid by all successful payments.
    public var feesPaid: MilliSats = .zero
    /// Final failures by class.
    public var failuresByKind: [PaymentFailureKind: Int] = [:]
    /// Failed attempts by class (including those a later attempt recovered from).
    public var attemptFailuresByKind: [PaymentFailureKind: Int] = [:]
}

/// A channel's state at one moment (for reports of liquidity over time).
public struct ChannelSnapshot: Sendable, Hashable {
    /// The channel's short channel id.
    public var shortChannelID: UInt64
    /// The first end's node name.
    public var node1: String
    /// The second end's node name.
    public var node2: String
    /// The channel's capacity (always `node1Balance + node2Balance`).
    public var capacity: MilliSats
    /// `node1`'s outbound balance.
    public var node1Balance: MilliSats
    /// `node2`'s outbound balance.
    public var node2Balance: MilliSats
    /// `node1`'s forwarding policy toward `node2`.
    public var node1Policy: ChannelPolicy
    /// `node2`'s forwarding policy toward `node1`.
    public var node2Policy: ChannelPolicy
}

/// A node's state at one moment.
public struct NodeSnapshot: Sendable, Hashable {
    /// The node's name (a wallet's id for wallets).
    public var name: String
    /// What the node is for.
    public var role: NetworkNodeRole
    /// Whether it is online.
    public var online: Bool
    /// Whether it forwards others' payments.
    public var forwards: Bool
    /// Sum of the node's outbound balances.
    public var localBalance: MilliSats
    /// Sum of its channels' remote balances (what it can receive).
    public var inboundLiquidity: MilliSats
    /// Fees earned forwarding.
    public var feesEarned: MilliSats
    /// Number of channels.
    public var channelCount: Int
}
