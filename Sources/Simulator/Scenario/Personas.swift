import AgentPersonas
import Market

/// The requester personas are the agents' own (`AgentPersonas.RequesterPersona`); a scenario adds their defaults.
public typealias RequesterPersona = AgentPersonas.RequesterPersona
/// The resolver personas are the agents' own (`AgentPersonas.ResolverPersona`); a scenario adds their defaults.
public typealias ResolverPersona = AgentPersonas.ResolverPersona

extension AgentPersonas.RequesterPersona {
    /// The values a group of this persona takes for every field its scenario entry leaves out.
    ///
    /// | persona | posts | trust_mode | worker_type | arrival | budget_sats |
    /// |---|---|---|---|---|---|
    /// | research_agent | verify | proof_required | any | poisson 12/h | uniform 50 ... 200 |
    /// | fact_checker | answer | auto | any | poisson 20/h | uniform 20 ... 100 |
    /// | ops_agent | unblock | review | hybrid | poisson 4/h | lognormal median 1000, sigma 0.5, 200 ... 10 000 |
    /// | judgment_seeker | judge | review | human | poisson 6/h | uniform 100 ... 500 |
    ///
    /// Every persona: count 1, poll every 30 s, pays real L402, review_reject_below 0.
    public var defaults: RequesterDefaults {
        switch self {
        case .researchAgent:
            return RequesterDefaults(taskTypes: [.verify], trustMode: .proofRequired, workerType: .any,
                                     arrival: .poisson(ratePerHour: 12), budget: .uniform(min: 50, max: 200))
        case .factChecker:
            return RequesterDefaults(taskTypes: [.answer], trustMode: .auto, workerType: .any,
                                     arrival: .poisson(ratePerHour: 20), budget: .uniform(min: 20, max: 100))
        case .opsAgent:
            return RequesterDefaults(taskTypes: [.unblock], trustMode: .review, workerType: .hybrid,
                                     arrival: .poisson(ratePerHour: 4),
                                     budget: .lognormal(median: 1000, sigma: 0.5, min: 200, max: 10_000))
        case .judgmentSeeker:
            return RequesterDefaults(taskTypes: [.judge], trustMode: .review, workerType: .human,
                                     arrival: .poisson(ratePerHour: 6), budget: .uniform(min: 100, max: 500))
        }
    }
}

/// A requester persona's defaults (see `RequesterPersona.defaults`).
public struct RequesterDefaults: Sendable, Equatable {
    /// The task types the persona posts; not configurable per scenario.
    public var taskTypes: [TaskType]
    /// Default `trust_mode`.
    public var trustMode: TrustMode
    /// Default `worker_type`.
    public var workerType: WorkerRequirement
    /// Default `arrival`.
    public var arrival: ArrivalProcess
    /// Default `budget_sats`.
    public var budget: BudgetDistribution
}

extension AgentPersonas.ResolverPersona {
    /// The values a group of this persona takes for every field its scenario entry leaves out.
    ///
    /// | persona | type | accuracy | work_seconds | proof_rate | abandon_rate | confidence_bias | budget_floor_sats | task_types |
    /// |---|---|---|---|---|---|---|---|---|
    /// | diligent_human | human | 0.95 | 120 ... 600 | 1.0 | 0.01 | 0 | 0 | all five |
    /// | fast_ai | ai | 0.85 | 2 ... 20 | 0.9 | 0 | 0 | 0 | verify, answer |
    /// | hybrid | hybrid | 0.92 | 30 ... 180 | 1.0 | 0.01 | 0 | 0 | all five |
    /// | sloppy_worker | human | 0.6 | 10 ... 60 | 0.3 | 0.05 | +0.2 | 0 | all five |
    /// | claim_abandoner | ai | 0.8 | 5 ... 30 | 0.8 | 0.6 | 0 | 0 | verify, answer |
    /// | cherry_picker | human | 0.9 | 60 ... 300 | 1.0 | 0.02 | 0 | 150 | all five |
    ///
    /// "All five" is verify, answer, judge, unblock, delegate. Every persona: count 1, poll every 20 s.
    public var defaults: ResolverDefaults {
        let all = TaskType.allCases
        switch self {
        case .diligentHuman:
            return ResolverDefaults(type: .human, accuracy: 0.95, workMs: 120_000...600_000, proofRate: 1.0,
                                    abandonRate: 0.01, confidenceBias: 0, budgetFloorSats: 0, taskTypes: all)
        case .fastAI:
            return ResolverDefaults(type: .ai, accuracy: 0.85, workMs: 2_000...20_000, proofRate: 0.9,
                                    abandonRate: 0, confidenceBias: 0, budgetFloorSats: 0, taskTypes: [.verify, .answer])
        case .hybrid:
            return ResolverDefaults(type: .hybrid, accuracy: 0.92, workMs: 30_000...180_000, proofRate: 1.0,
                                    abandonRate: 0.01, confidenceBias: 0, budgetFloorSats: 0, taskTypes: all)
        case .sloppyWorker:
            return ResolverDefaults(type: .human, accuracy: 0.6, workMs: 10_000...60_000, proofRate: 0.3,
                                    abandonRate: 0.05, confidenceBias: 0.2, budgetFloorSats: 0, taskTypes: all)
        case .claimAbandoner:
            return ResolverDefaults(type: .ai, accuracy: 0.8, workMs: 5_000...30_000, proofRate: 0.8,
                                    abandonRate: 0.6, confidenceBias: 0, budgetFloorSats: 0, taskTypes: [.verify, .answer])
        case .cherryPicker:
            return ResolverDefaults(type: .human, accuracy: 0.9, workMs: 60_000...300_000, proofRate: 1.0,
                                    abandonRate: 0.02, confidenceBias: 0, budgetFloorSats: 150, taskTypes: all)
        }
    }
}

/// A resolver persona's defaults (see `ResolverPersona.defaults`).
public struct ResolverDefaults: Sendable, Equatable {
    /// Default `type`.
    public var type: WorkerKind
    /// Default `accuracy`.
    public var accuracy: Double
    /// Default `work_seconds`, in ms.
    public var workMs: ClosedRange<Int64>
    /// Default `proof_rate`.
    public var proofRate: Double
    /// Default `abandon_rate`.
    public var abandonRate: Double
    /// Default `confidence_bias`.
    public var confidenceBias: Double
    /// Default `budget_floor_sats`.
    public var budgetFloorSats: Int64
    /// Default `task_types`.
    public var taskTypes: [TaskType]
}
