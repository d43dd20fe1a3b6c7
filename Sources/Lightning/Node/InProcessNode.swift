import Synchronization

/// The minimal in-process Lightning node: one platform node and a custodial wallet host for every agent's wallet
/// and Lightning address. Invoices are real BOLT11 (signed by the node that is paid), preimages are real, and
/// paying moves balances at once with no routing fee. Payments fail only for the reasons a single hop can:
/// unknown or expired invoice, already paid, insufficient balance. The routed network comes later behind the
/// same `LightningNode` protocol.
public final class InProcessNode: LightningNode {
    private struct InvoiceRecord {
        var preimage: [UInt8]
        var amount: MilliSats
        var payee: Payee
        var expiresAt: Instant
        var paidAt: Instant?
        var text: String
    }

    private enum Payee: Equatable { case platform, wallet(WalletID) }

    private struct State {
        var wallets: [WalletID: MilliSats] = [:]
        var invoices: [[UInt8]: InvoiceRecord] = [:]
        /// Invoices by their BOLT11 text: the node knows what it issued without decoding it again.
        var hashByText: [String: [UInt8]] = [:]
        var outgoing: [[UInt8]: PaymentResult] = [:]
        /// Invoices in issue order and in payment order, for forgetting them `retention` after they were paid or
        /// expired, so memory follows the rate of payments, not their total.
        var unpaidQueue = ForgetQueue()
        var paidQueue = ForgetQueue()

        mutating func forget(before cutoff: Int64) {
            for hash in unpaidQueue.popDue(before: cutoff) + paidQueue.popDue(before: cutoff) {
                guard let r = invoices[hash], (r.paidAt ?? r.expiresAt).milliseconds < cutoff else { continue }
                invoices[hash] = nil
                hashByText[r.text] = nil
                outgoing[hash] = nil
            }
        }
        var addressBook: [String: WalletID] = [:]
        var platformBalance: MilliSats
    }

    private let platformKey: NodeKey
    private let walletHostKey: NodeKey
    private let clock: any Clock
    private let random: any RandomSource
    private let network: Bolt11Network
    private let state: Mutex<State>
    /// How long the node remembers an invoice (and the outgoing payment to it) after it was paid or expired.
    public let retentionMs: Int64

    public var platformNodeKey: [UInt8] { platformKey.publicKey }

    /// A node whose keys come from `random` (seeded in simulations), holding `platformLiquidity` to pay out from.
    public init(clock: any Clock, random: any RandomSource, network: Bolt11Network = .regtest,
                platformLiquidity: MilliSats = MilliSats(100_000_000_000), platformSecret: [UInt8]? = nil,
                retentionMs: Int64 = 600_000) throws {
        func key(_ secret: [UInt8]?) throws -> NodeKey {
            if let secret { return try NodeKey(secretKey: secret) }
            for _ in 0..<16 { if let k = NodeKey(seed: random.bytes(32)) { return k } }
            throw LightningError(.invalidAmount, "could not derive a node key")
        }
        platformKey = try key(platformSecret)
        walletHostKey = try key(nil)
        self.clock = clock
        self.random = random
        self.network = network
        self.retentionMs = retentionMs
        state = Mutex(State(platformBalance: platformLiquidity))
    }

    public func createInvoice(amount: MilliSats, description: String, expirySeconds: Int64) throws(LightningError) -> IssuedInvoice {
        try issue(amount: amount, description: description, expirySeconds: expirySeconds, payee: .platform, key: platformKey)
    }

    private func issue(amount: MilliSats, description: String, expirySeconds: Int64, payee: Payee, key: NodeKey) throws(LightningError) -> IssuedInvoice {
        guard amount.rawValue > 0, amount <= MilliSats.maxSupply else {
            throw LightningError(.invalidAmount, "invoice amount must be between 1 msat and 21 million BTC, got \(amount)")
        }
        let now = clock.now()
        let preimage = random.bytes(32)
        let hash = Hash.sha256(preimage)
        let expiry = max(1, expirySeconds)
        let invoice = Bolt11Invoice(network: network, amount: amount, timestamp: UInt64(max(0, now.seconds)),
                                    paymentHash: hash, paymentSecret: random.bytes(32), description: description,
                                    expiry: UInt64(expiry), minFinalCLTVExpiry: 18)
        let text: String
        do {
            text = try Bolt11.encode(invoice, signingKey: key)
        } catch {
            throw LightningError(.invalidInvoice, "could not encode the invoice: \(error)")
        }
        let expiresAt = Instant(seconds: now.seconds + expiry)
        let retention = retentionMs
        state.withLock { s in
            s.invoices[hash] = InvoiceRecord(preimage: preimage, amount: amount, payee: payee, expiresAt: expiresAt, text: text)
            s.hashByText[text] = hash
            s.unpaidQueue.push(at: expiresAt.milliseconds, hash)
            s.forget(before: now.milliseconds - retention)
        }
        return IssuedInvoice(bolt11: text, paymentHash: hash, amount: amount, expiresAt: expiresAt)
    }

    public func invoiceState(paymentHash: [UInt8]) -> InvoiceState {
        let now = clock.now()
        return state.withLock { s in
            guard let r = s.invoices[paymentHash], r.payee == .platform else { return .unknown }
            if let at = r.paidAt { return .paid(preimage: r.preimage, at: at) }
            return now >= r.expiresAt ? .expired : .unpaid
        }
    }

    public func createWallet(balance: MilliSats) -> WalletID {
        let id = WalletID("wal_" + random.hexID(8))
        state.withLock { $0.wallets[id] = max(.zero, balance) }
        return id
    }

    public func balance(of wallet: WalletID) -> MilliSats? {
        state.withLock { $0.wallets[wallet] }
    }

    /// The platform node's spendable balance (payouts come out of it).
    public var platformBalance: MilliSats { state.withLock { $0.platformBalance } }

    public func pay(invoice: String, from wallet: WalletID, maxFee: MilliSats) throws(LightningError) -> PaymentResult {
        try settle(invoice: invoice, payer: .wallet(wallet))
    }

    public func payFromPlatform(invoice: String, maxFee: MilliSats) throws(LightningError) -> PaymentResult {
        let result = try settle(invoice: invoice, payer: .platform)
        state.withLock { $0.outgoing[result.paymentHash] = result }
        return result
    }

    public func outgoingPayment(paymentHash: [UInt8]) -> PaymentResult? {
        state.withLock { $0.outgoing[paymentHash] }
    }

    public func paymentHash(ofInvoice invoice: String) -> [UInt8]? {
        if let known = state.withLock({ $0.hashByText[invoice] }) { return known }
        return (try? Bolt11.decode(invoice))?.paymentHash
    }

    public func requestInvoice(lightningAddress: String, amount: MilliSats, comment: String) throws(LightningError) -> String {
        let parts = lightningAddress.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw LightningError(.unknownAddress, "\"\(lightningAddress)\" is not a Lightning address (user@domain)")
        }
        let key = lightningAddress.lowercased()
        let wallet = state.withLock { s -> WalletID? in s.addressBook[key] } ?? {
            let id = createWallet(balance: .zero)
            return state.withLock { s in
                if let existing = s.addressBook[key] { return existing }
                s.addressBook[key] = id
                return id
            }
        }()
        return try issue(amount: amount, description: "Payout to \(lightningAddress): \(comment)", expirySeconds: 3600,
                         payee: .wallet(wallet), key: walletHostKey).bolt11
    }

    /// The wallet behind a Lightning address, once something was paid to it.
    public func wallet(forAddress address: String) -> WalletID? {
        state.withLock { $0.addressBook[address.lowercased()] }
    }

    private func settle(invoice text: String, payer: Payee) throws(LightningError) -> PaymentResult {
        // An invoice this node issued is known by its text; anything else is decoded (and its signature checked).
        let hash: [UInt8]
        let amount: MilliSats
        let expiresAtSeconds: Int64
        if let known = state.withLock({ s in s.hashByText[text].flatMap { h in s.invoices[h].map { (h, $0.amount, $0.expiresAt.seconds) } } }) {
            (hash, amount, expiresAtSeconds) = known
        } else {
            let decoded: Bolt11Invoice
            do {
                decoded = try Bolt11.decode(text)
            } catch {
                throw LightningError(.invalidInvoice, "invoice: \(error)")
            }
            guard let h = decoded.paymentHash else { throw LightningError(.invalidInvoice, "invoice has no payment hash") }
            guard let a = decoded.amount, a.rawValue > 0 else {
                throw LightningError(.invalidAmount, "invoice has no amount; this node pays only invoices with an amount")
            }
            (hash, amount, expiresAtSeconds) = (h, a, Int64(clamping: decoded.expiresAt))
        }
        let now = clock.now()
        return try state.withLock { s throws(LightningError) -> PaymentResult in
            func failed(_ reason: String) -> PaymentResult {
                PaymentResult(status: .failed, paymentHash: hash, preimage: nil, amount: amount, fee: .zero, failureReason: reason)
            }
            guard var record = s.invoices[hash] else { return failed("no route to the payee of this invoice") }
            guard record.paidAt == nil else { throw LightningError(.alreadyPaid, "this invoice was already paid") }
            guard now.seconds < expiresAtSeconds else { throw LightningError(.invoiceExpired, "this invoice expired at \(Instant(seconds: expiresAtSeconds).iso8601)") }
            guard amount == record.amount else { return failed("the amount does not match the payee's invoice") }
            switch payer {
            case .platform:
                guard s.platformBalance >= amount else { return failed("insufficient platform liquidity") }
                s.platformBalance -= amount
            case .wallet(let id):
                guard let balance = s.wallets[id] else { throw LightningError(.unknownWallet, "no wallet with id \(id)") }
                guard balance >= amount else { return failed("insufficient balance: wallet \(id) holds \(balance.rawValue) msat, the invoice asks \(amount.rawValue) msat") }
                s.wallets[id] = balance - amount
            }
            switch record.payee {
            case .platform: s.platformBalance += amount
            case .wallet(let id): s.wallets[id, default: .zero] += amount
            }
            record.paidAt = now
            s.paidQueue.push(at: now.milliseconds, hash)
            s.invoices[hash] = record
            return PaymentResult(status: .succeeded, paymentHash: hash, preimage: record.preimage, amount: amount, fee: .zero, failureReason: nil)
        }
    }
}

/// Payment hashes in the order of a deadline (issue or payment time), popped once the deadline has passed.
struct ForgetQueue {
    private var items: [(at: Int64, hash: [UInt8])] = []
    private var head = 0

    mutating func push(at: Int64, _ hash: [UInt8]) { items.append((at, hash)) }

    /// The hashes whose deadline is before `cutoff`, in order; deadlines are pushed in non-decreasing order.
    mutating func popDue(before cutoff: Int64) -> [[UInt8]] {
        var out: [[UInt8]] = []
        while head < items.count, items[head].at < cutoff {
            out.append(items[head].hash)
            head += 1
        }
        if head > 4096 && head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
        return out
    }
}
