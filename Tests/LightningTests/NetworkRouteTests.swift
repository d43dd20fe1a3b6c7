import Testing
@testable import Lightning

/// Route search on small hand-made graphs whose answers are known.
@Suite struct NetworkRouteTests {
    @Test func feeIsBasePlusFlooredProportionalPart() {
        let p = ChannelPolicy(baseFeeMsat: 1_000, feeRatePPM: 2_500)
        #expect(p.fee(forwarding: MilliSats(1_235_252)) == MilliSats(1_000 + 3_088)) // 3088.13 floored
        #expect(p.fee(forwarding: MilliSats(399)) == MilliSats(1_000)) // 0.9975 floored to 0
        #expect(ChannelPolicy(baseFeeMsat: 0, feeRatePPM: 1_000_000).fee(forwarding: .maxSupply) == .maxSupply)
        #expect(ChannelPolicy(baseFeeMsat: 0, feeRatePPM: 0).fee(forwarding: MilliSats(5)) == .zero)
    }

    @Test func cheapestPathIsChosenOverAShorterExpensiveOne() throws {
        let net = try TestGraphs.network(TestGraphs.diamond())
        let route = try #require(net.findRoute(from: "A", to: "D", amount: MilliSats(100_000), maxFee: MilliSats(10_000)))
        #expect(route.nodes == ["A", "C", "E", "D"])
        #expect(route.totalFee == MilliSats(200))
        #expect(route.totalAmount == MilliSats(100_200))
    }

    @Test func feeLimitExcludesPathsAboveIt() throws {
        let net = try TestGraphs.network(TestGraphs.diamond())
        #expect(net.findRoute(from: "A", to: "D", amount: MilliSats(100_000), maxFee: MilliSats(199)) == nil)
        #expect(net.findRoute(from: "A", to: "D", amount: MilliSats(100_000), maxFee: MilliSats(200))?.nodes == ["A", "C", "E", "D"])
        // With the cheap path's C -> E capped, only the 5000 msat path is left: a 4999 msat limit excludes it too.
        let capped = try TestGraphs.network(TestGraphs.diamond(cheapMax: 50_000))
        #expect(capped.findRoute(from: "A", to: "D", amount: MilliSats(100_000), maxFee: MilliSats(4_999)) == nil)
        #expect(capped.findRoute(from: "A", to: "D", amount: MilliSats(100_000), maxFee: MilliSats(5_000))?.nodes == ["A", "B", "D"])
    }

    @Test func htlcMaximumExcludesAHop() throws {
        let net = try TestGraphs.network(TestGraphs.diamond(cheapMax: 50_000))
        // 100 000 msat plus E's 100 msat fee exceeds C -> E's 50 000 msat HTLC maximum: the expensive path it is.
        #expect(net.findRoute(from: "A", to: "D", amount: MilliSats(100_000), maxFee: MilliSats(10_000))?.nodes == ["A", "B", "D"])
        // 40 000 msat (+100 fee) fits under the maximum: the cheap path again.
        #expect(net.findRoute(from: "A", to: "D", amount: MilliSats(40_000), maxFee: MilliSats(10_000))?.nodes == ["A", "C", "E", "D"])
    }

    @Test func htlcMinimumExcludesAHop() throws {
        var spec = TestGraphs.diamond()
        spec.channels[3].node1Policy.htlcMinimumMsat = 1_000_000
        let net = try TestGraphs.network(spec)
        #expect(net.findRoute(from: "A", to: "D", amount: MilliSats(100_000), maxFee: MilliSats(10_000))?.nodes == ["A", "B", "D"])
    }

    @Test func insufficientCapacityExcludesAHop() throws {
        var spec = TestGraphs.diamond()
        spec.channels[3].capacity = MilliSats(50_000)
        spec.channels[3].node1Balance = MilliSats(50_000)
        let net = try TestGraphs.network(spec)
        #expect(net.findRoute(from: "A", to: "D", amount: MilliSats(100_000), maxFee: MilliSats(10_000))?.nodes == ["A", "B", "D"])
    }

    @Test func feesAndExpiriesOfAThreeHopRouteAreExactlyWhatThePoliciesSay() throws {
        // payer -> X -> Y -> Z. X charges 1000 msat + 2500 ppm (CLTV 144), Y charges 500 msat + 150 ppm (CLTV 40).
        let spec = NetworkSpec(nodes: [NetworkSpec.Node(name: "payer", role: .router), NetworkSpec.Node(name: "Z", role: .router)],
                               channels: [
                                   TestGraphs.channel("payer", "X", TestGraphs.policy(9_999, 9_999)), // payer charges itself nothing
                                   TestGraphs.channel("X", "Y", TestGraphs.policy(1_000, 2_500, cltv: 144)),
                                   TestGraphs.channel("Y", "Z", TestGraphs.policy(500, 150, cltv: 40)),
                               ])
        let net = try TestGraphs.network(spec)
        let h = net.blockHeight
        let route = try #require(net.findRoute(from: "payer", to: "Z", amount: MilliSats(1_234_567), maxFee: MilliSats(10_000)))
        // Y forwards 1 234 567: 500 + floor(1 234 567 * 150 / 10^6) = 500 + 185 = 685.
        // X forwards 1 235 252: 1000 + floor(1 235 252 * 2500 / 10^6) = 1000 + 3088 = 4088.
        #expect(route.hops.map(\.amount) == [MilliSats(1_239_340), MilliSats(1_235_252), MilliSats(1_234_567)])
        #expect(route.hops.map(\.fee) == [MilliSats(0), MilliSats(4_088), MilliSats(685)])
        #expect(route.totalFee == MilliSats(4_773))
        #expect(route.hops.map(\.cltvExpiry) == [h + 18 + 40 + 144, h + 18 + 40, h + 18])

        // Paying it moves exactly those amounts, and each forwarder keeps its fee.
        let invoice = try net.createInvoice(payee: "Z", amount: MilliSats(1_234_567), description: "three hops")
        let result = try net.pay(invoice: invoice.bolt11, from: WalletID("payer"), maxFee: MilliSats(10_000))
        #expect(result.status == .succeeded)
        #expect(result.fee == MilliSats(4_773))
        #expect(Hash.sha256(try #require(result.preimage)) == invoice.paymentHash)
        let channels = net.channelSnapshots()
        #expect(channels.map(\.node2Balance) == [MilliSats(1_239_340), MilliSats(1_235_252), MilliSats(1_234_567)])
        let earned = Dictionary(uniqueKeysWithValues: net.nodeSnapshots().map { ($0.name, $0.feesEarned) })
        #expect(earned["X"] == MilliSats(4_088))
        #expect(earned["Y"] == MilliSats(685))
        #expect(earned["payer"] == .zero && earned["Z"] == .zero)
        #expect(net.payment(paymentHash: invoice.paymentHash)?.route == route)
        TestGraphs.expectConserved(net)
    }

    @Test func tiesAreBrokenByCLTVThenDeterministically() throws {
        // Two equal-fee paths A-B-D and A-C-D; C's CLTV delta is smaller, so C wins; swap the deltas and B wins.
        func spec(_ bCLTV: Int64, _ cCLTV: Int64) -> NetworkSpec {
            NetworkSpec(channels: [
                TestGraphs.channel("A", "B", TestGraphs.policy(0, 0)), TestGraphs.channel("B", "D", TestGraphs.policy(10, 0, cltv: bCLTV)),
                TestGraphs.channel("A", "C", TestGraphs.policy(0, 0)), TestGraphs.channel("C", "D", TestGraphs.policy(10, 0, cltv: cCLTV)),
            ])
        }
        #expect(try TestGraphs.network(spec(80, 40)).findRoute(from: "A", to: "D", amount: MilliSats(1_000), maxFee: MilliSats(100))?.nodes == ["A", "C", "D"])
        #expect(try TestGraphs.network(spec(40, 80)).findRoute(from: "A", to: "D", amount: MilliSats(1_000), maxFee: MilliSats(100))?.nodes == ["A", "B", "D"])
        let same = try TestGraphs.network(spec(40, 40))
        let first = same.findRoute(from: "A", to: "D", amount: MilliSats(1_000), maxFee: MilliSats(100))
        for _ in 0..<5 { #expect(same.findRoute(from: "A", to: "D", amount: MilliSats(1_000), maxFee: MilliSats(100)) == first) }
    }

    @Test func cltvLimitExcludesLongLockRoutes() throws {
        var spec = TestGraphs.diamond()
        spec.channels[3].node1Policy.cltvExpiryDelta = 3_000 // C -> E
        let net = try TestGraphs.network(spec)
        #expect(net.findRoute(from: "A", to: "D", amount: MilliSats(100_000), maxFee: MilliSats(10_000))?.nodes == ["A", "B", "D"])
    }

    @Test func walletsNeverForwardPayments() throws {
        // Two LSPs linked only through a wallet that has channels to both: no route through the wallet.
        let spec = NetworkSpec(nodes: [NetworkSpec.Node(name: "l1", role: .lsp), NetworkSpec.Node(name: "l2", role: .lsp),
                                       NetworkSpec.Node(name: "w", role: .worker)],
                               channels: [TestGraphs.channel("l1", "w", TestGraphs.policy(0, 0)),
                                          TestGraphs.channel("w", "l2", TestGraphs.policy(0, 0))])
        let net = try TestGraphs.network(spec)
        #expect(net.findRoute(from: "l1", to: "l2", amount: MilliSats(1_000), maxFee: MilliSats(1_000)) == nil)
        #expect(net.findRoute(from: "l1", to: "w", amount: MilliSats(1_000), maxFee: MilliSats(1_000))?.nodes == ["l1", "w"])
    }

    @Test func payersOwnChannelsCountByBalanceOthersByCapacity() throws {
        // A's channel to C is empty on A's side: A knows it and goes through B. E -> D is empty but A cannot know that.
        var spec = TestGraphs.diamond(eBalance: 0)
        spec.channels[2].node1Balance = .zero
        let net = try TestGraphs.network(spec)
        #expect(net.findRoute(from: "A", to: "D", amount: MilliSats(100_000), maxFee: MilliSats(10_000))?.nodes == ["A", "B", "D"])
        spec.channels[2].node1Balance = nil
        let net2 = try TestGraphs.network(spec)
        #expect(net2.findRoute(from: "A", to: "D", amount: MilliSats(100_000), maxFee: MilliSats(10_000))?.nodes == ["A", "C", "E", "D"])
        spec.routingKnowledge = .balances
        let oracle = try TestGraphs.network(spec)
        #expect(oracle.findRoute(from: "A", to: "D", amount: MilliSats(100_000), maxFee: MilliSats(10_000))?.nodes == ["A", "B", "D"])
    }
}
