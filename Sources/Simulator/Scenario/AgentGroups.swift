import Market

/// A `requesters[]` entry: `count` identical requester agents named `<name>-1 ... <name>-<count>`.
public struct RequesterGroup: Sendable, Equatable {
    /// Unique among all agent groups; `[A-Za-z0-9_-]+`.
    public var name: String
    /// The script the agents follow.
    public var persona: RequesterPersona
    /// How many agents; 1 ... 10 000, default 1.
    public var count: Int
    /// When each agent posts a task (default from the persona).
    public var arrival: ArrivalProcess
    /// Each task's budget, in sats (default from the persona).
    public var budget: BudgetDistribution
    /// How the agents' tasks are released (default from the persona).
    public var trustMode: TrustMode
    /// Which workers may claim the agents' tasks (default from the persona).
    public var workerType: WorkerRequirement
    /// How often an agent checks its open tasks; > 0, default 30 s.
    public var pollMs: Int64
    /// True: go through 402 -> pay -> retry; false: use the demo token (demo market mode only). Default true.
    public var payRealL402: Bool
    /// In review mode, answers whose confidence is below this are rejected; 0 ... 1, default 0.
    public var reviewRejectBelow: Double

    /// Creates a group; every field left out takes the persona's default.
    public init(name: String, persona: RequesterPersona, count: Int = 1, arrival: ArrivalProcess? = nil,
                budget: BudgetDistribution? = nil, trustMode: TrustMode? = nil, workerType: WorkerRequirement? = nil,
                pollMs: Int64 = 30_000, payRealL402: Bool = true, reviewRejectBelow: Double = 0) {
        let defaults = persona.defaults
        self.name = name
        self.persona = persona
        self.count = count
        self.arrival = arrival ?? defaults.arrival
        self.budget = budget ?? defaults.budget
        self.trustMode = trustMode ?? defaults.trustMode
        self.workerType = workerType ?? defaults.workerType
        self.pollMs = pollMs
        self.payRealL402 = payRealL402
        self.reviewRejectBelow = reviewRejectBelow
    }

    /// The task types the agents post (fixed by the persona).
    public var taskTypes: [TaskType] { persona.defaults.taskTypes }

    /// The agents' names: `<name>-1 ... <name>-<count>`.
    public var agentNames: [String] { count < 1 ? [] : (1...count).map { "\(name)-\($0)" } }
}

/// A `resolvers[]` entry: `count` identical resolver agents named `<name>-1 ... <name>-<count>`.
public struct ResolverGroup: Sendable, Equatable {
    /// Unique among all agent groups; `[A-Za-z0-9_-]+`.
    public var name: String
    /// The script the agents follow.
    public var persona: ResolverPersona
    /// How many agents; 1 ... 10 000, default 1.
    public var count: Int
    /// The worker kind the agents register as (default from the persona).
    public var type: WorkerKind
    /// Chance of answering a question right; 0 ... 1 (default from the persona).
    public var accuracy: Double
    /// How often an idle agent reads the feed; > 0, default 20 s.
    public var pollMs: Int64
    /// Time to resolve one task, drawn uniformly from this range (default from the persona).
    public var workMs: ClosedRange<Int64>
    /// Tasks below this budget are ignored (the feed's `budget_min`); >= 0 (default from the persona).
    public var budgetFloorSats: Int64
    /// The feed filter; never empty, no repeats (default: every type the persona handles).
    public var taskTypes: [TaskType]
    /// Chance of claiming and then never submitting; 0 ... 1 (default from the persona).
    public var abandonRate: Double
    /// Chance of attaching a `proof_url`; 0 ... 1 (default from the persona).
    public var proofRate: Double
    /// Added to the calibrated confidence; -1 ... 1 (default from the persona).
    public var confidenceBias: Double

    /// Creates a group; every field left out takes the persona's default.
    public init(name: String, persona: ResolverPersona, count: Int = 1, type: WorkerKind? = nil, accuracy: Double? = nil,
                pollMs: Int64 = 20_000, workMs: ClosedRange<Int64>? = nil, budgetFloorSats: Int64? = nil,
                taskTypes: [TaskType]? = nil, abandonRate: Double? = nil, proofRate: Double? = nil,
                confidenceBias: Double? = nil) {
        let defaults = persona.defaults
        self.name = name
        self.persona = persona
        self.count = count
        self.type = type ?? defaults.type
        self.accuracy = accuracy ?? defaults.accuracy
        self.pollMs = pollMs
        self.workMs = workMs ?? defaults.workMs
        self.budgetFloorSats = budgetFloorSats ?? defaults.budgetFloorSats
        self.taskTypes = taskTypes ?? defaults.taskTypes
        self.abandonRate = abandonRate ?? defaults.abandonRate
        self.proofRate = proofRate ?? defaults.proofRate
        self.confidenceBias = confidenceBias ?? defaults.confidenceBias
    }

    /// The agents' names: `<name>-1 ... <name>-<count>`.
    public var agentNames: [String] { count < 1 ? [] : (1...count).map { "\(name)-\($0)" } }
}

/// When a requester agent posts tasks, in virtual time since the scenario's start.
public enum ArrivalProcess: Sendable, Equatable {
    /// Exponential gaps with this mean rate; `rate_per_hour` > 0 (at most 1 000 000).
    case poisson(ratePerHour: Double)
    /// Exactly at these offsets (`at_seconds`, each >= 0), in the order written; not empty.
    case fixed(atMs: [Int64])
    /// `size` tasks every `everyMs` (> 0), each shifted by a uniform draw in `0 ... jitterMs` (default 0).
    case burst(everyMs: Int64, size: Int, jitterMs: Int64)
}

/// How a task's budget is drawn, in whole sats (each value 1 ... 2 100 000 000 000 000).
public enum BudgetDistribution: Sendable, Equatable {
    /// Always `sats` (`value`).
    case fixed(sats: Int64)
    /// Uniform integer in `min ... max`.
    case uniform(min: Int64, max: Int64)
    /// `median * exp(sigma * N(0,1))`, rounded and clamped to `min ... max` (defaults 1 and the market maximum).
    case lognormal(median: Double, sigma: Double, min: Int64, max: Int64)
    /// One of `values` with the given relative `weights` (default equal; >= 0, not all zero, one per value).
    case choice(values: [Int64], weights: [Double])
}
