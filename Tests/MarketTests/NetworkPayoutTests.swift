import Foundation
import Lightning
import Synchronization
import Testing
@testable import Market

/// Payouts over the simulated Lightning network (not the minimal node): failures from the network's liquidity,
/// retries with backoff up to the limit, and no double payment across a crash between sending and recording.
@Suite struct NetworkPayoutTests {
    static let start = Instant(seconds: 1_796_000_000)

    /// A network of the platform and one LSP; the worker's wallet joins the LSP.
    static func network(clock: ManualClock) throws -> SimulatedNetwork {
        try SimulatedNetwork(spec: .singleLSP(), clock: clock, random: SeededRandom(seed: 21, stream: "network"))
    }

    static func service(path: String = ":memory:", node: any LightningNode, clock: ManualClock, store: MarketStore? = nil) throws -> MarketService {
        try MarketService(configuration: MarketConfiguration(mode: .demo), store: store ?? MarketStore(path: path), node: node,
                          clock: clock, random: SeededRandom(seed: 5))
    }

    /// Registers `address`, creates a 100 sat auto task, claims and submits it; returns the task.
    static func completedWork(_ service: MarketService, address: String) throws -> (TaskID, WorkerID) {
        let worker = try service.registerWorker(displayName: "Bob", lightningAddress: address, kind: .human)
        let draft = TaskDraft(taskType: .verify, title: "Is it live?", inputJSON: "{}", budget: MilliSats(100_000),
                              workerRequirement: .any, trustMode: .auto)
        let task = try service.createTask(draft, payment: .simToken, fingerprint: "f-\(address)").task
        _ = try service.claim(task.id, by: worker.id)
        _ = try service.submit(task.id, by: worker.id, answerJSON: "{}", confidence: 1, proofURL: "https://example.com/p")
        return (task.id, worker.id)
    }

    @Test func aWorkerWithNoInboundLiquidityFailsIsRetriedWithBackoffUpToTheLimitThenFailed() throws {
        let clock = ManualClock(Self.start)
        let net = try Self.network(clock: clock)
        // The worker's only channel holds everything on the worker's side: nothing can reach it.
        let wallet = net.createWallet(balance: MilliSats(200_000), inbound: .zero, role: .worker)
        try net.registerLightningAddress("bob@sim.test", for: wallet)
        let service = try Self.service(node: net, clock: clock)
        let (task, _) = try Self.completedWork(service, address: "bob@sim.test")
        let platformBefore = net.platformBalance

        var payout = try #require(try service.release(task, requester: .simToken).payout)
        #expect(payout.status == .pending)
        #expect(payout.attempts == 1)
        #expect(payout.failureReason?.contains("temporary_channel_failure") == true, "\(payout.failureReason ?? "")")
        var attemptTimes = [clock.now()]
        // Retries after 1 s, 2 s, 4 s, 8 s (doubling from the 1 s base); nothing happens before each is due.
        for delay: Int64 in [1_000, 2_000, 4_000, 8_000] {
            clock.advance(milliseconds: delay - 1)
            try service.processDue()
            #expect(try service.taskView(task).payout?.attempts == payout.attempts, "retried before its backoff ran out")
            clock.advance(milliseconds: 1)
            try service.processDue()
            payout = try #require(try service.taskView(task).payout)
            attemptTimes.append(clock.now())
        }
        #expect(payout.attempts == 5)
        #expect(payout.status == .failed)
        #expect(payout.nextAttemptAt == nil)
        #expect(zip(attemptTimes, attemptTimes.dropFirst()).map { $1.milliseconds - $0.milliseconds } == [1_000, 2_000, 4_000, 8_000])
        clock.advance(milliseconds: 3_600_000)
        try service.processDue()
        #expect(try service.taskView(task).payout?.attempts == 5, "a failed payout is not retried on its own")

        // Each attempt was one failed network payment; no money moved anywhere.
        let stats = net.statistics
        #expect(stats.failed == 5 && stats.succeeded == 0)
        #expect(stats.failuresByKind[.temporaryChannelFailure] == 5)
        #expect(net.balance(of: wallet) == MilliSats(200_000))
        #expect(net.platformBalance == platformBefore)
        // Still owed, and the ledger balances with it.
        let ledger = try MarketFigures.compute(service).ledger
        #expect(ledger.owedPayouts == MilliSats(70_000))
        #expect(ledger.isBalanced)
    }

    /// Forwards to the network; after the first platform payment is sent, makes the market's database refuse
    /// writes, so the market "crashes" after sending and before recording the outcome.
    final class CrashAfterSend: LightningNode {
        let inner: SimulatedNetwork
        let crash: Mutex<(@Sendable () -> Void)?>
        init(_ inner: SimulatedNetwork, crash: @escaping @Sendable () -> Void) {
            self.inner = inner
            self.crash = Mutex(crash)
        }
        var platformNodeKey: [UInt8] { inner.platformNodeKey }
        func createInvoice(amount: MilliSats, description: String, expirySeconds: Int64) throws(LightningError) -> IssuedInvoice {
            try inner.createInvoice(amount: amount, description: description, expirySeconds: expirySeconds)
        }
        func invoiceState(paymentHash: [UInt8]) -> InvoiceState { inner.invoiceState(paymentHash: paymentHash) }
        func createWallet(balance: MilliSats) -> WalletID { inner.createWallet(balance: balance) }
        func balance(of wallet: WalletID) -> MilliSats? { inner.balance(of: wallet) }
        func pay(invoice: String, from wallet: WalletID, maxFee: MilliSats) throws(LightningError) -> PaymentResult {
            try inner.pay(invoice: invoice, from: wallet, maxFee: maxFee)
        }
        func requestInvoice(lightningAddress: String, amount: MilliSats, comment: String) throws(LightningError) -> String {
            try inner.requestInvoice(lightningAddress: lightningAddress, amount: amount, comment: comment)
        }
        func payFromPlatform(invoice: String, maxFee: MilliSats) throws(LightningError) -> PaymentResult {
            let result = try inner.payFromPlatform(invoice: invoice, maxFee: maxFee)
            if let c = crash.withLock({ c -> (@Sendable () -> Void)? in defer { c = nil }; return c }) { c() }
            return result
        }
        func outgoingPayment(paymentHash: [UInt8]) -> PaymentResult? { inner.outgoingPayment(paymentHash: paymentHash) }
    }

    @Test func aCrashBetweenSendingAndRecordingResumesWithoutPayingTwice() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lnnet-crash-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("market.sqlite").path
        let clock = ManualClock(Self.start)
        let net = try Self.network(clock: clock)
        let wallet = try net.createWallet(forAddress: "bob@sim.test", inbound: MilliSats(1_000_000))
        let platformBefore = net.platformBalance
        let task: TaskID

        do {
            let store = try MarketStore(path: path)
            let crashing = CrashAfterSend(net) { try? store.read { db in try db.execute("PRAGMA query_only = ON") } }
            let service = try Self.service(node: crashing, clock: clock, store: store)
            task = try Self.completedWork(service, address: "bob@sim.test").0
            // The payment goes out, then recording its outcome fails: the process "dies" here.
            #expect(throws: (any Error).self) { try service.release(task, requester: .simToken) }
            #expect(net.balance(of: wallet) == MilliSats(70_000), "the payment itself went through")
        } // the service and its store are dropped

        clock.advance(milliseconds: 5_000)
        let store = try MarketStore(path: path)
        // What the crash left: the payout pending, never recorded as tried, but with its invoice's hash.
        let left = try #require(try store.read { try $0.payout(forTask: task) })
        #expect(left.status == .pending)
        #expect(left.attempts == 0)
        let hash = try #require(left.paymentHash.flatMap(Hex.decode))
        #expect(net.outgoingPayment(paymentHash: hash)?.status == .succeeded)

        // A new market on the same file and the same network resumes: it asks the node instead of paying again.
        let restarted = try Self.service(node: net, clock: clock, store: store)
        try restarted.processDue()
        let payout = try #require(try restarted.taskView(task).payout)
        #expect(payout.status == .settled)
        #expect(payout.attempts == 1)
        #expect(payout.preimage.flatMap(Hex.decode).map(Hash.sha256) == hash)
        let sent = try #require(net.payment(paymentHash: hash))
        #expect(payout.routingFee == sent.fee)
        #expect(payout.routingFee == MilliSats(100 + 70)) // the LSP's 100 msat + 1000 ppm toward the wallet

        // Exactly one payment reached the worker, and the platform paid it (and its fee) once.
        #expect(net.balance(of: wallet) == MilliSats(70_000))
        #expect(net.statistics.succeeded == 1)
        #expect(net.platformBalance == platformBefore - MilliSats(70_000) - payout.routingFee)
        try restarted.processDue()
        #expect(net.statistics.succeeded == 1)
        let ledger = try MarketFigures.compute(restarted).ledger
        #expect(ledger.isBalanced)
        #expect(ledger.settledPayouts == MilliSats(70_000) && ledger.routingFees == MilliSats(170))
    }

    @Test func aSettledPayoutOverTheNetworkRecordsItsRoutingFee() throws {
        let clock = ManualClock(Self.start)
        let net = try Self.network(clock: clock)
        let wallet = try net.createWallet(forAddress: "carol@sim.test")
        let service = try Self.service(node: net, clock: clock)
        let (task, _) = try Self.completedWork(service, address: "carol@sim.test")
        let payout = try #require(try service.release(task, requester: .simToken).payout)
        #expect(payout.status == .settled)
        #expect(payout.routingFee == MilliSats(170))
        #expect(net.balance(of: wallet) == MilliSats(70_000))
        let ledger = try MarketFigures.compute(service).ledger
        #expect(ledger.platformFeesNet == MilliSats(30_000 - 170))
        #expect(ledger.isBalanced)
    }

    @Test func anUnregisteredAddressFailsThePayoutWithAClearReason() throws {
        let clock = ManualClock(Self.start)
        let net = try Self.network(clock: clock)
        let service = try Self.service(node: net, clock: clock)
        let (task, _) = try Self.completedWork(service, address: "ghost@sim.test")
        let payout = try #require(try service.release(task, requester: .simToken).payout)
        #expect(payout.status == .pending)
        #expect(payout.failureReason?.contains("unknown Lightning address ghost@sim.test") == true, "\(payout.failureReason ?? "")")
        #expect(net.statistics.succeeded + net.statistics.failed == 0, "nothing was sent")
    }
}
