/// One direction's forwarding policy of a channel, as its owner announces it in a BOLT #7 `channel_update`:
/// the node at the start of the direction charges these fees and this CLTV delta for forwarding over the channel.
public struct ChannelPolicy: Sendable, Hashable {
    /// `fee_base_msat`: the fixed fee per forwarded HTLC, in millisatoshis.
    public var baseFeeMsat: Int64
    /// `fee_proportional_millionths`: the proportional fee, in parts per million of the forwarded amount.
    public var feeRatePPM: Int64
    /// `cltv_expiry_delta`: blocks the forwarding node adds between the incoming and the outgoing HTLC expiry.
    public var cltvExpiryDelta: Int64
    /// `htlc_minimum_msat`: the smallest HTLC the channel forwards in this direction.
    public var htlcMinimumMsat: Int64
    /// `htlc_maximum_msat`: the largest HTLC forwarded in this direction; nil means the channel's capacity.
    public var htlcMaximumMsat: Int64?

    /// A policy from its parts; the defaults are LND's usual ones (1 sat base, 1 ppm, 40 blocks, 1 msat minimum).
    public init(baseFeeMsat: Int64 = 1_000, feeRatePPM: Int64 = 1, cltvExpiryDelta: Int64 = 40,
                htlcMinimumMsat: Int64 = 1, htlcMaximumMsat: Int64? = nil) {
        self.baseFeeMsat = baseFeeMsat
        self.feeRatePPM = feeRatePPM
        self.cltvExpiryDelta = cltvExpiryDelta
        self.htlcMinimumMsat = htlcMinimumMsat
        self.htlcMaximumMsat = htlcMaximumMsat
    }

    /// A policy that forwards for free (used for wallets' own channel directions, which never forward).
    public static let free = ChannelPolicy(baseFeeMsat: 0, feeRatePPM: 0, cltvExpiryDelta: 40, htlcMinimumMsat: 1)

    /// The fee for forwarding `amount` (the amount that leaves the forwarding node), exactly as BOLT #7 says:
    /// `fee_base_msat + floor(amount_to_forward * fee_proportional_millionths / 1_000_000)`.
    public func fee(forwarding amount: MilliSats) -> MilliSats {
        MilliSats(Self.fee(base: baseFeeMsat, ppm: feeRatePPM, amount: amount.rawValue))
    }

    /// Integer fee math without overflow for any amount up to 21 million BTC and any ppm up to `Int64.max`.
    static func fee(base: Int64, ppm: Int64, amount: Int64) -> Int64 {
        let proportional = Int128(amount) * Int128(ppm) / 1_000_000
        let total = Int128(base) + proportional
        return total > Int128(Int64.max) ? Int64.max : Int64(total)
    }

    /// The largest HTLC this direction forwards on a channel of `capacity` msat.
    func htlcMaximum(capacity: Int64) -> Int64 { min(htlcMaximumMsat ?? capacity, capacity) }

    /// Why the policy is unusable, or nil when it is fine.
    func problem() -> String? {
        if baseFeeMsat < 0 { return "base fee must not be negative (got \(baseFeeMsat) msat)" }
        if feeRatePPM < 0 { return "fee rate must not be negative (got \(feeRatePPM) ppm)" }
        if cltvExpiryDelta < 0 || cltvExpiryDelta > 65_535 { return "CLTV delta must be 0...65535 (got \(cltvExpiryDelta))" }
        if htlcMinimumMsat < 0 { return "HTLC minimum must not be negative (got \(htlcMinimumMsat) msat)" }
        if let max = htlcMaximumMsat {
            if max < 1 { return "HTLC maximum must be at least 1 msat (got \(max))" }
            if max < htlcMinimumMsat { return "HTLC maximum \(max) msat is below the HTLC minimum \(htlcMinimumMsat) msat" }
        }
        return nil
    }
}
