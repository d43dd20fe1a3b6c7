import Lightning
import Market

/// One simulation run as described by a scenario file (`docs/scenarios.md`), validated and with every default applied.
///
/// Durations are integer milliseconds, money integer sats; nothing here is a raw JSON value.
public struct Scenario: Sendable, Equatable {
    /// Names `reports/<name>/`; `[a-z0-9_-]+`.
    public var name: String
    /// Free text; empty when absent.
    public var description: String
    /// The root of every random stream (`0 ... 2^63-1`).
    public var seed: UInt64
    /// Where virtual time starts (default `2026-01-01T00:00:00Z`).
    public var startTime: Instant
    /// The run stops at `startTime + durationMs`; > 0.
    public var durationMs: Int64
    /// After the duration, agents keep resolving (no new tasks) this long; >= 0, default 0.
    public var drainMs: Int64
    /// The market's fees, reputation rules and timing.
    public var market: MarketSettings
    /// Platform liquidity and requester wallets.
    public var lightning: LightningSettings
    /// Requester populations; never empty.
    public var requesters: [RequesterGroup]
    /// Resolver populations; never empty.
    public var resolvers: [ResolverGroup]
    /// The web the resolvers probe for verify tasks.
    public var web: WebSettings
    /// The question bank with ground truth for answer, judge, unblock and delegate tasks.
    public var questions: [Question]
    /// What the run writes and prints.
    public var report: ReportSettings
    /// The optional parameter sweep (`simrun sweep`); a plain run ignores it.
    public var sweep: SweepSpec?

    /// The default start of virtual time, `2026-01-01T00:00:00Z`.
    public static let defaultStartTime = Instant(milliseconds: 1_767_225_600_000)

    /// Creates a scenario; the defaults are those of `docs/scenarios.md`.
    public init(name: String, description: String = "", seed: UInt64, startTime: Instant = Scenario.defaultStartTime,
                durationMs: Int64, drainMs: Int64 = 0, market: MarketSettings = MarketSettings(),
                lightning: LightningSettings = LightningSettings(), requesters: [RequesterGroup],
                resolvers: [ResolverGroup], web: WebSettings = WebSettings(), questions: [Question] = [],
                report: ReportSettings = ReportSettings(), sweep: SweepSpec? = nil) {
        self.name = name
        self.description = description
        self.seed = seed
        self.startTime = startTime
        self.durationMs = durationMs
        self.drainMs = drainMs
        self.market = market
        self.lightning = lightning
        self.requesters = requesters
        self.resolvers = resolvers
        self.web = web
        self.questions = questions
        self.report = report
        self.sweep = sweep
    }

    /// When new tasks stop: `startTime + durationMs`.
    public var endTime: Instant { startTime.adding(milliseconds: durationMs) }

    /// When the run stops for good: `endTime + drainMs`.
    public var drainEndTime: Instant { endTime.adding(milliseconds: drainMs) }

    /// The market configuration the `market` block describes.
    public func marketConfiguration() -> MarketConfiguration { market.marketConfiguration() }
}

/// The scenario's `market` block: fee parameters (as ppm), reputation rules and timing (as ms).
public struct MarketSettings: Sendable, Equatable {
    /// `demo` accepts the demo token; `strict` only real L402.
    public var mode: MarketMode
    /// `worker_share` in parts per million (0.70 -> 700 000); 0 ... 1 000 000.
    public var workerSharePPM: Int64
    /// `bonus_multiplier` in parts per million (1.10 -> 1 100 000); 1 000 000 ... 10 000 000.
    public var bonusMultiplierPPM: Int64
    /// Bonus-eligible when the score is strictly greater than this; >= 0.
    public var bonusThreshold: Int64
    /// Score deltas, floor and tier bounds.
    public var reputation: ReputationRules
    /// `claim_lease_seconds`; > 0.
    public var claimLeaseMs: Int64
    /// `task_ttl_seconds`; > 0.
    public var taskTTLMs: Int64
    /// `auto_release_delay_seconds`; >= 0.
    public var autoReleaseDelayMs: Int64
    /// `review_window_seconds`; > 0.
    public var reviewWindowMs: Int64
    /// `payout_max_attempts`; 1 ... 100.
    public var payoutMaxAttempts: Int64
    /// `payout_retry_base_seconds`; > 0.
    public var payoutRetryBaseMs: Int64

    /// Creates market settings; the defaults are the SPEC's.
    public init(mode: MarketMode = .demo, workerSharePPM: Int64 = 700_000, bonusMultiplierPPM: Int64 = 1_100_000,
                bonusThreshold: Int64 = 10, reputation: ReputationRules = .default, claimLeaseMs: Int64 = 600_000,
                taskTTLMs: Int64 = 86_400_000, autoReleaseDelayMs: Int64 = 0, reviewWindowMs: Int64 = 3_600_000,
                payoutMaxAttempts: Int64 = 5, payoutRetryBaseMs: Int64 = 1_000) {
        self.mode = mode
        self.workerSharePPM = workerSharePPM
        self.bonusMultiplierPPM = bonusMultiplierPPM
        self.bonusThreshold = bonusThreshold
        self.reputation = reputation
        self.claimLeaseMs = claimLeaseMs
        self.taskTTLMs = taskTTLMs
        self.autoReleaseDelayMs = autoReleaseDelayMs
        self.reviewWindowMs = reviewWindowMs
        self.payoutMaxAttempts = payoutMaxAttempts
        self.payoutRetryBaseMs = payoutRetryBaseMs
    }

    /// The fee policy of these settings.
    public var feePolicy: FeePolicy {
        FeePolicy(workerSharePPM: workerSharePPM, bonusMultiplierPPM: bonusMultiplierPPM, bonusThreshold: bonusThreshold)
    }

    /// The market timing of these settings; the L402 challenge lifetime keeps the market's default.
    public var timing: MarketTiming {
        MarketTiming(claimLeaseMs: claimLeaseMs, taskTTLMs: taskTTLMs, autoReleaseDelayMs: autoReleaseDelayMs,
                     reviewWindowMs: reviewWindowMs, challengeTTLMs: MarketTiming.default.challengeTTLMs)
    }

    /// The market configuration these settings describe; fields a scenario cannot set keep the market's defaults.
    public func marketConfiguration() -> MarketConfiguration {
        MarketConfiguration(mode: mode, fees: feePolicy, reputation: reputation, timing: timing,
                            payoutMaxAttempts: payoutMaxAttempts, payoutRetryBaseMs: payoutRetryBaseMs)
    }
}

/// The scenario's `lightning` block.
public struct LightningSettings: Sendable, Equatable {
    /// What the platform can pay out from with the minimal node (no `network`); >= 0.
    public var platformLiquiditySats: Int64
    /// Each requester's wallet balance; >= 0.
    public var requesterBalanceSats: Int64
    /// The routed network; nil runs the minimal in-process node (one hop, no fees, never fails for liquidity).
    public var network: NetworkSettings?

    /// Creates Lightning settings.
    public init(platformLiquiditySats: Int64 = 100_000_000, requesterBalanceSats: Int64 = 10_000_000, network: NetworkSettings? = nil) {
        self.platformLiquiditySats = platformLiquiditySats
        self.requesterBalanceSats = requesterBalanceSats
        self.network = network
    }

    public var platformLiquidity: MilliSats { MilliSats.sats(platformLiquiditySats) ?? .maxSupply }
    public var requesterBalance: MilliSats { MilliSats.sats(requesterBalanceSats) ?? .maxSupply }
}

/// The shape of the simulated Lightning network.
public enum NetworkTopology: String, Sendable, Equatable, CaseIterable {
    /// The platform and one LSP that every wallet joins.
    case singleLSP = "single_lsp"
    /// LSP hubs in a full mesh, each with routing spokes.
    case hubAndSpoke = "hub_and_spoke"
    /// A Barabási–Albert graph of routing nodes; the best connected become LSPs.
    case scaleFree = "scale_free"
    /// The channels listed in the file, as SimLN's `sim_network`.
    case channels
}

/// One channel of an explicit network (`topology: "channels"`).
public struct ChannelSpec: Sendable, Equatable {
    public var node1: String
    public var node2: String
    public var capacitySats: Int64
    public var node1BalanceSats: Int64?
    public var node1BaseFeeMsat: Int64
    public var node1FeePPM: Int64
    public var node2BaseFeeMsat: Int64
    public var node2FeePPM: Int64
    public var cltvDelta: Int64
}

/// The scenario's `lightning.network` block (see docs/scenarios.md and docs/lightning.md).
public struct NetworkSettings: Sendable, Equatable {
    public var topology: NetworkTopology = .singleLSP
    /// The topology's own seed; default: the scenario's.
    public var seed: UInt64?
    public var hubs = 3
    public var spokesPerHub = 4
    public var nodes = 30
    public var edgesPerNode = 2
    public var lsps = 3
    /// The platform's channel(s) into the network, and its share of them.
    public var platformCapacitySats: Int64 = 100_000_000
    public var platformShare = 0.9
    /// Capacity of generated routing channels.
    public var channelCapacitySats: Int64 = 50_000_000
    public var feePPM: Int64 = 100
    public var baseFeeMsat: Int64 = 1_000
    public var randomFailureRate = 0.0
    /// Inbound liquidity every worker wallet gets from its LSP.
    public var workerInboundSats: Int64 = 1_000_000
    public var requesterInboundSats: Int64 = 0
    /// Agent names (e.g. "alice-1") whose wallets get no inbound liquidity: their payouts fail until retries run out.
    public var starvedWorkers: [String] = []
    public var routingKnowledge: RoutingKnowledge = .capacities
    public var channels: [ChannelSpec] = []
    /// Roles of the nodes named in `channels` (default: router; "platform" is the platform).
    public var nodeRoles: [String: NetworkNodeRole] = [:]

    public init() {}

    public init(topology: NetworkTopology, seed: UInt64?, hubs: Int, spokesPerHub: Int, nodes: Int, edgesPerNode: Int, lsps: Int,
                platformCapacitySats: Int64, platformShare: Double, channelCapacitySats: Int64, feePPM: Int64, baseFeeMsat: Int64,
                randomFailureRate: Double, workerInboundSats: Int64, requesterInboundSats: Int64, starvedWorkers: [String],
                routingKnowledge: RoutingKnowledge, channels: [ChannelSpec], nodeRoles: [String: NetworkNodeRole]) {
        self.topology = topology; self.seed = seed; self.hubs = hubs; self.spokesPerHub = spokesPerHub; self.nodes = nodes
        self.edgesPerNode = edgesPerNode; self.lsps = lsps; self.platformCapacitySats = platformCapacitySats
        self.platformShare = platformShare; self.channelCapacitySats = channelCapacitySats; self.feePPM = feePPM
        self.baseFeeMsat = baseFeeMsat; self.randomFailureRate = randomFailureRate; self.workerInboundSats = workerInboundSats
        self.requesterInboundSats = requesterInboundSats; self.starvedWorkers = starvedWorkers
        self.routingKnowledge = routingKnowledge; self.channels = channels; self.nodeRoles = nodeRoles
    }
}

/// How a run's web table is served to the resolvers' probes.
public enum WebMode: String, Sendable, Equatable, CaseIterable {
    /// An in-process table answers HEAD requests in virtual time.
    case simulated
    /// A loopback server serves the fixtures over real HTTP.
    case fixture
    /// HEAD requests go to the real network.
    case live
}

/// The scenario's `web` block.
public struct WebSettings: Sendable, Equatable {
    /// Where HEAD requests go.
    public var mode: WebMode
    /// The HEAD timeout; > 0.
    public var timeoutMs: Int64
    /// The web table; URLs are unique, redirects point at other fixtures and never loop.
    public var fixtures: [WebFixtureSpec]

    /// Creates web settings (defaults: simulated, 2 s timeout, no fixtures).
    public init(mode: WebMode = .simulated, timeoutMs: Int64 = 2000, fixtures: [WebFixtureSpec] = []) {
        self.mode = mode
        self.timeoutMs = timeoutMs
        self.fixtures = fixtures
    }

    /// The status at the end of `url`'s redirect chain, or nil when `url` is not a fixture (or the chain loops).
    public func finalStatus(of url: String) -> Int? {
        var current = url
        var seen: Set<String> = []
        while let fixture = fixtures.first(where: { $0.url == current }) {
            guard seen.insert(current).inserted else { return nil }
            guard let next = fixture.redirectTo else { return fixture.status }
            current = next
        }
        return nil
    }
}

/// One row of the web table.
public struct WebFixtureSpec: Sendable, Equatable {
    /// An `http://` or `https://` URL, unique in the table.
    public var url: String
    /// The HEAD status, 100 ... 599; default 200, or 302 when `redirectTo` is set.
    public var status: Int
    /// How long the answer takes; >= 0, default 100.
    public var latencyMs: Int64
    /// Chance that a HEAD fails with a connection error instead; 0 ... 1, default 0.
    public var flakyRate: Double
    /// Another fixture's URL this one redirects to (its status is then 3xx).
    public var redirectTo: String?

    /// Creates a fixture.
    public init(url: String, status: Int = 200, latencyMs: Int64 = 100, flakyRate: Double = 0, redirectTo: String? = nil) {
        self.url = url
        self.status = status
        self.latencyMs = latencyMs
        self.flakyRate = flakyRate
        self.redirectTo = redirectTo
    }
}

/// One entry of the question bank.
public struct Question: Sendable, Equatable {
    /// Unique among the questions.
    public var id: String
    /// The text a requester posts.
    public var question: String
    /// The ground truth; one of `choices` when there are choices.
    public var answer: String
    /// The allowed answers; empty for a free-form answer.
    public var choices: [String]
    /// 0 ... 1, default 0.5: how much harder than the resolver's base accuracy this question is.
    public var difficulty: Double
    /// Which tasks draw this question: answer (default), judge, unblock or delegate.
    public var taskType: TaskType

    /// Creates a question.
    public init(id: String, question: String, answer: String, choices: [String] = [], difficulty: Double = 0.5,
                taskType: TaskType = .answer) {
        self.id = id
        self.question = question
        self.answer = answer
        self.choices = choices
        self.difficulty = difficulty
        self.taskType = taskType
    }
}

/// What the console prints while a run goes.
public enum TranscriptMode: String, Sendable, Equatable, CaseIterable {
    /// Every request and response.
    case full
    /// One line per task outcome.
    case summary
    /// Nothing but the final summary (`"none"` in the file; not named `none`, which would shadow `Optional.none`).
    case silent = "none"
}

/// The scenario's `report` block.
public struct ReportSettings: Sendable, Equatable {
    /// One `timeline.csv` row per bucket; > 0, default 300 s.
    public var timelineBucketMs: Int64
    /// What the console prints (default full).
    public var transcript: TranscriptMode
    /// Whether to write the HTML report (default true).
    public var html: Bool
    /// Whether every request goes to `events.ndjson` (default true; off for the largest runs, where the log
    /// would run to gigabytes).
    public var events: Bool

    /// Creates report settings.
    public init(timelineBucketMs: Int64 = 300_000, transcript: TranscriptMode = .full, html: Bool = true, events: Bool = true) {
        self.timelineBucketMs = timelineBucketMs
        self.transcript = transcript
        self.html = html
        self.events = events
    }
}
