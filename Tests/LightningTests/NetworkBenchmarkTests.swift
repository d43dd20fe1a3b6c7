import Foundation
import Testing
@testable import Lightning

/// Throughput of the route search and of whole payments on a 1000-node scale-free graph. Off by default; run
/// `LNNET_BENCH=1 swift test -c release --filter NetworkBenchmarkTests` to print the figures.
@Suite struct NetworkBenchmarkTests {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["LNNET_BENCH"] != nil))
    func routeSearchAndPaymentThroughputOnAThousandNodeScaleFreeGraph() throws {
        let spec = NetworkSpec.scaleFree(nodes: 1_000, edgesPerNode: 3, seed: 2026, lsps: 10)
        let net = try TestGraphs.network(spec, seed: 2026)
        var wallets: [WalletID] = []
        for _ in 0..<200 { wallets.append(net.createWallet(balance: MilliSats(50_000_000), inbound: MilliSats(50_000_000), role: .worker)) }
        let routers = spec.nodes.map(\.name).filter { $0 != "platform" }
        var rng = Lightning.SplitMix64(seed: 1)
        let searches = 5_000
        var found = 0
        let clock = ContinuousClock()
        let t0 = clock.now
        for _ in 0..<searches {
            let a = routers[rng.index(routers.count)], b = routers[rng.index(routers.count)]
            if a != b, net.findRoute(from: a, to: b, amount: MilliSats(rng.uniform(1_000...10_000_000)), maxFee: MilliSats(100_000)) != nil { found += 1 }
        }
        let searchTime = clock.now - t0
        var invoices: [(WalletID, String)] = []
        for _ in 0..<2_000 {
            let payer = wallets[rng.index(wallets.count)], payee = wallets[rng.index(wallets.count)]
            guard payer != payee else { continue }
            invoices.append((payer, try net.createInvoice(payee: payee.rawValue, amount: MilliSats(rng.uniform(1_000...1_000_000)), description: "b").bolt11))
        }
        let t1 = clock.now
        var ok = 0
        for (payer, inv) in invoices where try net.pay(invoice: inv, from: payer, maxFee: MilliSats(100_000)).status == .succeeded { ok += 1 }
        let payTime = clock.now - t1
        func perSecond(_ n: Int, _ d: Duration) -> Int {
            let s = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
            return Int(Double(n) / max(s, 1e-9))
        }
        print("""
            LNNET_BENCH nodes=\(net.nodeSnapshots().count) channels=\(net.channelSnapshots().count)
            route searches: \(searches) in \(searchTime) -> \(perSecond(searches, searchTime))/s (\(found) found)
            payments: \(invoices.count) in \(payTime) -> \(perSecond(invoices.count, payTime))/s (\(ok) succeeded, stats \(net.statistics.attempts) attempts)
            """)
        TestGraphs.expectConserved(net)
    }
}
