import AgentPersonas
import Foundation
import HTTPKit
import JSON
import Lightning
import Market

/// How one run is set up beyond the scenario file (the command line's options).
public struct RunOptions: Sendable {
    /// Replaces the scenario's seed.
    public var seed: UInt64?
    /// Stops the run at this virtual time (ms since start) instead of the scenario's end.
    public var untilMs: Int64?
    /// Where the reports go (default `reports/<scenario name>`).
    public var outputDirectory: String?
    /// The market's SQLite file (default `<output>/market.sqlite`; `:memory:` keeps nothing).
    public var databasePath: String?
    /// Replaces the scenario's transcript mode.
    public var transcript: TranscriptMode?
    /// Talk to a market served elsewhere (`simrun serve`) instead of the in-process router.
    public var marketURL: (host: String, port: UInt16)?
    /// Keep market events in the store (the dashboard's latest events); off by default, as reports do not need them.
    public var recordMarketEvents: Bool = false

    public init(seed: UInt64? = nil, untilMs: Int64? = nil, outputDirectory: String? = nil, databasePath: String? = nil,
                transcript: TranscriptMode? = nil, marketURL: (host: String, port: UInt16)? = nil) {
        self.seed = seed
        self.untilMs = untilMs
        self.outputDirectory = outputDirectory
        self.databasePath = databasePath
        self.transcript = transcript
        self.marketURL = marketURL
    }
}

/// What the console sees while the run goes; none of it changes what is written to the reports.
public struct RunHooks {
    /// One transcript line, already filtered by the transcript mode.
    public var transcript: ((TranscriptEvent) -> Void)?
    /// Called before each event with its virtual time (the pacer sleeps here in `--pace` runs).
    public var beforeEvent: ((Int64) -> Void)?
    /// Called every few thousand events with (virtual now, virtual end, tasks created).
    public var progress: ((Int64, Int64, Int64) -> Void)?

    public init(transcript: ((TranscriptEvent) -> Void)? = nil, beforeEvent: ((Int64) -> Void)? = nil,
                progress: ((Int64, Int64, Int64) -> Void)? = nil) {
        self.transcript = transcript
        self.beforeEvent = beforeEvent
        self.progress = progress
    }
}

/// The outcome of a run: the summary, where the reports are, and whether the ledger balanced.
public struct RunResult: Sendable {
    public var summary: RunSummary
    /// Every resolver's standing at the end (earnings, score, tier).
    public var workers: [WorkerRecord]
    public var outputDirectory: String
    public var files: [String]
    public var ledgerBalanced: Bool { summary.ledgerBalanced }
}

/// Runs one scenario: builds the market and the agents, drives them on the discrete-event kernel in virtual
/// time, and streams the reports.
public final class SimulationEngine {
    // Engine-level event targets and kinds.
    static let engineTarget: Int32 = -1
    static let tickKind: Int32 = 1
    static let dueKind: Int32 = 2
    static let arrivalKind: Int32 = 100

    public let scenario: Scenario
    let options: RunOptions
    let seed: UInt64
    let outputDirectory: String
    let endMs: Int64
    let arrivalsEndMs: Int64

    /// The market's clock: virtual time, set by the engine before each event.
    public let clock: ManualClock
    let kernel = Kernel(capacity: 1024)
    let node: any LightningNode
    /// The routed network, when the scenario describes one (`lightning.network`).
    let network: SimulatedNetwork?
    /// The market the agents trade on.
    public let service: MarketService
    /// The market's own router; `simrun serve FILE` serves it over HTTP so people share the agents' market.
    /// Thread-safe: HTTP threads may call it while the engine runs.
    public let router: MarketRouter
    /// Serialises the report writer, which market events reach from HTTP threads in served runs.
    let writerLock = NSLockish()
    let client: any MarketClient
    let writer: ReportWriter
    let instrumentation: Instrumentation
    private let fixtureServer: FixtureWebServer?
    private var agents: [any Agent] = []
    private var contexts: [EngineContext] = []
    private var arrivalStreams: [Int: Xoshiro256StarStar] = [:]
    private var arrivalProcesses: [Int: (ArrivalProcess, BudgetDistribution)] = [:]
    private var scheduledDueMs: Int64?
    private var dueGeneration: Int64 = 0
    /// The first failure of the market's own due work; it ends the run.
    private var failure: (any Error)?
    var hooks = RunHooks()
    var transcriptMode: TranscriptMode
    /// Whether agents build transcript lines at all (not when nothing would read them).
    var wantsTranscript: Bool { scenario.report.events || (transcriptMode != .silent && hooks.transcript != nil) }
    var requests: Int64 = 0

    public init(scenario: Scenario, options: RunOptions = RunOptions()) throws {
        self.scenario = scenario
        self.options = options
        seed = options.seed ?? scenario.seed
        outputDirectory = options.outputDirectory ?? "reports/\(scenario.name)"
        let fullEnd = scenario.durationMs + scenario.drainMs
        endMs = min(options.untilMs ?? fullEnd, fullEnd)
        arrivalsEndMs = min(scenario.durationMs, endMs)
        transcriptMode = options.transcript ?? scenario.report.transcript

        clock = ManualClock(scenario.startTime)
        var config = scenario.marketConfiguration()
        config.recordEvents = options.recordMarketEvents
        if let settings = scenario.lightning.network {
            let net = try SimulatedNetwork(spec: Self.networkSpec(settings, seed: seed), clock: clock,
                                           random: SeededRandom(seed: seed, stream: "lightning-node"))
            // Every resolver's Lightning address resolves (LUD-16) to its own wallet; starved ones get no inbound.
            for group in scenario.resolvers {
                for name in group.agentNames {
                    let inbound = settings.starvedWorkers.contains(name) ? MilliSats.zero : MilliSats.sats(settings.workerInboundSats) ?? .zero
                    _ = try net.createWallet(forAddress: ResolverProfile.lightningAddress(for: name), inbound: inbound)
                }
            }
            network = net
            node = net
        } else {
            network = nil
            node = try InProcessNode(clock: clock, random: SeededRandom(seed: seed, stream: "lightning-node"),
                                     platformLiquidity: scenario.lightning.platformLiquidity)
        }
        try FileManager.default.createDirectory(atPath: outputDirectory, withIntermediateDirectories: true)
        let dbPath = options.databasePath ?? outputDirectory + "/market.sqlite"
        if dbPath != ":memory:" {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: dbPath + suffix) }
        }
        let store = try MarketStore(path: dbPath, durability: .off)
        writer = try ReportWriter(directory: outputDirectory, scenario: scenario.name, bonusThreshold: config.fees.bonusThreshold,
                                  htmlEnabled: scenario.report.html, startEpochMs: scenario.startTime.milliseconds)
        var summary = RunSummary(scenario: scenario.name, seed: seed)
        summary.durationMs = endMs
        let clockRef = clock
        let start = scenario.startTime.milliseconds
        let sink = WriterSink(writer: writer, lock: writerLock)
        instrumentation = Instrumentation(startMs: start, bonusThreshold: config.fees.bonusThreshold,
                                          bucketMs: scenario.report.timelineBucketMs, sink: sink, summary: summary,
                                          clockMs: { clockRef.now().milliseconds - start })
        service = try MarketService(configuration: config, store: store, node: node, clock: clock,
                                    random: SeededRandom(seed: seed, stream: "market"), observer: instrumentation)
        router = try MarketRouter(service: service)
        if let url = options.marketURL {
            client = HTTPMarketClient(host: url.host, port: url.port)
        } else {
            client = InProcessMarketClient(handler: router)
        }

        // The web the resolvers probe.
        let table = WebTable(scenario.web.fixtures.map {
            WebFixture(url: $0.url, status: $0.status, latencyMs: $0.latencyMs, flakyRate: $0.flakyRate, redirectTo: $0.redirectTo)
        })
        let probe: any WebProbe
        switch scenario.web.mode {
        case .simulated:
            probe = SimulatedWebProbe(table: table, timeoutMs: scenario.web.timeoutMs)
            fixtureServer = nil
        case .fixture:
            let server = FixtureWebServer(table: table)
            _ = try server.start()
            fixtureServer = server
            probe = FixtureWebProbe(server: server, timeoutMs: scenario.web.timeoutMs)
        case .live:
            probe = LiveWebProbe(timeoutMs: scenario.web.timeoutMs)
            fixtureServer = nil
        }
        let truthProbe = SimulatedWebProbe(table: table, timeoutMs: Int64.max / 4)
        let redirectTargets = Set(scenario.web.fixtures.compactMap(\.redirectTo))
        let targets = scenario.web.fixtures.filter { !redirectTargets.contains($0.url) }.map {
            VerifyTarget(url: $0.url, live: truthProbe.head($0.url, flake: false).isLive)
        }
        let catalog = TaskCatalog(verifyTargets: targets, questions: scenario.questions.map {
            QuestionItem(id: $0.id, question: $0.question, answer: $0.answer, choices: $0.choices,
                         difficulty: $0.difficulty, taskType: $0.taskType)
        })
        buildAgents(catalog: catalog, probe: probe, table: table)
    }

    deinit { fixtureServer?.stop() }

    /// Ends the run after the current event (the reports are still written). Call it only from the engine's own
    /// thread, e.g. from `RunHooks.beforeEvent`.
    public func stop() { kernel.stop() }

    /// The virtual time (ms since the scenario's start) at which the run ends.
    public var endVirtualMs: Int64 { endMs }

    /// The scenario's network block as a network spec.
    static func networkSpec(_ n: NetworkSettings, seed: UInt64) -> NetworkSpec {
        let msat = { (sats: Int64) in MilliSats.sats(sats) ?? .maxSupply }
        let platformCapacity = msat(n.platformCapacitySats)
        let platformBalance = MilliSats(Int64(Double(platformCapacity.rawValue) * n.platformShare))
        let policy = ChannelPolicy(baseFeeMsat: n.baseFeeMsat, feeRatePPM: n.feePPM, cltvExpiryDelta: 40)
        let capacity = msat(n.channelCapacitySats).rawValue
        let parameters = TopologyParameters(capacityMsat: max(1, capacity / 2)...max(1, capacity), baseFeeMsat: n.baseFeeMsat...n.baseFeeMsat,
                                            feeRatePPM: n.feePPM...n.feePPM, platformCapacityMsat: platformCapacity.rawValue,
                                            platformSharePPM: Int64(n.platformShare * 1_000_000))
        let topologySeed = n.seed ?? seed
        var spec: NetworkSpec
        switch n.topology {
        case .singleLSP:
            spec = .singleLSP(capacity: platformCapacity, platformBalance: platformBalance, lspPolicy: policy)
        case .hubAndSpoke:
            spec = .hubAndSpoke(hubs: n.hubs, spokesPerHub: n.spokesPerHub, seed: topologySeed, parameters: parameters)
        case .scaleFree:
            spec = .scaleFree(nodes: n.nodes, edgesPerNode: n.edgesPerNode, seed: topologySeed, lsps: n.lsps, parameters: parameters)
        case .channels:
            var names: [String] = []
            for c in n.channels { for name in [c.node1, c.node2] where !names.contains(name) { names.append(name) } }
            spec = NetworkSpec(nodes: names.map { name in
                NetworkSpec.Node(name: name, role: name == "platform" ? .platform : (n.nodeRoles[name] ?? .router))
            }, channels: n.channels.map { c in
                NetworkSpec.Channel(node1: c.node1, node2: c.node2, capacity: msat(c.capacitySats), node1Balance: c.node1BalanceSats.map(msat),
                                    node1Policy: ChannelPolicy(baseFeeMsat: c.node1BaseFeeMsat, feeRatePPM: c.node1FeePPM, cltvExpiryDelta: c.cltvDelta),
                                    node2Policy: ChannelPolicy(baseFeeMsat: c.node2BaseFeeMsat, feeRatePPM: c.node2FeePPM, cltvExpiryDelta: c.cltvDelta))
            })
        }
        spec.randomFailureRate = n.randomFailureRate
        spec.routingKnowledge = n.routingKnowledge
        spec.wallets = WalletChannelDefaults(inbound: msat(n.requesterInboundSats), lspPolicy: policy)
        return spec
    }

    /// The platform's spendable Lightning balance now.
    var platformOutbound: Int64? {
        if let network { return network.platformBalance.rawValue }
        return (node as? InProcessNode)?.platformBalance.rawValue
    }

    /// How many agents take part.
    public var agentCount: Int { agents.count }

    private func buildAgents(catalog: TaskCatalog, probe: any WebProbe, table: WebTable) {
        for group in scenario.requesters {
            let persona = group.persona
            for name in group.agentNames {
                let profile = RequesterProfile(name: name, persona: persona, taskType: group.taskTypes.first ?? .answer,
                                               trustMode: group.trustMode, workerType: group.workerType, pollMs: group.pollMs,
                                               payRealL402: group.payRealL402 || scenario.market.mode == .strict,
                                               reviewRejectBelow: group.reviewRejectBelow,
                                               walletBalanceSats: scenario.lightning.requesterBalanceSats)
                let index = agents.count
                agents.append(RequesterAgent(profile: profile, catalog: catalog, seed: seed))
                arrivalStreams[index] = Xoshiro256StarStar.stream(seed: seed, label: name + "/arrivals")
                arrivalProcesses[index] = (group.arrival, group.budget)
                instrumentation.agentJoined(name: name, persona: persona.rawValue)
            }
        }
        for group in scenario.resolvers {
            let persona = group.persona
            for name in group.agentNames {
                let profile = ResolverProfile(name: name, persona: persona, kind: group.type, accuracy: group.accuracy,
                                              pollMs: group.pollMs, workMinMs: group.workMs.lowerBound, workMaxMs: group.workMs.upperBound,
                                              budgetFloorSats: group.budgetFloorSats, taskTypes: group.taskTypes,
                                              abandonRate: group.abandonRate, proofRate: group.proofRate,
                                              confidenceBias: group.confidenceBias)
                agents.append(ResolverAgent(profile: profile, catalog: catalog, probe: probe,
                                            flakyRate: { table.flakyRate(for: $0) }, seed: seed))
                instrumentation.agentJoined(name: name, persona: persona.rawValue, type: group.type.rawValue)
            }
        }
        contexts = agents.indices.map { EngineContext(engine: self, index: Int32($0)) }
    }

    /// Runs to the end (or `untilMs`), writes every report, and returns the summary.
    public func run(hooks: RunHooks = RunHooks()) throws -> RunResult {
        self.hooks = hooks
        defer { fixtureServer?.stop() }
        clock.set(scenario.startTime)
        for (i, agent) in agents.enumerated() {
            agent.start(contexts[i])
            if arrivalProcesses[i] != nil { scheduleFirstArrivals(i) }
        }
        let bucket = scenario.report.timelineBucketMs
        if bucket <= endMs { kernel.schedule(at: bucket, target: Self.engineTarget, kind: Self.tickKind) }
        scheduleDueWork()
        var sinceProgress = 0
        _ = kernel.run(until: endMs) { event in
            hooks.beforeEvent?(event.time)
            clock.set(scenario.startTime.adding(milliseconds: event.time))
            dispatch(event)
            scheduleDueWork()
            sinceProgress += 1
            if sinceProgress >= 2048 {
                sinceProgress = 0
                hooks.progress?(event.time, endMs, instrumentation.summary.tasksCreated)
            }
        }
        if let failure { throw failure }
        clock.set(scenario.startTime.adding(milliseconds: endMs))
        try service.processDue()
        return try finish()
    }

    private func dispatch(_ event: SimEvent) {
        if event.target == Self.engineTarget {
            switch event.kind {
            case Self.tickKind:
                instrumentation.closeBucket(endMs: event.time, bucketMs: scenario.report.timelineBucketMs, platformOutboundMsat: platformOutbound)
                let next = event.time + scenario.report.timelineBucketMs
                if next <= endMs { kernel.schedule(at: next, target: Self.engineTarget, kind: Self.tickKind) }
            case Self.dueKind:
                // Only the latest due event counts; one superseded by an earlier deadline is dropped.
                guard event.arg == dueGeneration else { return }
                scheduledDueMs = nil
                do { try service.processDue() } catch { if failure == nil { failure = error }; kernel.stop() }
            default: break
            }
            return
        }
        let index = Int(event.target)
        guard agents.indices.contains(index) else { return }
        if event.kind == Self.arrivalKind {
            arrival(index, event)
        } else {
            agents[index].wake(kind: event.kind, arg: event.arg, contexts[index])
        }
    }

    /// Keeps one engine event at the market's next deadline, so leases, releases, expiries and payout retries
    /// happen exactly on time even when no agent is calling.
    private func scheduleDueWork() {
        guard let due = service.nextDueInstant else { return }
        let at = max(kernel.now, due.milliseconds - scenario.startTime.milliseconds)
        if let scheduled = scheduledDueMs, scheduled <= at { return }
        guard at <= endMs else { return }
        scheduledDueMs = at
        dueGeneration += 1
        kernel.schedule(at: at, target: Self.engineTarget, kind: Self.dueKind, arg: dueGeneration)
    }

    // MARK: Arrivals

    private func scheduleFirstArrivals(_ index: Int) {
        guard let (process, _) = arrivalProcesses[index], var rng = arrivalStreams[index] else { return }
        switch process {
        case .poisson(let rate):
            if let d = rng.poissonArrivalDelay(ratePerHour: rate), d <= arrivalsEndMs {
                kernel.schedule(at: d, target: Int32(index), kind: Self.arrivalKind)
            }
        case .fixed(let times):
            for t in times where t <= arrivalsEndMs { kernel.schedule(at: t, target: Int32(index), kind: Self.arrivalKind) }
        case .burst(let every, let size, let jitter):
            scheduleBurst(index, at: 0, every: every, size: size, jitter: jitter, rng: &rng)
        }
        arrivalStreams[index] = rng
    }

    private func scheduleBurst(_ index: Int, at start: Int64, every: Int64, size: Int, jitter: Int64, rng: inout Xoshiro256StarStar) {
        guard start <= arrivalsEndMs else { return }
        for _ in 0..<size {
            let t = start + (jitter > 0 ? rng.uniform(0...jitter) : 0)
            if t <= arrivalsEndMs { kernel.schedule(at: t, target: Int32(index), kind: Self.arrivalKind) }
        }
        // arg = -1 marks the event that schedules the next burst.
        kernel.schedule(at: start + every, target: Int32(index), kind: Self.arrivalKind, arg: -1)
    }

    private func arrival(_ index: Int, _ event: SimEvent) {
        guard let (process, budget) = arrivalProcesses[index], var rng = arrivalStreams[index] else { return }
        if case .burst(let every, let size, let jitter) = process, event.arg == -1 {
            scheduleBurst(index, at: event.time, every: every, size: size, jitter: jitter, rng: &rng)
            arrivalStreams[index] = rng
            return
        }
        let sats = Self.draw(budget, &rng)
        if case .poisson(let rate) = process, let d = rng.poissonArrivalDelay(ratePerHour: rate), event.time + d <= arrivalsEndMs {
            kernel.schedule(at: event.time + d, target: Int32(index), kind: Self.arrivalKind)
        }
        arrivalStreams[index] = rng
        if let requester = agents[index] as? RequesterAgent {
            requester.postTask(budgetSats: sats, contexts[index])
        }
    }

    static func draw(_ d: BudgetDistribution, _ rng: inout Xoshiro256StarStar) -> Int64 {
        switch d {
        case .fixed(let sats): return sats
        case .uniform(let lo, let hi): return rng.uniform(lo...max(lo, hi))
        case .lognormal(let median, let sigma, let lo, let hi):
            let v = rng.lognormal(median: median, sigma: sigma)
            guard v.isFinite else { return hi }
            return min(max(Int64(v.rounded()), lo), hi)
        case .choice(let values, let weights):
            let i = rng.weightedIndex(weights: weights.isEmpty ? values.map { _ in 1 } : weights) ?? 0
            return values.indices.contains(i) ? values[i] : (values.first ?? 1)
        }
    }

    // MARK: The end

    private func finish() throws -> RunResult {
        if (endMs % scenario.report.timelineBucketMs) != 0 || endMs == 0 {
            instrumentation.closeBucket(endMs: endMs, bucketMs: scenario.report.timelineBucketMs, platformOutboundMsat: platformOutbound)
        }
        let workers = instrumentation.finish()
        var summary = instrumentation.summary
        summary.eventsDispatched = Int64(kernel.eventsDispatched)
        summary.requests = requests
        let figures = try MarketFigures.compute(service, topCount: 0, eventCount: 0)
        let l = figures.ledger
        summary.platformFeeMsat = l.platformFeesNet.rawValue
        summary.routingFeeMsat = l.routingFees.rawValue
        summary.workerEarningsMsat = l.settledPayouts.rawValue
        summary.owedPayoutsMsat = l.owedPayouts.rawValue
        summary.refundsMsat = l.refunds.rawValue
        summary.escrowMsat = l.escrow.rawValue
        summary.ledgerPaidBudgetsMsat = l.paidBudgets.rawValue
        summary.ledgerAccountedMsat = l.accountedFor.rawValue
        let released = figures.ledger.settledPayouts + figures.ledger.owedPayouts + figures.ledger.platformFeesNet + figures.ledger.routingFees
        summary.effectiveTakeRate = released.rawValue > 0
            ? Double((l.platformFeesNet + l.routingFees).rawValue) / Double(released.rawValue) : nil
        // The ledger must balance in the store, and the instrumentation's own count of the money paid in must
        // agree with it: two independent tallies.
        summary.ledgerBalanced = l.isBalanced && summary.volumeMsat == l.paidBudgets.rawValue
        let tiers = scenario.marketConfiguration().reputation
        let records = workers.map { w -> WorkerRecord in
            var r = w
            r.tier = tiers.tier(of: w.reputationScore).rawValue
            return r
        }
        let files = try writerLock.locked { try writer.finish(workers: records, summary: summary) }
        return RunResult(summary: summary, workers: records, outputDirectory: outputDirectory, files: files)
    }
}

/// One agent's view of the engine.
final class EngineContext: AgentContext {
    unowned let engine: SimulationEngine
    let index: Int32

    init(engine: SimulationEngine, index: Int32) {
        self.engine = engine
        self.index = index
    }

    var nowMs: Int64 { engine.kernel.now }
    var client: any MarketClient { CountingClient(engine: engine) }
    var wantsTranscript: Bool { engine.wantsTranscript }

    func wake(after ms: Int64, kind: Int32, arg: Int64) {
        engine.kernel.schedule(after: max(0, ms), target: index, kind: kind, arg: arg)
    }

    func transcript(agent: String, method: String, path: String, status: Int, summary: String) {
        let event = TranscriptEvent(atMs: engine.kernel.now, agent: agent, method: method, path: path, status: status, summary: summary)
        if engine.scenario.report.events { engine.writerLock.locked { engine.writer.record(event) } }
        switch engine.transcriptMode {
        case .full:
            engine.hooks.transcript?(event)
        case .summary:
            // One line per task outcome: created, completed, reviewed.
            let created = method == "POST" && status == 201 && path.hasPrefix("/api/tasks?")
            let outcome = summary.hasPrefix("completed:") || summary.hasPrefix("accepted:") || summary.hasPrefix("rejected:")
            if created || outcome { engine.hooks.transcript?(event) }
        case .silent:
            break
        }
    }

    func taskPosted(taskID: String, requester: String, truth: String) {
        engine.instrumentation.taskPosted(taskID: taskID, requester: requester, truth: truth)
    }

    func workerRegistered(workerID: String, agent: String) {
        engine.instrumentation.workerRegistered(workerID: workerID, agent: agent)
    }

    /// The reports score answers from the same ground truth the requester uses (recorded when the task was
    /// posted), so the requester's own scoring needs no second tally here.
    func answerScored(taskID: String, correct: Bool) {}
}

/// Counts the requests agents send (for the summary and the throughput figures).
struct CountingClient: MarketClient, @unchecked Sendable {
    unowned let engine: SimulationEngine
    func send(_ request: HTTPRequest) -> HTTPResponse {
        engine.requests += 1
        return engine.client.send(request)
    }
}

/// The report writer as the instrumentation's sink.
final class WriterSink: ReportSink {
    let writer: ReportWriter
    let lock: NSLockish
    init(writer: ReportWriter, lock: NSLockish) {
        self.writer = writer
        self.lock = lock
    }
    func record(_ t: TaskRecord) { lock.locked { writer.record(t) } }
    func record(_ p: PayoutRecord) { lock.locked { writer.record(p) } }
    func record(_ row: TimelineRow) { lock.locked { writer.record(row) } }
}
