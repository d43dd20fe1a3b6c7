import Dispatch
import Foundation
import HTTPKit
import JSON
import Lightning
import Synchronization
import Testing
@testable import Market

/// Many threads hitting the router at once: one claim wins, releases pay once.
@Suite struct ConcurrencyTests {
    /// A private directory for a file-backed store (WAL and file locking are real there).
    final class TempDirectory {
        let url: URL
        init() throws {
            url = FileManager.default.temporaryDirectory.appendingPathComponent("mtests-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        }
        var databasePath: String { url.appendingPathComponent("market.sqlite").path }
        deinit { try? FileManager.default.removeItem(at: url) }
    }

    /// Sends `count` requests built by `make` from as many threads at once; returns the responses in index order.
    static func concurrently(_ count: Int, _ m: MarketHarness, _ make: @Sendable (Int) -> HTTPRequest) -> [(status: Int, json: JSONValue)] {
        let results = Mutex<[Int: (Int, JSONValue)]>([:])
        DispatchQueue.concurrentPerform(iterations: count) { i in
            let response = m.router.handle(make(i))
            let json = (try? JSONValue.parse(response.body)) ?? .null
            results.withLock { $0[i] = (response.status, json) }
        }
        return results.withLock { r in (0..<count).map { (r[$0]!.0, r[$0]!.1) } }
    }

    static func post(_ target: String, _ body: JSONValue? = nil, headers: [(name: String, value: String)] = []) -> HTTPRequest {
        HTTPRequest(method: "POST", target: target, headers: [("Content-Type", "application/json")] + headers,
                    body: body?.serialized() ?? [])
    }

    @Test(arguments: [false, true])
    func exactlyOneConcurrentClaimWins(onDisk: Bool) throws {
        let dir = try TempDirectory()
        let m = try MarketHarness(path: onDisk ? dir.databasePath : ":memory:")
        let workers = try (0..<16).map { try m.registerWorker("W\($0)", address: "w\($0)@example.com") }
        var body = MarketHarness.seedTaskBody.objectValue ?? [:]
        body["worker_type"] = "any"
        for _ in 0..<8 {
            let task = try m.createTask(body: .object(body))
            let results = Self.concurrently(workers.count, m) { i in
                Self.post("/api/tasks/\(task)/claim", ["worker_id": .string(workers[i])])
            }
            let winners = results.indices.filter { results[$0].status == 200 }
            #expect(winners.count == 1, "\(results.map(\.status))")
            #expect(results.filter { $0.status == 409 }.count == workers.count - 1)
            #expect(results.filter { $0.status == 409 }.allSatisfy { $0.json["error"]?["code"] == "invalid_state" })
            let winner = try #require(winners.first)
            #expect(m.task(task)["worker"]?["id"] == .string(workers[winner]))
            #expect(m.task(task)["status"] == "claimed")
        }
        #expect(try m.service.store.read { try $0.queryOne("SELECT COUNT(*) FROM tasks WHERE status = 'claimed'") { $0.int(0) } } == 8)
    }

    /// Concurrent releases of one submitted task: all succeed with the same payout, one payout row, and the worker
    /// is paid exactly once (auto mode, so the requests' own due-work processing races the explicit releases).
    @Test(arguments: [false, true])
    func concurrentReleasesPayExactlyOnce(onDisk: Bool) throws {
        let dir = try TempDirectory()
        let m = try MarketHarness(path: onDisk ? dir.databasePath : ":memory:")
        let worker = try m.registerWorker()
        var paid = MilliSats.zero
        for round in 0..<20 {
            let task = try m.createTask(budget: 100 + Int64(round), trust: "auto")
            // Submit through the service so that no router request runs the automatic release before the race.
            _ = try m.service.claim(TaskID(task), by: WorkerID(worker))
            _ = try m.service.submit(TaskID(task), by: WorkerID(worker), answerJSON: "{}", confidence: 1, proofURL: "https://example.com/p")
            let results = Self.concurrently(16, m) { _ in Self.post("/api/tasks/\(task)/release") }
            #expect(results.allSatisfy { $0.status == 200 }, "\(results.map(\.status))")
            let ids = Set(results.compactMap { $0.json["payout"]?["id"]?.stringValue })
            #expect(ids.count == 1, "\(ids)")
            // From round 12 on the worker is past score 10 and earns the bonus.
            let expected = PayoutMath.split(budget: MilliSats((100 + Int64(round)) * 1000), scoreBeforeTask: Int64(round), policy: .default).workerPayout
            #expect(results.allSatisfy { $0.json["payout"]?["amount_msat"] == .int(expected.rawValue) })
            #expect(try m.payoutRows(task: task) == 1)
            paid += expected
            // Let any retry that might have been scheduled run, then count the money.
            m.advance(minutes: 5)
            let t = m.task(task)
            #expect(t["payout"]?["id"]?.stringValue == ids.first)
            #expect(t["payout"]?["status"] == "settled")
        }
        let wallet = try #require(m.node.wallet(forAddress: "alice@getalby.com"))
        #expect(m.node.balance(of: wallet) == paid)
        #expect(m.node.platformBalance == MilliSats(100_000_000_000) - paid)
        #expect(m.profile(worker)["completed_jobs"] == 20)
        let history = m.call("GET", "/api/workers/\(worker)/payouts").json
        #expect(history["total_earned_msat"] == .int(paid.rawValue))
        #expect(try MarketFigures.compute(m.service).ledger.isBalanced)
    }

    /// Review mode: many requesters' releases at once with the paying credential, plus rejects racing them.
    @Test func concurrentReviewReleasesAndRejectsAgreeOnOneOutcome() throws {
        let dir = try TempDirectory()
        let m = try MarketHarness(path: dir.databasePath)
        let worker = try m.registerWorker()
        for _ in 0..<6 {
            let task = try m.createTask(trust: "review")
            #expect(m.claim(task, by: worker).status == 200)
            #expect(m.submit(task, by: worker).status == 200)
            let results = Self.concurrently(16, m) { i in
                Self.post("/api/tasks/\(task)/\(i % 2 == 0 ? "release" : "reject")", nil, headers: [MarketHarness.simAuth])
            }
            let status = m.task(task)["status"]
            #expect(results.allSatisfy { $0.status == 200 || $0.status == 409 }, "\(results.map(\.status))")
            let releases = results.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
            let rejects = results.enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
            if status == "completed" {
                // Released first: every release returns the one payout; every reject finds a completed task.
                #expect(releases.allSatisfy { $0.status == 200 })
                #expect(Set(releases.compactMap { $0.json["payout"]?["id"]?.stringValue }).count == 1)
                #expect(rejects.allSatisfy { $0.status == 409 })
                #expect(try m.payoutRows(task: task) == 1)
            } else {
                // Rejected first: exactly one reject succeeded and no payout exists.
                #expect(status == "open")
                #expect(rejects.filter { $0.status == 200 }.count == 1)
                #expect(try m.payoutRows(task: task) == 0)
            }
        }
        let p = m.profile(worker)
        #expect(p["completed_jobs"]!.intValue! + p["rejected_submissions"]!.intValue! == 6)
        #expect(try MarketFigures.compute(m.service).ledger.isBalanced)
    }

    /// Registrations, task creations and feed reads from many threads: every write lands, nothing fails.
    @Test func concurrentWritesAllLandOnAFileBackedStore() throws {
        let dir = try TempDirectory()
        let m = try MarketHarness(path: dir.databasePath)
        let results = Self.concurrently(48, m) { i in
            switch i % 3 {
            case 0:
                return Self.post("/api/workers", ["display_name": .string("W\(i)"), "lightning_address": .string("w\(i)@example.com"), "type": "ai"])
            case 1:
                var body = MarketHarness.seedTaskBody.objectValue ?? [:]
                body["title"] = .string("task \(i)")
                return Self.post("/api/tasks?budget_sats=100", .object(body), headers: [MarketHarness.simAuth])
            default:
                return HTTPRequest(method: "GET", target: "/api/workers/feed?limit=100")
            }
        }
        #expect(results.enumerated().allSatisfy { $0.offset % 3 == 2 ? $0.element.status == 200 : $0.element.status == 201 },
                "\(results.map(\.status))")
        let market = m.call("GET", "/api/market").json
        #expect(market["workers"] == 16)
        #expect(market["tasks"]?["open"] == 16)
        // The data is on disk: a second store opened on the same file sees it.
        let reopened = try MarketStore(path: dir.databasePath)
        #expect(try reopened.read { try $0.queryOne("SELECT COUNT(*) FROM tasks") { $0.int(0) } } == 16)
    }
    /// A node that scripts the interleaving in which two requests used to pay one payout twice: request A, paying a
    /// payout, stops right after asking the worker's wallet for an invoice and lets request B (another thread) run
    /// until B is about to pay; A then pays, and only then B. Every wait has a timeout, so a market that correctly
    /// keeps B out while A pays simply makes A wait `patience` and go on alone.
    final class InterleavingNode: LightningNode, @unchecked Sendable {
        let inner: InProcessNode
        let requestB: Mutex<(@Sendable () -> Void)?>
        let bAboutToPay = DispatchSemaphore(value: 0)
        let aPaid = DispatchSemaphore(value: 0)
        let bFinished = DispatchSemaphore(value: 0)
        let patience = DispatchTimeInterval.milliseconds(300)
        static let bKey = "InterleavingNode.B"

        init(_ inner: InProcessNode) {
            self.inner = inner
            requestB = Mutex(nil)
        }

        /// Arms the script: `b` is the request that runs as B.
        func arm(_ b: @escaping @Sendable () -> Void) { requestB.withLock { $0 = b } }

        var isB: Bool { Thread.current.threadDictionary[Self.bKey] != nil }

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
        func outgoingPayment(paymentHash: [UInt8]) -> PaymentResult? { inner.outgoingPayment(paymentHash: paymentHash) }

        func requestInvoice(lightningAddress: String, amount: MilliSats, comment: String) throws(LightningError) -> String {
            if !isB, let b = requestB.withLock({ r -> (@Sendable () -> Void)? in defer { r = nil }; return r }) {
                let finished = bFinished
                Thread.detachNewThread {
                    Thread.current.threadDictionary[Self.bKey] = true
                    b()
                    finished.signal()
                }
                _ = bAboutToPay.wait(timeout: .now() + patience)
            }
            return try inner.requestInvoice(lightningAddress: lightningAddress, amount: amount, comment: comment)
        }

        func payFromPlatform(invoice: String, maxFee: MilliSats) throws(LightningError) -> PaymentResult {
            if isB {
                bAboutToPay.signal()
                _ = aPaid.wait(timeout: .now() + patience)
                return try inner.payFromPlatform(invoice: invoice, maxFee: maxFee)
            }
            defer { aPaid.signal() }
            return try inner.payFromPlatform(invoice: invoice, maxFee: maxFee)
        }
    }

    /// The scripted race: a release pays while a concurrent request's due-work processing finds the same pending
    /// payout. The worker must be paid once.
    @Test func concurrentDueWorkNeverPaysAPayoutTwice() throws {
        var racing: InterleavingNode?
        let m = try MarketHarness(wrapNode: { inner in
            let n = InterleavingNode(inner)
            racing = n
            return n
        })
        let node = try #require(racing)
        let worker = try m.registerWorker()
        let task = try m.createTask(trust: "auto")
        _ = try m.service.claim(TaskID(task), by: WorkerID(worker))
        _ = try m.service.submit(TaskID(task), by: WorkerID(worker), answerJSON: "{}", confidence: 1, proofURL: "https://example.com/p")
        node.arm { _ = m.router.handle(HTTPRequest(method: "GET", target: "/api/market")) }
        let release = m.call("POST", "/api/tasks/\(task)/release")
        #expect(node.bFinished.wait(timeout: .now() + .seconds(5)) == .success)
        #expect(release.status == 200)
        #expect(release.json["payout"]?["amount_msat"] == 70_000)
        #expect(try m.payoutRows(task: task) == 1)
        let wallet = try #require(m.node.wallet(forAddress: "alice@getalby.com"))
        #expect(m.node.balance(of: wallet) == MilliSats(70_000), "the worker was paid more than once")
        #expect(m.node.platformBalance == MilliSats(100_000_000_000 - 70_000))
        let t = m.task(task)
        #expect(t["payout"]?["status"] == "settled")
        #expect(t["payout"]?["id"] == release.json["payout"]?["id"])
    }
}

