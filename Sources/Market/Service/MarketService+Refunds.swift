import Lightning

extension Database {
    static let refundColumns = """
        task_id, amount_msat, status, created_at, lightning_address, invoice, payment_hash, preimage, routing_fee_msat,
        attempts, next_attempt_at, settled_at, failure_reason
        """

    static func refund(from row: Row) -> Refund {
        var transfer: TransferProgress?
        if let address = row.optionalText(4) {
            transfer = TransferProgress(
                lightningAddress: address, status: PayoutStatus(rawValue: row.text(2)) ?? .pending,
                invoice: row.optionalText(5), paymentHash: row.optionalText(6), preimage: row.optionalText(7),
                routingFee: MilliSats(row.int(8)), attempts: row.int(9),
                nextAttemptAt: row.optionalInt(10).map(Instant.init(milliseconds:)),
                settledAt: row.optionalInt(11).map(Instant.init(milliseconds:)), failureReason: row.optionalText(12))
        }
        return Refund(taskID: TaskID(row.text(0)), amount: MilliSats(row.int(1)), status: row.text(2),
                      createdAt: Instant(milliseconds: row.int(3)), transfer: transfer)
    }

    /// The refund of an expired task, or nil.
    public func refund(forTask id: TaskID) throws -> Refund? {
        try queryOne("SELECT \(Database.refundColumns) FROM refunds WHERE task_id = ?", [.text(id.rawValue)], Database.refund(from:))
    }

    /// Writes a refund payment's progress; the amount never changes.
    func updateRefundProgress(_ id: TaskID, _ t: TransferProgress) throws {
        try run("""
            UPDATE refunds SET status = ?, invoice = ?, payment_hash = ?, preimage = ?, routing_fee_msat = ?, attempts = ?,
            next_attempt_at = ?, settled_at = ?, failure_reason = ? WHERE task_id = ?
            """, [.text(t.status.rawValue), t.invoice.map { .text($0) } ?? .null, t.paymentHash.map { .text($0) } ?? .null,
                  t.preimage.map { .text($0) } ?? .null, .integer(t.routingFee.rawValue), .integer(t.attempts),
                  t.nextAttemptAt.map { .integer($0.milliseconds) } ?? .null, t.settledAt.map { .integer($0.milliseconds) } ?? .null,
                  t.failureReason.map { .text($0) } ?? .null, .text(id.rawValue)])
    }
}

extension MarketService {
    /// Tries once to pay an expired task's budget back to the requester's refund address, by the same rules as
    /// payouts (invoice and hash recorded before sending, backoff, `failed` when the attempts run out).
    /// Routing fees are the platform's, like a payout's.
    @discardableResult
    public func attemptRefund(_ taskID: TaskID) throws -> Refund? {
        try payoutLock.withLock { _ throws -> Refund? in
            guard let refund = try store.read({ try $0.refund(forTask: taskID) }), var transfer = refund.transfer,
                  transfer.status == .pending else {
                return try store.read { try $0.refund(forTask: taskID) }
            }
            let step = try advanceTransfer(&transfer, amount: refund.amount, comment: "ProofLayer refund for \(taskID)") { t in
                try store.write { db in try db.updateRefundProgress(taskID, t) }
            }
            let final = transfer
            try transaction { db, out in
                try db.updateRefundProgress(taskID, final)
                switch step {
                case .settled:
                    try event(db, "refund_settled", task: taskID, amount: refund.amount, detail: "routing_fee_msat=\(final.routingFee.rawValue)")
                case .waiting:
                    break
                case .failedAttempt(let reason):
                    try event(db, final.status == .failed ? "refund_failed" : "refund_retry_scheduled", task: taskID,
                              amount: refund.amount, detail: reason)
                }
                var updated = refund
                updated.status = final.status.rawValue
                updated.transfer = final
                out.append(.refundProgressed(updated))
            }
            noteDeadline(final.nextAttemptAt)
            var done = refund
            done.status = final.status.rawValue
            done.transfer = final
            return done
        }
    }
}
