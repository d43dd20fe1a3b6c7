import Foundation
import Synchronization
import Testing
@testable import Lightning

/// Payments over the simulated network: balances, conservation, every failure class, and the platform's record.
@Suite struct NetworkPaymentTests {
    /// platform -- lsp1 -- lsp2, wallets join lsp1 and lsp2 in turn. lsp1 -> lsp2 charges 1000 msat + 100 ppm.
    static func twoLSPs(seed: UInt64 = 3, rate: Double = 0, clock: ManualClock = ManualClock(TestGraphs.start)) throws -> SimulatedNetwork {
        var spec = NetworkSpec(nodes: [NetworkSpec.Node(name: "platform", role: .platform), NetworkSpec.Node(name: "lsp1", role: .lsp),
                                       NetworkSpec.Node(name: "lsp2", role: .lsp)],
                               channels: [
                                   NetworkSpec.Channel(node1: "platform", node2: "lsp1", capacity: MilliSats(1_000_000_000),
                                                       node1Balance: MilliSats(600_000_000), node1Policy: .free, node2Policy: TestGraphs.policy(0, 0)),
                                   NetworkSpec.Channel(node1: "lsp1", node2: "lsp2", capacity: MilliSats(1_000_000_000),
                                                       node1Policy: TestGraphs.policy(1_000, 100), node2Policy: TestGraphs.policy(1_000, 100)),
                               ])
        spec.randomFailureRate = rate
        return try TestGraphs.network(spec, seed: seed, clock: clock)
    }

    @Test func aWalletPaysThePlatformAndLearnsThePreimage() throws {
        let net = try Self.twoLSPs()
        let wallet = net.createWallet(balance: MilliSats(1_000_000)) // joins lsp1
        let invoice = try net.createInvoice(amount: MilliSats(100_000), description: "task budget", expirySeconds: 600)
        #expect(net.invoiceState(paymentHash: invoice.paymentHash) == .unpaid)
        let before = net.platformBalance
        let r = try net.pay(invoice: invoice.bolt11, from: wallet, maxFee: MilliSats(1_000))
        #expect(r.status == .succeeded)
        #expect(r.fee == .zero) // lsp1 -> platform is free
        #expect(Hash.sha256(try #require(r.preimage)) == invoice.paymentHash)
        #expect(net.invoiceState(paymentHash: invoice.paymentHash) == .paid(preimage: try #require(r.preimage), at: TestGraphs.start))
        #expect(net.balance(of: wallet) == MilliSats(900_000))
        #expect(net.platformBalance == before + MilliSats(100_000))
        #expect(net.outgoingPayment(paymentHash: invoice.paymentHash) == nil, "wallet payments are not the platform's outgoing payments")
        TestGraphs.expectConserved(net)
    }

    @Test func walletsJoinTheLSPsInTurnWithTheirBalanceAndInbound() throws {
        let net = try Self.twoLSPs()
        let a = net.createWallet(balance: MilliSats(5_000), inbound: MilliSats(7_000), role: .worker)
        let b = net.createWallet(balance: MilliSats(5_000), inbound: MilliSats(7_000), role: .worker)
        let c = net.createWallet(balance: .zero, inbound: .zero, role: .worker)
        let channels = net.channelSnapshots()
        #expect(channels.count == 4, "no channel for a wallet with nothing on either side")
        #expect(channels[2].node1 == a.rawValue && channels[2].node2 == "lsp1")
        #expect(channels[3].node1 == b.rawValue && channels[3].node2 == "lsp2")
        #expect(net.balance(of: a) == MilliSats(5_000) && net.inboundLiquidity(of: a) == MilliSats(7_000))
        #expect(net.balance(of: c) == .zero)
        #expect(net.balance(of: WalletID("nobody")) == nil)
        TestGraphs.expectConserved(net)
    }

    @Test func moneyIsConservedOnEveryHopAndAcrossTheNetworkAfterManyRandomPayments() throws {
        var params = TopologyParameters()
        params.capacityMsat = 2_000_000...20_000_000
        let spec = NetworkSpec.scaleFree(nodes: 60, edgesPerNode: 2, seed: 42, lsps: 4, parameters: params)
        let net = try TestGraphs.network(spec, seed: 42)
        var rng = Lightning.SplitMix64(seed: 99)
        var wallets: [WalletID] = []
        for _ in 0..<16 { wallets.append(net.createWallet(balance: MilliSats(rng.uniform(0...5_000_000)), inbound: MilliSats(3_000_000), role: .requester)) }
        let parties = wallets + [WalletID("platform")]
        var succeeded = 0, failed = 0
        for _ in 0..<400 {
            let payer = parties[rng.index(parties.count)]
            var payee = parties[rng.index(parties.count)]
            if payee == payer { payee = parties[(parties.firstIndex(of: payer)! + 1) % parties.count] }
            let amount = MilliSats(rng.uniform(1...2_000_000))
            let invoice = try net.createInvoice(payee: payee.rawValue, amount: amount, description: "p")
            let before = net.channelSnapshots()
            let payerBefore = try #require(net.balance(of: payer)), payeeBefore = try #require(net.balance(of: payee))
            let r = try net.pay(invoice: invoice.bolt11, from: payer, maxFee: MilliSats(50_000))
            if r.status == .succeeded {
                succeeded += 1
                #expect(net.balance(of: payer) == payerBefore - amount - r.fee)
                #expect(net.balance(of: payee) == payeeBefore + amount)
                let route = try #require(net.payment(paymentHash: invoice.paymentHash)?.route)
                #expect(route.totalFee == r.fee && route.amount == amount)
                // Each hop: what left one side arrived on the other, and each forwarder kept exactly its fee.
                for (i, hop) in route.hops.enumerated() where i > 0 {
                    #expect(route.hops[i - 1].amount - hop.amount == hop.fee)
                }
            } else {
                failed += 1
                #expect(net.channelSnapshots() == before, "a failed payment moved money: \(r.failureReason ?? "")")
            }
        }
        #expect(succeeded > 100 && failed > 0, "succeeded \(succeeded), failed \(failed)")
        TestGraphs.expectConserved(net)
        let stats = net.statistics
        #expect(stats.succeeded == succeeded && stats.failed == failed)
        let earned = net.nodeSnapshots().reduce(MilliSats.zero) { $0 + $1.feesEarned }
        #expect(earned == stats.feesPaid)
    }

    // MARK: Failure classes

    @Test func noRouteWhenThePayeeCannotReceive() throws {
        let net = try Self.twoLSPs()
        let worker = net.createWallet(balance: .zero, inbound: .zero, role: .worker)
        let invoice = try net.createInvoice(payee: worker.rawValue, amount: MilliSats(70_000), description: "payout")
        let r = try net.payFromPlatform(invoice: invoice.bolt11, maxFee: MilliSats(10_000))
        #expect(r.status == .failed)
        #expect(net.payment(paymentHash: invoice.paymentHash)?.failure == .noRoute)
        #expect(r.failureReason?.contains("cannot receive 70000 msat") == true, "\(r.failureReason ?? "")")
    }

    @Test func insufficientBalanceWhenThePayerCannotSendTheAmount() throws {
        let net = try Self.twoLSPs()
        let wallet = net.createWallet(balance: MilliSats(1_000))
        let invoice = try net.createInvoice(amount: MilliSats(50_000), description: "budget", expirySeconds: 600)
        let r = try net.pay(invoice: invoice.bolt11, from: wallet, maxFee: MilliSats(1_000))
        #expect(r.status == .failed)
        #expect(net.payment(paymentHash: invoice.paymentHash)?.failure == .insufficientBalance)
        #expect(r.failureReason?.hasPrefix("insufficient_balance:") == true)
        #expect(net.balance(of: wallet) == MilliSats(1_000))
    }

    @Test func feeLimitExceededNamesTheCheapestFee() throws {
        let net = try TestGraphs.network(TestGraphs.diamond())
        let invoice = try net.createInvoice(payee: "D", amount: MilliSats(100_000), description: "x")
        let r = try net.pay(invoice: invoice.bolt11, from: WalletID("A"), maxFee: MilliSats(150))
        #expect(r.status == .failed)
        #expect(net.payment(paymentHash: invoice.paymentHash)?.failure == .feeLimitExceeded)
        #expect(r.failureReason?.contains("costs 200 msat in fees, more than the limit of 150 msat") == true, "\(r.failureReason ?? "")")
    }

    @Test func temporaryChannelFailureTriesTheNextBestRoute() throws {
        // The cheap path's last hop E -> D is empty on E's side; A only knows its capacity and tries it first.
        let net = try TestGraphs.network(TestGraphs.diamond(eBalance: 0))
        let invoice = try net.createInvoice(payee: "D", amount: MilliSats(100_000), description: "x")
        let r = try net.pay(invoice: invoice.bolt11, from: WalletID("A"), maxFee: MilliSats(10_000))
        #expect(r.status == .succeeded)
        #expect(r.fee == MilliSats(5_000))
        let p = try #require(net.payment(paymentHash: invoice.paymentHash))
        #expect(p.attempts == 2)
        #expect(p.attemptFailures == [.temporaryChannelFailure])
        #expect(p.route?.nodes == ["A", "B", "D"])
        TestGraphs.expectConserved(net)
    }

    @Test func temporaryChannelFailureWithNoOtherRouteFailsAndMovesNothing() throws {
        let net = try Self.twoLSPs()
        // A worker whose channel holds everything on its own side: no inbound liquidity.
        let worker = net.createWallet(balance: MilliSats(200_000), inbound: .zero, role: .worker)
        let invoice = try net.createInvoice(payee: worker.rawValue, amount: MilliSats(70_000), description: "payout")
        let before = net.channelSnapshots()
        let r = try net.payFromPlatform(invoice: invoice.bolt11, maxFee: MilliSats(10_000))
        #expect(r.status == .failed)
        let p = try #require(net.payment(paymentHash: invoice.paymentHash))
        #expect(p.failure == .temporaryChannelFailure)
        #expect(p.attempts == 1)
        #expect(r.failureReason?.contains("lsp1 could not forward 70000 msat to \(worker.rawValue)") == true, "\(r.failureReason ?? "")")
        #expect(r.failureReason?.contains("no other route") == true)
        #expect(net.channelSnapshots() == before)
    }

    @Test func anOfflineForwarderIsRoutedAround() throws {
        let net = try TestGraphs.network(TestGraphs.diamond())
        #expect(net.setOnline("C", false))
        let invoice = try net.createInvoice(payee: "D", amount: MilliSats(100_000), description: "x")
        let r = try net.pay(invoice: invoice.bolt11, from: WalletID("A"), maxFee: MilliSats(10_000))
        #expect(r.status == .succeeded)
        let p = try #require(net.payment(paymentHash: invoice.paymentHash))
        #expect(p.attemptFailures == [.nodeOffline])
        #expect(p.route?.nodes == ["A", "B", "D"])
    }

    @Test func anOfflinePayeeOrPayerFailsTheHTLC() throws {
        let net = try TestGraphs.network(TestGraphs.diamond())
        net.setOnline("D", false)
        let toD = try net.createInvoice(payee: "D", amount: MilliSats(1_000), description: "x")
        let r = try net.pay(invoice: toD.bolt11, from: WalletID("A"), maxFee: MilliSats(10_000))
        #expect(r.status == .failed)
        #expect(net.payment(paymentHash: toD.paymentHash)?.failure == .nodeOffline)
        #expect(r.failureReason == "node_offline: the payee's node D is offline")
        net.setOnline("D", true)
        net.setOnline("A", false)
        let r2 = try net.pay(invoice: toD.bolt11, from: WalletID("A"), maxFee: MilliSats(10_000))
        #expect(r2.failureReason == "node_offline: the payer's node A is offline")
        net.setOnline("A", true)
        #expect(try net.pay(invoice: toD.bolt11, from: WalletID("A"), maxFee: MilliSats(10_000)).status == .succeeded)
    }

    @Test func randomFailureRateFailsAttemptsAndThePayerGivesUpAtTheLimit() throws {
        var spec = NetworkSpec.hubAndSpoke(hubs: 4, spokesPerHub: 0, seed: 5)
        spec.randomFailureRate = 1
        spec.maxPaymentAttempts = 3
        let net = try TestGraphs.network(spec)
        let wallet = net.createWallet(balance: MilliSats(10_000_000))
        let invoice = try net.createInvoice(amount: MilliSats(10_000), description: "x", expirySeconds: 600)
        let r = try net.pay(invoice: invoice.bolt11, from: wallet, maxFee: MilliSats(100_000))
        #expect(r.status == .failed)
        let p = try #require(net.payment(paymentHash: invoice.paymentHash))
        #expect(p.failure == .randomFailure)
        #expect(p.attemptFailures.allSatisfy { $0 == .randomFailure })
        #expect(p.attempts >= 1 && p.attempts <= 3)
        #expect(net.statistics.attemptFailuresByKind[.randomFailure] == p.attempts)
    }

    @Test func aModerateRandomFailureRateIsDeterministicForASeed() throws {
        func run(_ seed: UInt64) throws -> ([String], Int) {
            var spec = NetworkSpec.hubAndSpoke(hubs: 3, spokesPerHub: 2, seed: 8)
            spec.randomFailureRate = 0.3
            let net = try TestGraphs.network(spec, seed: seed)
            let wallet = net.createWallet(balance: MilliSats(100_000_000))
            var out: [String] = []
            for i in 0..<40 {
                let invoice = try net.createInvoice(amount: MilliSats(1_000 + Int64(i)), description: "x", expirySeconds: 600)
                let r = try net.pay(invoice: invoice.bolt11, from: wallet, maxFee: MilliSats(100_000))
                out.append("\(r.status.rawValue) \(r.fee.rawValue) \(net.payment(paymentHash: invoice.paymentHash)?.attempts ?? 0) \(Hex.encode(r.preimage ?? []))")
            }
            return (out, net.statistics.attemptFailuresByKind[.randomFailure] ?? 0)
        }
        let a = try run(11), b = try run(11)
        #expect(a.0 == b.0)
        #expect(a.1 == b.1)
        #expect(a.1 >= 4 && a.1 <= 30, "a 30% rate over 40+ attempts struck \(a.1) times")
    }

    @Test func payeeUnknownWhenNoNodeIssuedTheInvoice() throws {
        let net = try Self.twoLSPs()
        let stranger = try #require(NodeKey(seed: [1, 2, 3]))
        let foreign = Bolt11Invoice(network: .regtest, amount: MilliSats(5_000), timestamp: UInt64(TestGraphs.start.seconds),
                                    paymentHash: Hash.sha256([9]), paymentSecret: [UInt8](repeating: 7, count: 32),
                                    description: "elsewhere", expiry: 600)
        let text = try Bolt11.encode(foreign, signingKey: stranger)
        let r = try net.payFromPlatform(invoice: text, maxFee: MilliSats(1_000))
        #expect(r.status == .failed)
        #expect(r.failureReason?.hasPrefix("payee_unknown:") == true)
        #expect(net.outgoingPayment(paymentHash: Hash.sha256([9]))?.status == .failed)
    }

    @Test func anExpiredInvoiceIsRefused() throws {
        let clock = ManualClock(TestGraphs.start)
        let net = try Self.twoLSPs(clock: clock)
        let wallet = net.createWallet(balance: MilliSats(1_000_000))
        let invoice = try net.createInvoice(amount: MilliSats(1_000), description: "x", expirySeconds: 60)
        clock.advance(milliseconds: 61_000)
        #expect(net.invoiceState(paymentHash: invoice.paymentHash) == .expired)
        #expect(throws: LightningError.self) { try net.pay(invoice: invoice.bolt11, from: wallet, maxFee: MilliSats(1_000)) }
        do {
            _ = try net.pay(invoice: invoice.bolt11, from: wallet, maxFee: MilliSats(1_000))
        } catch {
            #expect(error.code == .invoiceExpired)
        }
        #expect(net.payment(paymentHash: invoice.paymentHash)?.failure == .invoiceExpired)
        #expect(net.balance(of: wallet) == MilliSats(1_000_000))
    }

    @Test func anAmountDifferentFromThePayeesInvoiceIsRefused() throws {
        let net = try Self.twoLSPs()
        let wallet = net.createWallet(balance: MilliSats(1_000_000))
        let real = try net.createInvoice(amount: MilliSats(10_000), description: "x", expirySeconds: 600)
        // The same payment hash, signed by the same (platform) key, but for less: the payee refuses it.
        let forged = Bolt11Invoice(network: .regtest, amount: MilliSats(1_000), timestamp: UInt64(TestGraphs.start.seconds),
                                   paymentHash: real.paymentHash, paymentSecret: [UInt8](repeating: 1, count: 32),
                                   description: "x", expiry: 600)
        let key = try #require(NodeKey(seed: net.keySeed + Array("platform".utf8)))
        let r = try net.pay(invoice: try Bolt11.encode(forged, signingKey: key), from: wallet, maxFee: MilliSats(1_000))
        #expect(r.status == .failed)
        #expect(net.payment(paymentHash: real.paymentHash)?.failure == .amountMismatch)
        #expect(net.balance(of: wallet) == MilliSats(1_000_000))
        #expect(net.invoiceState(paymentHash: real.paymentHash) == .unpaid)
    }

    @Test func aNodeCannotPayItsOwnInvoice() throws {
        let net = try Self.twoLSPs()
        let invoice = try net.createInvoice(amount: MilliSats(1_000), description: "x", expirySeconds: 600)
        let r = try net.payFromPlatform(invoice: invoice.bolt11, maxFee: MilliSats(1_000))
        #expect(r.failureReason?.hasPrefix("self_payment:") == true)
    }

    @Test func unknownWalletAndUndecodableInvoiceAreRefusedOutright() throws {
        let net = try Self.twoLSPs()
        let invoice = try net.createInvoice(amount: MilliSats(1_000), description: "x", expirySeconds: 600)
        #expect(throws: LightningError(.unknownWallet, "no wallet with id wal_missing")) {
            try net.pay(invoice: invoice.bolt11, from: WalletID("wal_missing"), maxFee: .zero)
        }
        #expect(throws: LightningError.self) { try net.payFromPlatform(invoice: "lnbcrt1garbage", maxFee: .zero) }
    }

    // MARK: The platform's outgoing payments

    @Test func outgoingPaymentAnswersByHashSoAPayoutIsNeverSentTwice() throws {
        let net = try Self.twoLSPs()
        let worker = net.createWallet(balance: .zero, inbound: MilliSats(1_000_000), role: .worker) // joins lsp1
        let invoice = try net.createInvoice(payee: worker.rawValue, amount: MilliSats(70_000), description: "payout")
        #expect(net.outgoingPayment(paymentHash: invoice.paymentHash) == nil)
        let r = try net.payFromPlatform(invoice: invoice.bolt11, maxFee: MilliSats(1_350))
        #expect(r.status == .succeeded)
        #expect(r.fee == MilliSats(100 + 70)) // lsp1 -> wallet: 100 msat + 1000 ppm of 70 000
        #expect(net.outgoingPayment(paymentHash: invoice.paymentHash) == r)
        let platform = net.platformBalance
        #expect(throws: LightningError.self) { try net.payFromPlatform(invoice: invoice.bolt11, maxFee: MilliSats(1_350)) }
        #expect(net.platformBalance == platform)
        #expect(net.balance(of: worker) == MilliSats(70_000))
        #expect(net.outgoingPayment(paymentHash: invoice.paymentHash) == r, "a refused resend does not overwrite the record")
    }

    @Test func aFailedOutgoingPaymentIsRecordedAsFailedAndMayBeRetried() throws {
        let net = try Self.twoLSPs()
        let worker = net.createWallet(balance: .zero, inbound: MilliSats(1_000_000), role: .worker)
        net.setOnline(worker.rawValue, false)
        let invoice = try net.createInvoice(payee: worker.rawValue, amount: MilliSats(70_000), description: "payout")
        let first = try net.payFromPlatform(invoice: invoice.bolt11, maxFee: MilliSats(1_350))
        #expect(net.outgoingPayment(paymentHash: invoice.paymentHash)?.status == .failed)
        #expect(first.failureReason?.hasPrefix("node_offline:") == true)
        net.setOnline(worker.rawValue, true)
        let second = try net.payFromPlatform(invoice: invoice.bolt11, maxFee: MilliSats(1_350))
        #expect(second.status == .succeeded)
        #expect(net.outgoingPayment(paymentHash: invoice.paymentHash)?.status == .succeeded)
        #expect(net.balance(of: worker) == MilliSats(70_000))
    }

    // MARK: Determinism, specs and generators

    @Test func theSameSeedGivesTheSameNetworkAndPayments() throws {
        func run() throws -> ([ChannelSnapshot], [String]) {
            let net = try TestGraphs.network(.scaleFree(nodes: 40, edgesPerNode: 2, seed: 7), seed: 7)
            let w = net.createWallet(balance: MilliSats(50_000_000))
            var out: [String] = []
            for i in 0..<10 {
                let inv = try net.createInvoice(amount: MilliSats(10_000 * Int64(i + 1)), description: "x", expirySeconds: 600)
                let r = try net.pay(invoice: inv.bolt11, from: w, maxFee: MilliSats(100_000))
                out.append(inv.bolt11 + r.status.rawValue + "\(r.fee)")
            }
            return (net.channelSnapshots(), out)
        }
        let a = try run(), b = try run()
        #expect(a.0 == b.0)
        #expect(a.1 == b.1)
    }

    @Test func generatedTopologiesHaveTheAdvertisedShape() throws {
        let hub = NetworkSpec.hubAndSpoke(hubs: 3, spokesPerHub: 4, seed: 1)
        #expect(hub.channels.count == 3 + 12 + 2) // hub mesh + spokes + platform channels
        #expect(hub.nodes.filter { $0.role == .lsp }.count == 3)
        let sf = NetworkSpec.scaleFree(nodes: 100, edgesPerNode: 3, seed: 9, lsps: 5)
        #expect(sf.nodes.count == 101)
        #expect(sf.channels.count == 6 + (100 - 4) * 3 + 2)
        #expect(sf.nodes.filter { $0.role == .lsp }.count == 5)
        #expect(NetworkSpec.scaleFree(nodes: 100, edgesPerNode: 3, seed: 9, lsps: 5) == sf)
        #expect(NetworkSpec.scaleFree(nodes: 100, edgesPerNode: 3, seed: 10, lsps: 5) != sf)
        // Scale-free: the best-connected node has far more channels than the median one.
        var degree: [String: Int] = [:]
        for c in sf.channels { degree[c.node1, default: 0] += 1; degree[c.node2, default: 0] += 1 }
        let sorted = degree.values.sorted()
        #expect(sorted.last! >= 4 * sorted[sorted.count / 2])
        // Built and usable: the platform can pay a new wallet through the LSPs.
        let net = try TestGraphs.network(sf)
        let w = net.createWallet(balance: .zero, inbound: MilliSats(10_000_000), role: .worker)
        let inv = try net.createInvoice(payee: w.rawValue, amount: MilliSats(70_000), description: "x")
        #expect(try net.payFromPlatform(invoice: inv.bolt11, maxFee: MilliSats(100_000)).status == .succeeded)
        TestGraphs.expectConserved(net)
    }

    @Test func invalidSpecsAreRefusedWithThePathOfTheProblem() {
        func error(_ spec: NetworkSpec) -> NetworkSpecError? {
            do { _ = try SimulatedNetwork(spec: spec, clock: ManualClock(TestGraphs.start), random: SeededRandom(seed: 1)); return nil } catch { return error }
        }
        var s = NetworkSpec(channels: [TestGraphs.channel("a", "a", TestGraphs.policy(0, 0))])
        #expect(error(s)?.path == "channels[0]")
        s = NetworkSpec(channels: [NetworkSpec.Channel(node1: "a", node2: "b", capacity: MilliSats(10), node1Balance: MilliSats(11))])
        #expect(error(s)?.path == "channels[0].node_1.balance_msat")
        s = NetworkSpec(channels: [NetworkSpec.Channel(node1: "a", node2: "b", capacity: .zero)])
        #expect(error(s)?.path == "channels[0].capacity_msat")
        s = NetworkSpec(channels: [NetworkSpec.Channel(shortChannelID: 5, node1: "a", node2: "b", capacity: MilliSats(10)),
                                   NetworkSpec.Channel(shortChannelID: 5, node1: "b", node2: "c", capacity: MilliSats(10))])
        #expect(error(s)?.path == "channels[1].scid")
        s = NetworkSpec(channels: [NetworkSpec.Channel(node1: "a", node2: "b", capacity: MilliSats(10), node2Policy: ChannelPolicy(feeRatePPM: -1))])
        #expect(error(s)?.path == "channels[0].node_2")
        s = NetworkSpec(nodes: [NetworkSpec.Node(name: "x", role: .router), NetworkSpec.Node(name: "x", role: .lsp)])
        #expect(error(s)?.path == "nodes[1].name")
        s = NetworkSpec(randomFailureRate: 1.5)
        #expect(error(s)?.path == "random_failure_rate")
        // SimLN's default: an unspecified balance splits the capacity in half.
        let net = try? TestGraphs.network(NetworkSpec(channels: [NetworkSpec.Channel(node1: "a", node2: "b", capacity: MilliSats(11))]))
        #expect(net?.channelSnapshots().first?.node1Balance == MilliSats(6))
    }
}

/// Many threads paying at once: every payment is atomic under the network's lock, so money is conserved.
@Suite struct NetworkConcurrencyTests {
    @Test func concurrentPaymentsConserveMoney() throws {
        let net = try TestGraphs.network(.hubAndSpoke(hubs: 3, spokesPerHub: 3, seed: 4), seed: 4)
        let wallets = (0..<8).map { _ in net.createWallet(balance: MilliSats(2_000_000), inbound: MilliSats(2_000_000), role: .requester) }
        var invoices: [(WalletID, String)] = []
        for i in 0..<200 {
            let payee = wallets[(i * 3 + 1) % 8]
            let invoice = try net.createInvoice(payee: payee.rawValue, amount: MilliSats(10_000 + Int64(i)), description: "c")
            invoices.append((wallets[i % 8], invoice.bolt11))
        }
        let work = invoices
        let results = Mutex<[PaymentResult.Status]>([])
        DispatchQueue.concurrentPerform(iterations: invoices.count) { i in
            let r = try? net.pay(invoice: work[i].1, from: work[i].0, maxFee: MilliSats(100_000))
            results.withLock { $0.append(r?.status ?? .failed) }
        }
        #expect(results.withLock { $0.count } == 200)
        let s = net.statistics
        #expect(s.succeeded + s.failed == 200)
        TestGraphs.expectConserved(net)
        let earned = net.nodeSnapshots().reduce(MilliSats.zero) { $0 + $1.feesEarned }
        #expect(earned == s.feesPaid)
    }
}
