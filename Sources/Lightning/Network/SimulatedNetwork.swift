import Synchronization

/// A simulated Lightning network behind the `LightningNode` protocol: the platform's node, routing nodes and
/// LSPs from a `NetworkSpec`, and wallets that join at run time with a channel to an LSP. Payments are routed
/// (cheapest fee path within the payer's fee limit), move channel balances hop by hop, pay each forwarding node
/// its fee and reveal the payee's real preimage; they fail as on the real network (no route, liquidity, offline
/// nodes, a random failure rate, unknown payee, expired invoice, wrong amount). Lightning addresses resolve
/// through LNURL-pay (LUD-06/LUD-16) served inside the simulation. Deterministic for a given spec, clock and
/// random source; thread-safe (one lock around the whole state: a payment is atomic).
public final class SimulatedNetwork: LightningNode {
    struct InvoiceRecord: Sendable {
        var preimage: [UInt8]
        var amount: MilliSats
        var payee: Int
        var expiresAt: Instant
        var paidAt: Instant?
    }

    struct AddressEntry: Sendable {
        var wallet: Int
        var options: LightningAddressOptions
    }

    struct State: Sendable {
        var graph: NetworkGraph
        var keys: [Int: NodeKey] = [:]
        var invoices: [[UInt8]: InvoiceRecord] = [:]
        var outgoing: [[UInt8]: PaymentResult] = [:]
        var payments: [[UInt8]: NetworkPayment] = [:]
        var statistics = NetworkStatistics()
        var addresses: [String: AddressEntry] = [:]
        var failureRNG: SplitMix64
        var walletsCreated: Int = 0
        var minted: Int64 = 0
    }

    let spec: NetworkSpec
    let clock: any Clock
    let random: any RandomSource
    let invoiceNetwork: Bolt11Network
    let keySeed: [UInt8]
    let platformKey: NodeKey
    let platformIndex: Int
    let lspIndices: [Int]
    let startSeconds: Int64
    let state: Mutex<State>

    /// The platform node's public key (33 bytes, compressed).
    public var platformNodeKey: [UInt8] { platformKey.publicKey }

    /// The platform node's name in the graph.
    public var platformNodeName: String { spec.platform }

    /// Builds the network of `spec`. Node keys derive from `random` (seeded in simulations) unless
    /// `platformSecret` fixes the platform's; the random failure draws use their own stream from `random`.
    public init(spec: NetworkSpec, clock: any Clock, random: any RandomSource, network: Bolt11Network = .regtest,
                platformSecret: [UInt8]? = nil) throws(NetworkSpecError) {
        let graph = try Self.build(spec)
        self.spec = spec
        self.clock = clock
        self.random = random
        self.invoiceNetwork = network
        keySeed = random.bytes(32)
        if let platformSecret {
            do { platformKey = try NodeKey(secretKey: platformSecret) } catch {
                throw NetworkSpecError(path: "platform", reason: "the platform secret is not a valid secp256k1 key: \(error)")
            }
        } else {
            guard let k = NodeKey(seed: keySeed + Array(spec.platform.utf8)) else {
                throw NetworkSpecError(path: "platform", reason: "could not derive the platform node key (libsecp256k1 unavailable)")
            }
            platformKey = k
        }
        guard let p = graph.index[spec.platform] else { throw NetworkSpecError(path: "platform", reason: "no platform node") }
        platformIndex = p
        lspIndices = graph.nodes.indices.filter { graph.nodes[$0].role == .lsp }
        startSeconds = clock.now().seconds
        var minted: Int64 = 0
        for c in graph.channels { minted += c.capacity }
        var s = State(graph: graph, failureRNG: SplitMix64(seed: random.nextUInt64()))
        s.minted = minted
        s.keys[p] = platformKey
        state = Mutex(s)
    }

    static func build(_ spec: NetworkSpec) throws(NetworkSpecError) -> NetworkGraph {
        var g = NetworkGraph()
        guard !spec.platform.isEmpty else { throw NetworkSpecError(path: "platform", reason: "the platform node needs a name") }
        guard spec.randomFailureRate >= 0 && spec.randomFailureRate <= 1 else {
            throw NetworkSpecError(path: "random_failure_rate", reason: "must be between 0 and 1, got \(spec.randomFailureRate)")
        }
        guard spec.maxPaymentAttempts >= 1 else {
            throw NetworkSpecError(path: "max_payment_attempts", reason: "must be at least 1, got \(spec.maxPaymentAttempts)")
        }
        guard spec.wallets.inbound.rawValue >= 0 else {
            throw NetworkSpecError(path: "wallets.inbound", reason: "must not be negative")
        }
        if let p = spec.wallets.lspPolicy.problem() { throw NetworkSpecError(path: "wallets.lsp_policy", reason: p) }
        if let p = spec.wallets.walletPolicy.problem() { throw NetworkSpecError(path: "wallets.wallet_policy", reason: p) }
        for (i, n) in spec.nodes.enumerated() {
            guard !n.name.isEmpty else { throw NetworkSpecError(path: "nodes[\(i)].name", reason: "a node needs a name") }
            guard g.index[n.name] == nil else { throw NetworkSpecError(path: "nodes[\(i)].name", reason: "\"\(n.name)\" is listed twice") }
            g.addNode(n.name, role: n.name == spec.platform ? .platform : n.role, online: n.online, forwards: n.forwards)
        }
        if g.index[spec.platform] == nil { g.addNode(spec.platform, role: .platform) }
        for (i, c) in spec.channels.enumerated() {
            let path = "channels[\(i)]"
            guard !c.node1.isEmpty, !c.node2.isEmpty else { throw NetworkSpecError(path: path, reason: "both ends need a node name") }
            guard c.node1 != c.node2 else { throw NetworkSpecError(path: path, reason: "a channel needs two different nodes, got \"\(c.node1)\" twice") }
            guard c.capacity.rawValue > 0 && c.capacity <= MilliSats.maxSupply else {
                throw NetworkSpecError(path: path + ".capacity_msat", reason: "must be between 1 msat and 21 million BTC, got \(c.capacity.rawValue)")
            }
            let b1 = c.node1Balance?.rawValue ?? (c.capacity.rawValue - c.capacity.rawValue / 2)
            guard b1 >= 0 && b1 <= c.capacity.rawValue else {
                throw NetworkSpecError(path: path + ".node_1.balance_msat", reason: "must be between 0 and the capacity \(c.capacity.rawValue), got \(b1)")
            }
            if let p = c.node1Policy.problem() { throw NetworkSpecError(path: path + ".node_1", reason: p) }
            if let p = c.node2Policy.problem() { throw NetworkSpecError(path: path + ".node_2", reason: p) }
            var scid = c.shortChannelID ?? ShortChannelID.make(block: 100_000 + UInt64(i), tx: 1, output: 0)
            if c.shortChannelID != nil {
                guard !g.scids.contains(scid) else { throw NetworkSpecError(path: path + ".scid", reason: "short channel id \(ShortChannelID.string(scid)) is used twice") }
            } else {
                while g.scids.contains(scid) { scid &+= 1 }
            }
            let a = g.addNode(c.node1, role: .router)
            let b = g.addNode(c.node2, role: .router)
            g.addChannel(NetworkGraph.Channel(scid: scid, node1: a, node2: b, capacity: c.capacity.rawValue, balance1: b1,
                                              balance2: c.capacity.rawValue - b1, policy1: c.node1Policy, policy2: c.node2Policy))
        }
        return g
    }

    // MARK: Keys and invoices

    /// The node's key (derived from the network's key seed and the node's name), cached.
    private func key(of node: Int, _ s: inout State) -> NodeKey? {
        if let k = s.keys[node] { return k }
        guard let k = NodeKey(seed: keySeed + Array(s.graph.nodes[node].name.utf8)) else { return nil }
        s.keys[node] = k
        return k
    }

    /// The public key of a node by name (platform, router, LSP or wallet id), or nil if unknown.
    public func nodePublicKey(_ name: String) -> [UInt8]? {
        state.withLock { s -> [UInt8]? in
            guard let i = s.graph.index[name] else { return nil }
            return key(of: i, &s)?.publicKey
        }
    }

    func issue(amount: MilliSats, description: Bolt11Description, expirySeconds: Int64, payee: Int) throws(LightningError) -> IssuedInvoice {
        guard amount.rawValue > 0, amount <= MilliSats.maxSupply else {
            throw LightningError(.invalidAmount, "invoice amount must be between 1 msat and 21 million BTC, got \(amount)")
        }
        guard let signingKey = state.withLock({ s in key(of: payee, &s) }) else {
            throw LightningError(.invalidInvoice, "could not derive the payee's node key")
        }
        let now = clock.now()
        let preimage = random.bytes(32)
        let hash = Hash.sha256(preimage)
        let expiry = max(1, expirySeconds)
        var text = "", hashField: [UInt8]? = nil
        switch description {
        case .text(let t): text = t
        case .hash(let h): hashField = h
        }
        let invoice = Bolt11Invoice(network: invoiceNetwork, amount: amount, timestamp: UInt64(max(0, now.seconds)),
                                    paymentHash: hash, paymentSecret: random.bytes(32),
                                    description: hashField == nil ? text : nil, descriptionHash: hashField,
                                    expiry: UInt64(expiry), minFinalCLTVExpiry: 18)
        let encoded: String
        do {
            encoded = try Bolt11.encode(invoice, signingKey: signingKey)
        } catch {
            throw LightningError(.invalidInvoice, "could not encode the invoice: \(error)")
        }
        let expiresAt = Instant(seconds: now.seconds + expiry)
        state.withLock { $0.invoices[hash] = InvoiceRecord(preimage: preimage, amount: amount, payee: payee, expiresAt: expiresAt) }
        return IssuedInvoice(bolt11: encoded, paymentHash: hash, amount: amount, expiresAt: expiresAt)
    }

    enum Bolt11Description { case text(String), hash([UInt8]) }

    /// Issues a BOLT11 invoice payable to the platform, signed by the platform node key.
    public func createInvoice(amount: MilliSats, description: String, expirySeconds: Int64) throws(LightningError) -> IssuedInvoice {
        try issue(amount: amount, description: .text(description), expirySeconds: expirySeconds, payee: platformIndex)
    }

    /// Issues an invoice payable to any node of the network (a wallet, a router), signed by that node's key.
    public func createInvoice(payee: String, amount: MilliSats, description: String, expirySeconds: Int64 = 3600) throws(LightningError) -> IssuedInvoice {
        guard let i = state.withLock({ $0.graph.index[payee] }) else { throw LightningError(.unknownWallet, "no node named \(payee) in the simulated network") }
        return try issue(amount: amount, description: .text(description), expirySeconds: expirySeconds, payee: i)
    }

    /// The state of a platform invoice by payment hash.
    public func invoiceState(paymentHash: [UInt8]) -> InvoiceState {
        let now = clock.now()
        return state.withLock { s in
            guard let r = s.invoices[paymentHash], r.payee == platformIndex else { return .unknown }
            if let at = r.paidAt { return .paid(preimage: r.preimage, at: at) }
            return now >= r.expiresAt ? .expired : .unpaid
        }
    }

    // MARK: Wallets

    /// Creates a requester wallet holding `balance` with the spec's default inbound liquidity (the money is minted).
    public func createWallet(balance: MilliSats) -> WalletID {
        createWallet(balance: balance, inbound: spec.wallets.inbound, role: .requester)
    }

    /// Creates a wallet node with one channel to an LSP: `balance` on the wallet's side, `inbound` on the LSP's
    /// (both minted). The LSP is `lsp` when given and known, else the spec's LSPs in turn (by creation order), or
    /// the platform when the network has no LSP. With no balance and no inbound the wallet has no channel.
    public func createWallet(balance: MilliSats, inbound: MilliSats, role: NetworkNodeRole = .worker, lsp: String? = nil) -> WalletID {
        let id = WalletID("wal_" + random.hexID(8))
        state.withLock { s in _ = addWallet(name: id.rawValue, balance: balance, inbound: inbound, role: role, lsp: lsp, &s) }
        return id
    }

    @discardableResult
    func addWallet(name: String, balance: MilliSats, inbound: MilliSats, role: NetworkNodeRole, lsp: String?, _ s: inout State) -> Int {
        if let existing = s.graph.index[name] { return existing }
        let w = s.graph.addNode(name, role: role, forwards: false)
        let peer: Int
        if let lsp, let i = s.graph.index[lsp], i != w {
            peer = i
        } else if !lspIndices.isEmpty {
            peer = lspIndices[s.walletsCreated % lspIndices.count]
        } else {
            peer = platformIndex
        }
        let local = max(0, balance.rawValue), remote = max(0, inbound.rawValue)
        let block = 900_000 + UInt64(s.walletsCreated)
        s.walletsCreated += 1
        guard local + remote > 0 else { return w }
        var scid = ShortChannelID.make(block: block, tx: 1, output: 0)
        while s.graph.scids.contains(scid) { scid &+= 1 }
        s.graph.addChannel(NetworkGraph.Channel(scid: scid, node1: w, node2: peer, capacity: local + remote, balance1: local,
                                                balance2: remote, policy1: spec.wallets.walletPolicy, policy2: spec.wallets.lspPolicy))
        s.minted += local + remote
        return w
    }

    /// The spendable balance of a wallet (or of any node, by name): the sum of its channels' outbound balances.
    public func balance(of wallet: WalletID) -> MilliSats? {
        state.withLock { s in s.graph.index[wallet.rawValue].map { MilliSats(s.graph.localBalance(of: $0)) } }
    }

    /// What a wallet (or any node) can receive: the sum of its channels' remote balances.
    public func inboundLiquidity(of wallet: WalletID) -> MilliSats? {
        state.withLock { s in s.graph.index[wallet.rawValue].map { MilliSats(s.graph.inbound(of: $0)) } }
    }

    /// The platform node's spendable balance (payouts come out of it).
    public var platformBalance: MilliSats { state.withLock { MilliSats($0.graph.localBalance(of: platformIndex)) } }

    /// Takes a node offline or brings it back; returns false if there is no such node.
    @discardableResult
    public func setOnline(_ node: String, _ online: Bool) -> Bool {
        state.withLock { s in
            guard let i = s.graph.index[node] else { return false }
            s.graph.nodes[i].online = online
            return true
        }
    }

    // MARK: Paying

    /// Pays a BOLT11 invoice from `wallet` (a wallet id or any node's name), spending at most `maxFee` on routing.
    public func pay(invoice: String, from wallet: WalletID, maxFee: MilliSats) throws(LightningError) -> PaymentResult {
        guard let payer = state.withLock({ $0.graph.index[wallet.rawValue] }) else {
            throw LightningError(.unknownWallet, "no wallet with id \(wallet)")
        }
        return try settle(invoice: invoice, payer: payer, maxFee: maxFee, recordOutgoing: false)
    }

    /// Pays an invoice from the platform's node (payouts, refunds); every attempt is recorded by payment hash.
    public func payFromPlatform(invoice: String, maxFee: MilliSats) throws(LightningError) -> PaymentResult {
        try settle(invoice: invoice, payer: platformIndex, maxFee: maxFee, recordOutgoing: true)
    }

    /// What became of an outgoing platform payment, by hash: succeeded, failed, or nil if never sent.
    /// (A payment is atomic here, so `in_flight` is never observed; a market must still treat it as "ask later".)
    public func outgoingPayment(paymentHash: [UInt8]) -> PaymentResult? {
        state.withLock { $0.outgoing[paymentHash] }
    }

    /// The network's record of the last payment of `paymentHash` from any payer (route, attempts, failure class).
    public func payment(paymentHash: [UInt8]) -> NetworkPayment? {
        state.withLock { $0.payments[paymentHash] }
    }

    /// Counters over all payments so far.
    public var statistics: NetworkStatistics { state.withLock { $0.statistics } }

    /// Every channel's state, in opening order.
    public func channelSnapshots() -> [ChannelSnapshot] {
        state.withLock { s in
            s.graph.channels.map { c in
                ChannelSnapshot(shortChannelID: c.scid, node1: s.graph.nodes[c.node1].name, node2: s.graph.nodes[c.node2].name,
                                capacity: MilliSats(c.capacity), node1Balance: MilliSats(c.balance1), node2Balance: MilliSats(c.balance2),
                                node1Policy: c.policy1, node2Policy: c.policy2)
            }
        }
    }

    /// Every node's state, in the order nodes joined.
    public func nodeSnapshots() -> [NodeSnapshot] {
        state.withLock { s in
            s.graph.nodes.indices.map { i in
                let n = s.graph.nodes[i]
                return NodeSnapshot(name: n.name, role: n.role, online: n.online, forwards: n.forwards,
                                    localBalance: MilliSats(s.graph.localBalance(of: i)), inboundLiquidity: MilliSats(s.graph.inbound(of: i)),
                                    feesEarned: MilliSats(n.feesEarned), channelCount: n.channels.count)
            }
        }
    }

    /// All money ever put into channels (spec capacities plus wallets' minted balances and LSP inbound).
    /// Payments never change it: the sum of all channel balances always equals it.
    public var totalMinted: MilliSats { state.withLock { MilliSats($0.minted) } }

    /// The current block height: the spec's start height plus one block per ten minutes of clock time.
    public var blockHeight: Int64 { spec.blockHeight + max(0, clock.now().seconds - startSeconds) / 600 }

    /// The cheapest route from `payer` to `payee` for `amount` within `maxFee` (no exclusions; nothing is sent),
    /// or nil when none exists.
    public func findRoute(from payer: String, to payee: String, amount: MilliSats, maxFee: MilliSats,
                          finalCLTVDelta: Int64 = 18) -> Route? {
        let height = blockHeight
        return state.withLock { s -> Route? in
            guard let a = s.graph.index[payer], let b = s.graph.index[payee] else { return nil }
            let k = constraints(amount: amount.rawValue, maxFee: maxFee.rawValue, finalCLTV: finalCLTVDelta, height: height)
            return RouteSearch.find(in: s.graph, from: a, to: b, k).map { publicRoute($0, s.graph) }
        }
    }

    func constraints(amount: Int64, maxFee: Int64, finalCLTV: Int64, height: Int64) -> RouteSearch.Constraints {
        RouteSearch.Constraints(amount: amount, maxFee: max(0, maxFee), finalCLTV: finalCLTV, maxCLTV: spec.maxCLTVExpiryDelta,
                                blockHeight: height, knowledge: spec.routingKnowledge)
    }

    func publicRoute(_ r: FoundRoute, _ g: NetworkGraph) -> Route {
        Route(hops: r.hops.map { h in
            RouteHop(shortChannelID: g.channels[h.channel].scid, from: g.nodes[h.from].name, to: g.nodes[h.to].name,
                     amount: MilliSats(h.amount), cltvExpiry: h.cltvExpiry, fee: MilliSats(h.fee))
        }, amount: MilliSats(r.amount))
    }

    private func settle(invoice text: String, payer: Int, maxFee: MilliSats, recordOutgoing: Bool) throws(LightningError) -> PaymentResult {
        let decoded: Bolt11Invoice
        do {
            decoded = try Bolt11.decode(text)
        } catch {
            throw LightningError(.invalidInvoice, "invoice: \(error)")
        }
        guard let hash = decoded.paymentHash else { throw LightningError(.invalidInvoice, "invoice has no payment hash") }
        guard let amount = decoded.amount, amount.rawValue > 0 else {
            throw LightningError(.invalidAmount, "invoice has no amount; this network pays only invoices with an amount")
        }
        let now = clock.now()
        let height = blockHeight
        return try state.withLock { s throws(LightningError) -> PaymentResult in
            let payerName = s.graph.nodes[payer].name
            func finish(_ p: NetworkPayment) -> PaymentResult {
                let result = PaymentResult(status: p.status, paymentHash: hash, preimage: p.status == .succeeded ? s.invoices[hash]?.preimage : nil,
                                           amount: amount, fee: p.fee, failureReason: p.failureReason)
                s.payments[hash] = p
                if recordOutgoing { s.outgoing[hash] = result }
                s.statistics.attempts += p.attempts
                for k in p.attemptFailures { s.statistics.attemptFailuresByKind[k, default: 0] += 1 }
                if p.status == .succeeded {
                    s.statistics.succeeded += 1
                    s.statistics.feesPaid += p.fee
                } else {
                    s.statistics.failed += 1
                    if let f = p.failure { s.statistics.failuresByKind[f, default: 0] += 1 }
                }
                return result
            }
            func fail(_ kind: PaymentFailureKind, _ why: String, payee: String? = nil, attempts: Int = 0,
                      along: [PaymentFailureKind] = []) -> PaymentResult {
                finish(NetworkPayment(paymentHash: hash, payer: payerName, payee: payee, amount: amount, status: .failed, fee: .zero,
                                      route: nil, failure: kind, failureReason: "\(kind.rawValue): \(why)", attempts: attempts,
                                      attemptFailures: along))
            }
            if recordOutgoing, s.outgoing[hash]?.status == .succeeded {
                throw LightningError(.alreadyPaid, "this invoice was already paid by the platform")
            }
            guard var record = s.invoices[hash], let payeeKey = key(of: record.payee, &s),
                  decoded.payeePublicKey == payeeKey.publicKey else {
                return fail(.payeeUnknown, "no node in the simulated network issued this invoice (payment hash \(Hex.encode(hash)))")
            }
            let payee = record.payee
            let payeeName = s.graph.nodes[payee].name
            guard record.paidAt == nil else { throw LightningError(.alreadyPaid, "this invoice was already paid") }
            guard now.seconds < Int64(clamping: decoded.expiresAt) else {
                let at = Instant(seconds: Int64(clamping: decoded.expiresAt)).iso8601
                _ = fail(.invoiceExpired, "the invoice expired at \(at)", payee: payeeName)
                throw LightningError(.invoiceExpired, "this invoice expired at \(at)")
            }
            guard amount == record.amount else {
                return fail(.amountMismatch, "\(payeeName) refused \(amount.rawValue) msat for an invoice of \(record.amount.rawValue) msat (incorrect_or_unknown_payment_details)", payee: payeeName)
            }
            guard payer != payee else { return fail(.selfPayment, "\(payerName) cannot pay its own invoice", payee: payeeName) }
            guard s.graph.nodes[payer].online else { return fail(.nodeOffline, "the payer's node \(payerName) is offline", payee: payeeName) }

            var k = constraints(amount: amount.rawValue, maxFee: maxFee.rawValue, finalCLTV: Int64(clamping: decoded.minFinalCLTVExpiry), height: height)
            var along: [PaymentFailureKind] = []
            var last: (PaymentFailureKind, String)? = nil
            var attempts = 0
            while attempts < spec.maxPaymentAttempts {
                guard let route = RouteSearch.find(in: s.graph, from: payer, to: payee, k) else {
                    if let last {
                        return fail(last.0, "\(last.1); no other route after \(attempts) attempt\(attempts == 1 ? "" : "s")",
                                    payee: payeeName, attempts: attempts, along: along)
                    }
                    let (kind, why) = diagnose(s.graph, payer: payer, payee: payee, k)
                    return fail(kind, why, payee: payeeName, attempts: attempts, along: along)
                }
                attempts += 1
                var injectAt = -1
                if spec.randomFailureRate > 0 && s.failureRNG.chance(spec.randomFailureRate) {
                    injectAt = s.failureRNG.index(route.hops.count)
                }
                var failure: (PaymentFailureKind, String, terminal: Bool)? = nil
                for (i, hop) in route.hops.enumerated() {
                    let ch = s.graph.channels[hop.channel]
                    let from = s.graph.nodes[hop.from].name, to = s.graph.nodes[hop.to].name
                    if !s.graph.nodes[hop.to].online {
                        if hop.to == payee {
                            failure = (.nodeOffline, "the payee's node \(to) is offline", true)
                        } else {
                            failure = (.nodeOffline, "\(to) is offline (hop \(i + 1), channel \(ShortChannelID.string(ch.scid)))", false)
                            k.excludedNodes.insert(hop.to)
                        }
                        break
                    }
                    if ch.outbound(from: hop.from) < hop.amount {
                        failure = (.temporaryChannelFailure, "\(from) could not forward \(hop.amount) msat to \(to) over channel \(ShortChannelID.string(ch.scid)) (outbound liquidity \(ch.outbound(from: hop.from)) msat)", false)
                        k.excludedDirections.insert(NetworkGraph.Direction(channel: hop.channel, from: hop.from))
                        break
                    }
                    if i == injectAt {
                        failure = (.randomFailure, "the HTLC failed at \(from) -> \(to) over channel \(ShortChannelID.string(ch.scid)) (random failure rate \(spec.randomFailureRate))", false)
                        k.excludedDirections.insert(NetworkGraph.Direction(channel: hop.channel, from: hop.from))
                        break
                    }
                }
                if let failure {
                    along.append(failure.0)
                    last = (failure.0, failure.1)
                    if failure.terminal { return fail(failure.0, failure.1, payee: payeeName, attempts: attempts, along: along) }
                    continue
                }
                // Every hop can carry its HTLC: settle them all (the preimage travels back and each HTLC resolves).
                for hop in route.hops {
                    s.graph.channels[hop.channel].push(hop.amount, from: hop.from)
                    s.graph.nodes[hop.from].feesEarned += hop.fee
                }
                record.paidAt = now
                s.invoices[hash] = record
                return finish(NetworkPayment(paymentHash: hash, payer: payerName, payee: payeeName, amount: amount, status: .succeeded,
                                             fee: MilliSats(route.totalFee), route: publicRoute(route, s.graph), failure: nil,
                                             failureReason: nil, attempts: attempts, attemptFailures: along))
            }
            let (kind, why) = last ?? (.noRoute, "no route")
            return fail(kind, "\(why); gave up after \(attempts) attempts", payee: payeeName, attempts: attempts, along: along)
        }
    }

    /// Why no route exists, in the most specific terms available.
    private func diagnose(_ g: NetworkGraph, payer: Int, payee: Int, _ k: RouteSearch.Constraints) -> (PaymentFailureKind, String) {
        let payerName = g.nodes[payer].name, payeeName = g.nodes[payee].name
        let largestOut = g.nodes[payer].channels.map { g.channels[$0].outbound(from: payer) }.max() ?? 0
        if largestOut < k.amount {
            return (.insufficientBalance, "\(payerName) can send at most \(largestOut) msat over one channel (\(g.localBalance(of: payer)) msat in total over \(g.nodes[payer].channels.count) channels); the payment needs \(k.amount) msat plus fees")
        }
        let receivable = g.nodes[payee].channels.map { c -> Int64 in
            let ch = g.channels[c], peer = ch.peer(of: payee)
            let limit = ch.policy(from: peer).htlcMaximum(capacity: ch.capacity)
            return min(limit, k.knowledge == .balances || peer == payer ? ch.outbound(from: peer) : ch.capacity)
        }.max() ?? 0
        if receivable < k.amount {
            return (.noRoute, "\(payeeName) cannot receive \(k.amount) msat: its largest usable inbound channel carries \(receivable) msat")
        }
        var unlimited = k
        unlimited.maxFee = .max
        if let r = RouteSearch.find(in: g, from: payer, to: payee, unlimited) {
            return (.feeLimitExceeded, "the cheapest route from \(payerName) to \(payeeName) costs \(r.totalFee) msat in fees, more than the limit of \(k.maxFee) msat")
        }
        return (.noRoute, "no path from \(payerName) to \(payeeName) has enough capacity for \(k.amount) msat within the HTLC and CLTV limits")
    }
}
