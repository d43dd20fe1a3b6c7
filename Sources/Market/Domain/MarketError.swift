/// Everything the market refuses, with the offending id or value. Each case maps to one API error (see `apiError`).
public enum MarketError: Error, Sendable, Equatable {
    case workerNotFound(WorkerID)
    case taskNotFound(TaskID)
    /// The task is not in a state that allows the action.
    case invalidState(task: TaskID, status: TaskStatus, action: String)
    case workerTypeMismatch(task: TaskID, required: WorkerRequirement, worker: WorkerKind)
    case notClaimant(task: TaskID, worker: WorkerID)
    case proofRequired(TaskID)
    case invalidField(field: String, reason: String)
    case reviewNeedsRequester(TaskID)
    /// The L402 token already paid for a different task.
    case tokenSpent(existing: TaskID)
    /// The credential's payment hash was never issued by this market.
    case unknownToken(paymentHash: String)
    case storage(String)
}

extension MarketError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .workerNotFound(let id): return "no worker with id \(id)"
        case .taskNotFound(let id): return "no task with id \(id)"
        case .invalidState(let task, let status, let action):
            return "task \(task) is \(status.rawValue) and cannot be \(action)"
        case .workerTypeMismatch(let task, let required, let worker):
            return "task \(task) needs a \(required.rawValue) worker; this worker is \(worker.rawValue)"
        case .notClaimant(let task, let worker):
            return "task \(task) is not claimed by worker \(worker)"
        case .proofRequired(let task):
            return "task \(task) has trust_mode proof_required: proof_url is required"
        case .invalidField(let field, let reason): return "\(field): \(reason)"
        case .reviewNeedsRequester(let task):
            return "task \(task) is in review mode: only its requester (the L402 credential that paid for it) can release or reject it"
        case .tokenSpent(let existing):
            return "this L402 token already paid for task \(existing); pay the new invoice to create another task"
        case .unknownToken(let hash):
            return "no L402 challenge with payment hash \(hash) was issued by this market"
        case .storage(let message): return "storage failure: \(message)"
        }
    }
}
