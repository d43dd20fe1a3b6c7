/// What kind of uncertainty a task resolves (SPEC section 5).
public enum TaskType: String, Sendable, Codable, CaseIterable {
    case verify, answer, judge, unblock, delegate
}

/// The kind of worker: a person, an AI, or both.
public enum WorkerKind: String, Sendable, Codable, CaseIterable {
    case human, ai, hybrid
}

/// Which workers a task accepts: one kind, or any.
public enum WorkerRequirement: String, Sendable, Codable, CaseIterable {
    case human, ai, hybrid, any

    /// True when a worker of `kind` may claim a task with this requirement.
    public func admits(_ kind: WorkerKind) -> Bool {
        self == .any || rawValue == kind.rawValue
    }
}

/// How a submission becomes a completion.
public enum TrustMode: String, Sendable, Codable, CaseIterable {
    /// Submit needs a `proof_url`; released automatically after submit.
    case proofRequired = "proof_required"
    /// Released automatically after submit.
    case auto
    /// The requester accepts or rejects; auto-accepted after the review window.
    case review
}

/// Where a task is in its life (SPEC section 5).
public enum TaskStatus: String, Sendable, Codable, CaseIterable {
    case open, claimed, submitted, completed, expired
}

/// Where a payout is: sent and unconfirmed, paid, or given up on for now (still owed).
public enum PayoutStatus: String, Sendable, Codable, CaseIterable {
    case pending, settled, failed
}

/// How the task's budget was paid.
public enum PaymentMethod: String, Sendable, Codable {
    /// A real L402 credential: paid BOLT11 invoice and macaroon.
    case l402
    /// The seed page's literal `sim_token:sim_valid_preimage`, accepted only in demo mode.
    case simToken = "sim_token"
}
