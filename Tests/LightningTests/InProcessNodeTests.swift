import Testing
@testable import Lightning

@Suite struct InProcessNodeTests {
    @Test func paidInvoicesAreForgottenAfterTheRetentionSoMemoryFollowsTheRate() throws {
        let clock = ManualClock(Instant(seconds: 1_800_000_000))
        let node = try InProcessNode(clock: clock, random: SeededRandom(seed: 3), retentionMs: 600_000)
        let wallet = node.createWallet(balance: MilliSats(1_000_000))
        let first = try node.createInvoice(amount: MilliSats(1000), description: "first", expirySeconds: 3600)
        let paid = try node.pay(invoice: first.bolt11, from: wallet, maxFee: .zero)
        #expect(paid.status == .succeeded)
        #expect(node.invoiceState(paymentHash: first.paymentHash) != .unknown)
        clock.advance(milliseconds: 599_000)
        _ = try node.createInvoice(amount: MilliSats(1000), description: "second", expirySeconds: 3600)
        #expect(node.invoiceState(paymentHash: first.paymentHash) != .unknown, "still within the retention")
        clock.advance(milliseconds: 2_000)
        let third = try node.createInvoice(amount: MilliSats(1000), description: "third", expirySeconds: 3600)
        #expect(node.invoiceState(paymentHash: first.paymentHash) == .unknown)
        // Unpaid invoices stay payable until they expire.
        #expect(node.invoiceState(paymentHash: third.paymentHash) == .unpaid)
        // A forgotten invoice cannot be paid a second time: the payment finds no payee and moves nothing.
        let again = try node.pay(invoice: first.bolt11, from: wallet, maxFee: .zero)
        #expect(again.status == .failed)
        #expect(node.balance(of: wallet) == MilliSats(999_000))
    }
}
