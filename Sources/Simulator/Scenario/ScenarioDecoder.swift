import JSON
import Lightning
import Market

/// The schema of `docs/scenarios.md`: turns a parsed document into a `Scenario`, recording every problem.
///
/// Groups, fixtures and questions are read one by one; the cross-field rules (unique names, redirects, question
/// coverage, strict mode) then run over whatever parts were readable, so one bad field does not hide others.
final class ScenarioDecoder {
    let reader = ScenarioReader()

    /// Largest amount a scenario may name, in sats: 21 million BTC (so msat still fits Int64).
    static let maxSats: Int64 = 2_100_000_000_000_000
    /// Longest duration given in milliseconds (`timeout_ms`, `latency_ms`), matching `ScenarioReader.maxSeconds`.
    static let maxMilliseconds: Int64 = 1_000_000_000_000
    /// Most agents in one group.
    static let maxCount: Int64 = 10_000
    /// Longest scenario or agent name.
    static let maxNameLength = 64

    static let rootKeys = ["name", "description", "seed", "start_time", "duration_seconds", "drain_seconds", "market",
                           "lightning", "requesters", "resolvers", "web", "questions", "report", "sweep"]
    static let marketKeys = ["mode", "worker_share", "bonus_multiplier", "bonus_threshold", "reputation",
                             "claim_lease_seconds", "task_ttl_seconds", "auto_release_delay_seconds",
                             "review_window_seconds", "payout_max_attempts", "payout_retry_base_seconds"]
    static let reputationKeys = ["completed", "abandoned", "rejected", "floor", "trusted_from", "expert_above"]
    static let lightningKeys = ["platform_liquidity_sats", "requester_balance_sats", "network"]
    static let networkKeys = ["topology", "seed", "hubs", "spokes_per_hub", "nodes", "edges_per_node", "lsps",
                              "platform_capacity_sats", "platform_share", "channel_capacity_sats", "fee_ppm", "base_fee_msat",
                              "random_failure_rate", "worker_inbound_sats", "requester_inbound_sats", "starved_workers",
                              "routing_knowledge", "channels", "node_roles"]
    static let channelKeys = ["node_1", "node_2", "capacity_sats", "node_1_balance_sats", "node_1_base_fee_msat",
                              "node_1_fee_ppm", "node_2_base_fee_msat", "node_2_fee_ppm", "cltv_delta"]
    static let requesterKeys = ["name", "persona", "count", "arrival", "budget_sats", "trust_mode", "worker_type",
                                "poll_seconds", "pay_real_l402", "review_reject_below"]
    static let resolverKeys = ["name", "persona", "count", "type", "accuracy", "poll_seconds", "work_seconds",
                               "budget_floor_sats", "task_types", "abandon_rate", "proof_rate", "confidence_bias"]
    static let arrivalVariants: [(String, [String])] = [("poisson", ["rate_per_hour"]), ("fixed", ["at_seconds"]),
                                                         ("burst", ["every_seconds", "size", "jitter_seconds"])]
    static let budgetVariants: [(String, [String])] = [("fixed", ["value"]), ("uniform", ["min", "max"]),
                                                        ("lognormal", ["median", "sigma", "min", "max"]),
                                                        ("choice", ["values", "weights"])]
    static let webKeys = ["mode", "timeout_ms", "fixtures"]
    static let fixtureKeys = ["url", "status", "latency_ms", "flaky_rate", "redirect_to"]
    static let questionKeys = ["id", "question", "answer", "choices", "difficulty", "task_type"]
    static let questionTaskTypes: [TaskType] = [.answer, .judge, .unblock, .delegate]
    static let reportKeys = ["timeline_bucket_seconds", "transcript", "html", "events"]

    // What the cross-field rules need, gathered while reading.
    private var agentNames: [(name: String, path: JSONPath)] = []
    private var requesterPersonas: [(path: JSONPath, persona: RequesterPersona)] = []
    private var demoTokenUsers: [JSONPath] = []
    private var fixtures: [(path: JSONPath, url: String?, redirectTo: String?)] = []
    /// Every fixture's `url` string, valid or not, so a redirect to a malformed URL is not reported twice.
    private var writtenURLs: Set<String> = []
    private var questionIDs: [(id: String, path: JSONPath)] = []
    private var questionTypes: Set<TaskType> = []
    /// Nil when the value in the file is unreadable, so rules that depend on it stay quiet.
    private var marketMode: MarketMode? = .demo
    private var webMode: WebMode? = .simulated
    private var fixturesReadable = true
    private var questionsReadable = true

    /// The scenario, or nil when anything was recorded in `reader.problems`.
    func scenario(_ root: JSONValue) -> Scenario? {
        guard let f = reader.object(root, at: .root, keys: Self.rootKeys) else { return nil }
        let name = reader.field(f, "name", required: true) { self.name($0, $1, pattern: .scenario) }
        let description = reader.field(f, "description", reader.string) ?? ""
        let seed = reader.field(f, "seed", required: true) { self.reader.integer($0, $1, .between(0, .max)) }
        let startTime = reader.field(f, "start_time", self.startTime) ?? Scenario.defaultStartTime
        let duration = reader.field(f, "duration_seconds", required: true) { self.reader.seconds($0, $1) }
        let drain = reader.field(f, "drain_seconds") { self.reader.seconds($0, $1, allowZero: true) } ?? 0
        let market = reader.field(f, "market", self.market)
        let lightning = reader.field(f, "lightning", self.lightning) ?? LightningSettings()
        let requesters = reader.field(f, "requesters", required: true) { self.groups($0, $1, self.requester) }
        let resolvers = reader.field(f, "resolvers", required: true) { self.groups($0, $1, self.resolver) }
        let web = reader.field(f, "web", self.web)
        let questions = reader.field(f, "questions") { self.elements($0, $1, self.question) }
        if reader.has(f, "questions") && questions == nil { questionsReadable = false }
        let report = reader.field(f, "report", self.report) ?? ReportSettings()
        let sweep = reader.field(f, "sweep", self.sweep)

        checkAgentNames()
        if marketMode == .strict {
            for path in demoTokenUsers { reader.report(path, "must be true when market.mode is \"strict\"") }
        }
        checkFixtures()
        checkQuestionIDs()
        checkCoverage()

        guard reader.problems.isEmpty, let name, let seed, let duration, let requesters, let resolvers else { return nil }
        return Scenario(name: name, description: description, seed: UInt64(seed), startTime: startTime,
                        durationMs: duration, drainMs: drain, market: market ?? MarketSettings(), lightning: lightning,
                        requesters: requesters.compactMap { $0 }, resolvers: resolvers.compactMap { $0 },
                        web: web ?? WebSettings(), questions: (questions ?? []).compactMap { $0 }, report: report,
                        sweep: sweep)
    }

    // MARK: Top-level pieces

    private enum NamePattern {
        case scenario, agent
    }

    /// A scenario name (`[a-z0-9_-]+`) or agent name (`[A-Za-z0-9_-]+`), at most 64 characters.
    private func name(_ value: JSONValue, _ path: JSONPath, pattern: NamePattern) -> String? {
        guard let text = reader.string(value, path) else { return nil }
        let valid = !text.isEmpty && text.utf8.allSatisfy { byte in
            (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) || byte == 0x5F || byte == 0x2D
                || (pattern == .agent && byte >= 0x41 && byte <= 0x5A)
        }
        guard valid else {
            let rule = pattern == .scenario ? "[a-z0-9_-]+" : "[A-Za-z0-9_-]+"
            reader.report(path, "must match \(rule), got \(ScenarioReader.quoted(text))")
            return nil
        }
        guard text.utf8.count <= Self.maxNameLength else {
            reader.report(path, "must be at most \(Self.maxNameLength) characters, got \(text.utf8.count)")
            return nil
        }
        return text
    }

    private func startTime(_ value: JSONValue, _ path: JSONPath) -> Instant? {
        guard let text = reader.string(value, path) else { return nil }
        switch RFC3339.parse(text) {
        case .success(let instant):
            return instant
        case .failure(let error):
            let base = "must be an RFC 3339 UTC time like \"2026-01-01T00:00:00Z\", got \(ScenarioReader.quoted(text))"
            switch error {
            case .syntax: reader.report(path, base)
            case .notUTC: reader.report(path, "\(base) (the offset must be Z)")
            case .field(let detail): reader.report(path, "\(base) (\(detail))")
            }
            return nil
        }
    }

    private func market(_ value: JSONValue, _ path: JSONPath) -> MarketSettings? {
        guard let f = reader.object(value, at: path, keys: Self.marketKeys) else { return nil }
        let mark = reader.problems.count
        let defaults = MarketSettings()
        var settings = defaults
        let mode = reader.field(f, "mode") { self.reader.choice($0, $1, MarketMode.self) }
        marketMode = mode ?? (reader.has(f, "mode") ? nil : defaults.mode)
        settings.mode = mode ?? defaults.mode
        if let share = reader.field(f, "worker_share", { self.reader.number($0, $1, .between(0, 1)) }) {
            settings.workerSharePPM = Int64((share * 1_000_000).rounded())
        }
        if let multiplier = reader.field(f, "bonus_multiplier", { self.reader.number($0, $1, .between(1, 10)) }) {
            settings.bonusMultiplierPPM = Int64((multiplier * 1_000_000).rounded())
        }
        settings.bonusThreshold = reader.field(f, "bonus_threshold") { self.reader.integer($0, $1, .atLeast(0, cap: .max)) }
            ?? defaults.bonusThreshold
        settings.reputation = reader.field(f, "reputation", reputation) ?? defaults.reputation
        settings.claimLeaseMs = reader.field(f, "claim_lease_seconds") { self.reader.seconds($0, $1) } ?? defaults.claimLeaseMs
        settings.taskTTLMs = reader.field(f, "task_ttl_seconds") { self.reader.seconds($0, $1) } ?? defaults.taskTTLMs
        settings.autoReleaseDelayMs = reader.field(f, "auto_release_delay_seconds") {
            self.reader.seconds($0, $1, allowZero: true)
        } ?? defaults.autoReleaseDelayMs
        settings.reviewWindowMs = reader.field(f, "review_window_seconds") { self.reader.seconds($0, $1) }
            ?? defaults.reviewWindowMs
        settings.payoutMaxAttempts = reader.field(f, "payout_max_attempts") {
            self.reader.integer($0, $1, .between(1, 100))
        } ?? defaults.payoutMaxAttempts
        settings.payoutRetryBaseMs = reader.field(f, "payout_retry_base_seconds") { self.reader.seconds($0, $1) }
            ?? defaults.payoutRetryBaseMs
        return reader.problems.count == mark ? settings : nil
    }

    private func reputation(_ value: JSONValue, _ path: JSONPath) -> ReputationRules? {
        guard let f = reader.object(value, at: path, keys: Self.reputationKeys) else { return nil }
        let mark = reader.problems.count
        let limit: Int64 = 1_000_000
        let d = ReputationRules.default
        let completed = reader.field(f, "completed") { self.reader.integer($0, $1, .atLeast(0, cap: limit)) } ?? d.completedDelta
        let abandoned = reader.field(f, "abandoned") { self.reader.integer($0, $1, .atMost(0, cap: -limit)) } ?? d.abandonedDelta
        let rejected = reader.field(f, "rejected") { self.reader.integer($0, $1, .atMost(0, cap: -limit)) } ?? d.rejectedDelta
        let floor = reader.field(f, "floor") { self.reader.integer($0, $1, .atMost(0, cap: -limit)) }
        let trustedFrom = reader.field(f, "trusted_from") { self.reader.integer($0, $1, .caps(-limit, limit)) }
        let expertAbove = reader.field(f, "expert_above") { self.reader.integer($0, $1, .caps(-limit, limit)) }
        // Tiers need floor <= trusted_from <= expert_above; blame the bound the file wrote, not the default.
        let floorValue = floor ?? (reader.has(f, "floor") ? nil : d.floor)
        let trusted = trustedFrom ?? (reader.has(f, "trusted_from") ? nil : d.trustedFrom)
        let expert = expertAbove ?? (reader.has(f, "expert_above") ? nil : d.expertAbove)
        if let floorValue, let trusted, trusted < floorValue {
            if reader.has(f, "trusted_from") {
                reader.report(path.appending("trusted_from"), "must be at least floor (\(floorValue)), got \(trusted)")
            } else {
                reader.report(path.appending("floor"), "must be at most trusted_from (\(trusted)), got \(floorValue)")
            }
        }
        if let trusted, let expert, expert < trusted {
            if reader.has(f, "expert_above") {
                reader.report(path.appending("expert_above"), "must be at least trusted_from (\(trusted)), got \(expert)")
            } else {
                reader.report(path.appending("trusted_from"), "must be at most expert_above (\(expert)), got \(trusted)")
            }
        }
        guard reader.problems.count == mark else { return nil }
        return ReputationRules(completedDelta: completed, abandonedDelta: abandoned, rejectedDelta: rejected,
                               floor: floor ?? d.floor, trustedFrom: trustedFrom ?? d.trustedFrom,
                               expertAbove: expertAbove ?? d.expertAbove)
    }

    private func lightning(_ value: JSONValue, _ path: JSONPath) -> LightningSettings? {
        guard let f = reader.object(value, at: path, keys: Self.lightningKeys) else { return nil }
        let d = LightningSettings()
        let sats: (JSONValue, JSONPath) -> Int64? = { self.reader.integer($0, $1, .atLeast(0, cap: Self.maxSats)) }
        return LightningSettings(platformLiquiditySats: reader.field(f, "platform_liquidity_sats", sats) ?? d.platformLiquiditySats,
                                 requesterBalanceSats: reader.field(f, "requester_balance_sats", sats) ?? d.requesterBalanceSats,
                                 network: reader.field(f, "network", self.network))
    }

    private func network(_ value: JSONValue, _ path: JSONPath) -> NetworkSettings? {
        guard let f = reader.object(value, at: path, keys: Self.networkKeys) else { return nil }
        let d = NetworkSettings()
        let sats: (JSONValue, JSONPath) -> Int64? = { self.reader.integer($0, $1, .atLeast(0, cap: Self.maxSats)) }
        let small: (JSONValue, JSONPath) -> Int? = { self.reader.integer($0, $1, .between(1, 10_000)).map { Int($0) } }
        let topology = reader.field(f, "topology") { self.reader.choice($0, $1, NetworkTopology.self) } ?? d.topology
        var settings = NetworkSettings(
            topology: topology,
            seed: reader.field(f, "seed") { self.reader.integer($0, $1, .between(0, Int64.max)) }.map { UInt64($0) },
            hubs: reader.field(f, "hubs", small) ?? d.hubs,
            spokesPerHub: reader.field(f, "spokes_per_hub") { self.reader.integer($0, $1, .between(0, 10_000)).map { Int($0) } } ?? d.spokesPerHub,
            nodes: reader.field(f, "nodes", small) ?? d.nodes,
            edgesPerNode: reader.field(f, "edges_per_node", small) ?? d.edgesPerNode,
            lsps: reader.field(f, "lsps", small) ?? d.lsps,
            platformCapacitySats: reader.field(f, "platform_capacity_sats", sats) ?? d.platformCapacitySats,
            platformShare: reader.field(f, "platform_share") { self.reader.number($0, $1, .between(0, 1)) } ?? d.platformShare,
            channelCapacitySats: reader.field(f, "channel_capacity_sats", sats) ?? d.channelCapacitySats,
            feePPM: reader.field(f, "fee_ppm") { self.reader.integer($0, $1, .between(0, 1_000_000)) } ?? d.feePPM,
            baseFeeMsat: reader.field(f, "base_fee_msat") { self.reader.integer($0, $1, .between(0, 100_000_000)) } ?? d.baseFeeMsat,
            randomFailureRate: reader.field(f, "random_failure_rate") { self.reader.number($0, $1, .between(0, 1)) } ?? d.randomFailureRate,
            workerInboundSats: reader.field(f, "worker_inbound_sats", sats) ?? d.workerInboundSats,
            requesterInboundSats: reader.field(f, "requester_inbound_sats", sats) ?? d.requesterInboundSats,
            starvedWorkers: reader.field(f, "starved_workers") { v, p in
                self.elements(v, p) { self.reader.string($0, $1) }?.compactMap { $0 }
            } ?? d.starvedWorkers,
            routingKnowledge: reader.field(f, "routing_knowledge") { self.reader.choice($0, $1, RoutingKnowledge.self) } ?? d.routingKnowledge,
            channels: reader.field(f, "channels") { v, p in self.elements(v, p, self.channel)?.compactMap { $0 } } ?? [],
            nodeRoles: reader.field(f, "node_roles") { v, p -> [String: NetworkNodeRole]? in
                guard let o = v.objectValue else { self.reader.report(p, "must be an object of node name to role, got \(v.typeName)"); return nil }
                var roles: [String: NetworkNodeRole] = [:]
                for (k, role) in o { if let r = self.reader.choice(role, p.appending(k), NetworkNodeRole.self) { roles[k] = r } }
                return roles
            } ?? [:])
        if topology == .channels && settings.channels.isEmpty {
            reader.report(path.appending("channels"), "must list the channels when topology is \"channels\"")
        }
        if topology != .channels && !settings.channels.isEmpty {
            reader.report(path.appending("channels"), "is only read when topology is \"channels\", not \"\(topology.rawValue)\"")
            settings.channels = []
        }
        return settings
    }

    private func channel(_ value: JSONValue, _ path: JSONPath) -> ChannelSpec? {
        guard let f = reader.object(value, at: path, keys: Self.channelKeys) else { return nil }
        let sats: (JSONValue, JSONPath) -> Int64? = { self.reader.integer($0, $1, .atLeast(0, cap: Self.maxSats)) }
        let fee: (JSONValue, JSONPath) -> Int64? = { self.reader.integer($0, $1, .between(0, 1_000_000)) }
        guard let n1 = reader.field(f, "node_1", required: true, reader.string), let n2 = reader.field(f, "node_2", required: true, reader.string),
              let capacity = reader.field(f, "capacity_sats", required: true, sats) else { return nil }
        let balance = reader.field(f, "node_1_balance_sats", sats)
        if let balance, balance > capacity {
            reader.report(path.appending("node_1_balance_sats"), "must be at most capacity_sats (\(capacity)), got \(balance)")
        }
        if n1 == n2 { reader.report(path.appending("node_2"), "must differ from node_1, got \"\(n2)\"") }
        return ChannelSpec(node1: n1, node2: n2, capacitySats: capacity, node1BalanceSats: balance,
                           node1BaseFeeMsat: reader.field(f, "node_1_base_fee_msat", fee) ?? 0, node1FeePPM: reader.field(f, "node_1_fee_ppm", fee) ?? 0,
                           node2BaseFeeMsat: reader.field(f, "node_2_base_fee_msat", fee) ?? 0, node2FeePPM: reader.field(f, "node_2_fee_ppm", fee) ?? 0,
                           cltvDelta: reader.field(f, "cltv_delta") { self.reader.integer($0, $1, .between(1, 2016)) } ?? 40)
    }

    /// A non-empty array of groups; each element nil when unreadable.
    private func groups<T>(_ value: JSONValue, _ path: JSONPath, _ parse: (JSONValue, JSONPath) -> T?) -> [T?]? {
        guard let elements = reader.array(value, path, nonEmpty: true) else { return nil }
        return elements.enumerated().map { parse($0.element, path.appending($0.offset)) }
    }

    /// An array whose elements are read one by one; each element nil when unreadable.
    private func elements<T>(_ value: JSONValue, _ path: JSONPath, _ parse: (JSONValue, JSONPath) -> T?) -> [T?]? {
        guard let elements = reader.array(value, path) else { return nil }
        return elements.enumerated().map { parse($0.element, path.appending($0.offset)) }
    }

    // MARK: Agents

    private func count(_ value: JSONValue, _ path: JSONPath) -> Int? {
        reader.integer(value, path, .atLeast(1, cap: Self.maxCount)).map { Int($0) }
    }

    private func requester(_ value: JSONValue, _ path: JSONPath) -> RequesterGroup? {
        guard let f = reader.object(value, at: path, keys: Self.requesterKeys) else { return nil }
        let mark = reader.problems.count
        let name = reader.field(f, "name", required: true) { self.name($0, $1, pattern: .agent) }
        if let name { agentNames.append((name, path.appending("name"))) }
        let persona = reader.field(f, "persona", required: true) { self.reader.choice($0, $1, RequesterPersona.self) }
        if let persona { requesterPersonas.append((path, persona)) }
        let count = reader.field(f, "count", self.count) ?? 1
        let arrival = reader.field(f, "arrival", self.arrival)
        let budget = reader.field(f, "budget_sats", self.budget)
        let trustMode = reader.field(f, "trust_mode") { self.reader.choice($0, $1, TrustMode.self) }
        let workerType = reader.field(f, "worker_type") { self.reader.choice($0, $1, WorkerRequirement.self) }
        let poll = reader.field(f, "poll_seconds") { self.reader.seconds($0, $1) } ?? 30_000
        let payReal = reader.field(f, "pay_real_l402", reader.bool) ?? true
        if !payReal { demoTokenUsers.append(path.appending("pay_real_l402")) }
        let rejectBelow = reader.field(f, "review_reject_below") { self.reader.number($0, $1, .between(0, 1)) } ?? 0
        guard reader.problems.count == mark, let name, let persona else { return nil }
        return RequesterGroup(name: name, persona: persona, count: count, arrival: arrival, budget: budget,
                              trustMode: trustMode, workerType: workerType, pollMs: poll, payRealL402: payReal,
                              reviewRejectBelow: rejectBelow)
    }

    private func resolver(_ value: JSONValue, _ path: JSONPath) -> ResolverGroup? {
        guard let f = reader.object(value, at: path, keys: Self.resolverKeys) else { return nil }
        let mark = reader.problems.count
        let unit: (JSONValue, JSONPath) -> Double? = { self.reader.number($0, $1, .between(0, 1)) }
        let name = reader.field(f, "name", required: true) { self.name($0, $1, pattern: .agent) }
        if let name { agentNames.append((name, path.appending("name"))) }
        let persona = reader.field(f, "persona", required: true) { self.reader.choice($0, $1, ResolverPersona.self) }
        let count = reader.field(f, "count", self.count) ?? 1
        let type = reader.field(f, "type") { self.reader.choice($0, $1, WorkerKind.self) }
        let accuracy = reader.field(f, "accuracy", unit)
        let poll = reader.field(f, "poll_seconds") { self.reader.seconds($0, $1) } ?? 20_000
        let work = reader.field(f, "work_seconds", self.workSeconds)
        let floor = reader.field(f, "budget_floor_sats") { self.reader.integer($0, $1, .atLeast(0, cap: Self.maxSats)) }
        let taskTypes = reader.field(f, "task_types", self.taskTypes)
        let abandonRate = reader.field(f, "abandon_rate", unit)
        let proofRate = reader.field(f, "proof_rate", unit)
        let bias = reader.field(f, "confidence_bias") { self.reader.number($0, $1, .between(-1, 1)) }
        guard reader.problems.count == mark, let name, let persona else { return nil }
        return ResolverGroup(name: name, persona: persona, count: count, type: type, accuracy: accuracy, pollMs: poll,
                             workMs: work, budgetFloorSats: floor, taskTypes: taskTypes, abandonRate: abandonRate,
                             proofRate: proofRate, confidenceBias: bias)
    }

    private func workSeconds(_ value: JSONValue, _ path: JSONPath) -> ClosedRange<Int64>? {
        guard let f = reader.object(value, at: path, keys: ["min", "max"]) else { return nil }
        let low = reader.field(f, "min", required: true) { self.reader.seconds($0, $1, allowZero: true) }
        let high = reader.field(f, "max", required: true) { self.reader.seconds($0, $1, allowZero: true) }
        guard let low, let high else { return nil }
        guard low <= high else {
            reader.report(path.appending("max"), "must be at least min (\(Self.seconds(low))), got \(Self.seconds(high))")
            return nil
        }
        return low...high
    }

    private func taskTypes(_ value: JSONValue, _ path: JSONPath) -> [TaskType]? {
        guard let types = reader.list(value, path, nonEmpty: true, { self.reader.choice($0, $1, TaskType.self) }) else {
            return nil
        }
        var seen: Set<TaskType> = []
        var unique = true
        for (index, type) in types.enumerated() where !seen.insert(type).inserted {
            reader.report(path.appending(index), "duplicate task type \(ScenarioReader.quoted(type.rawValue))")
            unique = false
        }
        return unique ? types : nil
    }

    /// Seconds for a message, from ms: `1.5`, `60`.
    private static func seconds(_ ms: Int64) -> String {
        ms % 1000 == 0 ? String(ms / 1000) : ScenarioReader.format(Double(ms) / 1000)
    }

    // MARK: Distributions

    /// An object whose `discriminator` selects which other keys it may have; nil unless the discriminator is valid.
    private func variant(_ value: JSONValue, _ path: JSONPath, discriminator: String,
                         _ variants: [(String, [String])]) -> (kind: String, fields: ScenarioReader.Fields)? {
        guard case .object(let members) = value else {
            reader.report(path, "must be an object, got \(ScenarioReader.article(value))")
            return nil
        }
        var everyKey = [discriminator]
        for (_, keys) in variants { everyKey += keys.filter { !everyKey.contains($0) } }
        guard let kindValue = members[discriminator] else {
            reader.report(path.appending(discriminator), "required field is missing")
            _ = reader.object(value, at: path, keys: everyKey)
            return nil
        }
        let kinds = variants.map(\.0)
        guard case .string(let kind) = kindValue, let keys = variants.first(where: { $0.0 == kind })?.1 else {
            if case .string(let text) = kindValue {
                reader.report(path.appending(discriminator),
                              "must be one of \(kinds.joined(separator: ", ")); got \(ScenarioReader.quoted(text))")
            } else {
                reader.report(path.appending(discriminator), "must be a string, got \(ScenarioReader.article(kindValue))")
            }
            _ = reader.object(value, at: path, keys: everyKey)
            return nil
        }
        var elsewhere: [String: String] = [:]
        for key in everyKey where !keys.contains(key) && key != discriminator {
            elsewhere[key] = "for \(discriminator) \(ScenarioReader.quoted(kind))"
        }
        guard let fields = reader.object(value, at: path, keys: [discriminator] + keys, elsewhere: elsewhere) else {
            return nil
        }
        return (kind, fields)
    }

    private func arrival(_ value: JSONValue, _ path: JSONPath) -> ArrivalProcess? {
        guard let (kind, f) = variant(value, path, discriminator: "process", Self.arrivalVariants) else { return nil }
        let mark = reader.problems.count
        let result: ArrivalProcess?
        switch kind {
        case "poisson":
            result = reader.field(f, "rate_per_hour", required: true) {
                self.reader.number($0, $1, .greaterThan(0, cap: 1_000_000))
            }.map { .poisson(ratePerHour: $0) }
        case "fixed":
            result = reader.field(f, "at_seconds", required: true) {
                self.reader.list($0, $1, nonEmpty: true) { self.reader.seconds($0, $1, allowZero: true) }
            }.map { .fixed(atMs: $0) }
        default:
            let every = reader.field(f, "every_seconds", required: true) { self.reader.seconds($0, $1) }
            let size = reader.field(f, "size", required: true, self.count)
            let jitter = reader.field(f, "jitter_seconds") { self.reader.seconds($0, $1, allowZero: true) } ?? 0
            if let every, let size { result = .burst(everyMs: every, size: size, jitterMs: jitter) } else { result = nil }
        }
        return reader.problems.count == mark ? result : nil
    }

    private func budget(_ value: JSONValue, _ path: JSONPath) -> BudgetDistribution? {
        guard let (kind, f) = variant(value, path, discriminator: "distribution", Self.budgetVariants) else { return nil }
        let mark = reader.problems.count
        let sats: (JSONValue, JSONPath) -> Int64? = { self.reader.integer($0, $1, .atLeast(1, cap: Self.maxSats)) }
        let result: BudgetDistribution?
        switch kind {
        case "fixed":
            result = reader.field(f, "value", required: true, sats).map { .fixed(sats: $0) }
        case "uniform":
            let low = reader.field(f, "min", required: true, sats)
            let high = reader.field(f, "max", required: true, sats)
            result = ordered(low, high, path).map { .uniform(min: $0.0, max: $0.1) }
        case "lognormal":
            let median = reader.field(f, "median", required: true) {
                self.reader.number($0, $1, .greaterThan(0, cap: Double(Self.maxSats)))
            }
            let sigma = reader.field(f, "sigma", required: true) { self.reader.number($0, $1, .between(0, 10)) }
            let low = reader.field(f, "min", sats) ?? (reader.has(f, "min") ? nil : 1)
            let high = reader.field(f, "max", sats) ?? (reader.has(f, "max") ? nil : Self.maxSats)
            if let median, let sigma, let range = ordered(low, high, path) {
                result = .lognormal(median: median, sigma: sigma, min: range.0, max: range.1)
            } else {
                result = nil
            }
        default:
            let values = reader.field(f, "values", required: true) { self.reader.list($0, $1, nonEmpty: true, sats) }
            let weights = reader.field(f, "weights") {
                self.reader.list($0, $1) { self.reader.number($0, $1, .atLeast(0, cap: 1_000_000_000)) }
            }
            if let values, let weights {
                let weightsPath = path.appending("weights")
                if weights.count != values.count {
                    reader.report(weightsPath, "must have one weight per value (\(values.count)), got \(weights.count)")
                    result = nil
                } else if weights.allSatisfy({ $0 == 0 }) {
                    reader.report(weightsPath, "must not all be zero")
                    result = nil
                } else {
                    result = .choice(values: values, weights: weights)
                }
            } else if let values, !reader.has(f, "weights") {
                result = .choice(values: values, weights: Array(repeating: 1, count: values.count))
            } else {
                result = nil
            }
        }
        return reader.problems.count == mark ? result : nil
    }

    /// `(min, max)` when both are present and in order; reports `max` below `min`.
    private func ordered(_ low: Int64?, _ high: Int64?, _ path: JSONPath) -> (Int64, Int64)? {
        guard let low, let high else { return nil }
        guard low <= high else {
            reader.report(path.appending("max"), "must be at least min (\(low)), got \(high)")
            return nil
        }
        return (low, high)
    }

    // MARK: Web

    private func web(_ value: JSONValue, _ path: JSONPath) -> WebSettings? {
        guard let f = reader.object(value, at: path, keys: Self.webKeys) else {
            webMode = nil
            return nil
        }
        let mark = reader.problems.count
        let mode = reader.field(f, "mode") { self.reader.choice($0, $1, WebMode.self) }
        webMode = mode ?? (reader.has(f, "mode") ? nil : .simulated)
        let timeout = reader.field(f, "timeout_ms") {
            self.reader.integer($0, $1, .greaterThan(0, cap: Self.maxMilliseconds))
        } ?? 2000
        let fixtures = reader.field(f, "fixtures") { self.elements($0, $1, self.fixture) }
        if reader.has(f, "fixtures") && fixtures == nil { fixturesReadable = false }
        guard reader.problems.count == mark else { return nil }
        return WebSettings(mode: mode ?? .simulated, timeoutMs: timeout, fixtures: (fixtures ?? []).compactMap { $0 })
    }

    private func url(_ value: JSONValue, _ path: JSONPath) -> String? {
        guard let text = reader.string(value, path) else { return nil }
        let rest: Substring
        if text.hasPrefix("http://") { rest = text.dropFirst(7) }
        else if text.hasPrefix("https://") { rest = text.dropFirst(8) }
        else { rest = "" }
        let host = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard !host.isEmpty, text.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F }) else {
            reader.report(path, "must be an http:// or https:// URL, got \(ScenarioReader.quoted(text))")
            return nil
        }
        return text
    }

    /// `redirect_to`: `.some(nil)` for null, `.some(url)` for a URL, nil when invalid.
    private func redirect(_ value: JSONValue, _ path: JSONPath) -> String?? {
        switch value {
        case .null:
            return .some(nil)
        case .string:
            guard let target = url(value, path) else { return nil }
            return .some(target)
        default:
            reader.report(path, "must be a string or null, got \(ScenarioReader.article(value))")
            return nil
        }
    }

    private func fixture(_ value: JSONValue, _ path: JSONPath) -> WebFixtureSpec? {
        guard let f = reader.object(value, at: path, keys: Self.fixtureKeys) else { return nil }
        let mark = reader.problems.count
        if case .string(let written)? = f.members["url"] { writtenURLs.insert(written) }
        let url = reader.field(f, "url", required: true, self.url)
        let redirectTo = reader.field(f, "redirect_to", self.redirect) ?? nil
        fixtures.append((path, url, redirectTo))
        let status = reader.field(f, "status") { self.reader.integer($0, $1, .between(100, 599)) }
        if let status, redirectTo != nil, !(300...399).contains(status) {
            reader.report(path.appending("status"), "must be between 300 and 399 when redirect_to is set, got \(status)")
        }
        let latency = reader.field(f, "latency_ms") { self.reader.integer($0, $1, .atLeast(0, cap: Self.maxMilliseconds)) }
        let flaky = reader.field(f, "flaky_rate") { self.reader.number($0, $1, .between(0, 1)) }
        guard reader.problems.count == mark, let url else { return nil }
        return WebFixtureSpec(url: url, status: Int(status ?? (redirectTo == nil ? 200 : 302)), latencyMs: latency ?? 100,
                              flakyRate: flaky ?? 0, redirectTo: redirectTo)
    }

    // MARK: Questions and report

    private func question(_ value: JSONValue, _ path: JSONPath) -> Question? {
        guard let f = reader.object(value, at: path, keys: Self.questionKeys) else { return nil }
        let mark = reader.problems.count
        let id = reader.field(f, "id", required: true, reader.nonEmptyString)
        if let id { questionIDs.append((id, path.appending("id"))) }
        let text = reader.field(f, "question", required: true, reader.nonEmptyString)
        let answer = reader.field(f, "answer", required: true, reader.nonEmptyString)
        let choices = reader.field(f, "choices") { self.reader.list($0, $1, nonEmpty: true, self.reader.nonEmptyString) }
        let difficulty = reader.field(f, "difficulty") { self.reader.number($0, $1, .between(0, 1)) } ?? 0.5
        let taskType = reader.field(f, "task_type") {
            self.reader.choice($0, $1, TaskType.self, allowed: Self.questionTaskTypes)
        }
        if let taskType {
            questionTypes.insert(taskType)
        } else if reader.has(f, "task_type") {
            questionsReadable = false
        } else {
            questionTypes.insert(.answer)
        }
        if let choices {
            var seen: Set<String> = []
            for (index, choice) in choices.enumerated() where !seen.insert(choice).inserted {
                reader.report(path.appending("choices").appending(index), "duplicate choice \(ScenarioReader.quoted(choice))")
            }
            if let answer, !choices.contains(answer) {
                let list = choices.map(ScenarioReader.quoted).joined(separator: ", ")
                reader.report(path.appending("answer"), "must be one of the choices (\(list)), got \(ScenarioReader.quoted(answer))")
            }
        }
        guard reader.problems.count == mark, let id, let text, let answer else { return nil }
        return Question(id: id, question: text, answer: answer, choices: choices ?? [], difficulty: difficulty,
                        taskType: taskType ?? .answer)
    }

    private func report(_ value: JSONValue, _ path: JSONPath) -> ReportSettings? {
        guard let f = reader.object(value, at: path, keys: Self.reportKeys) else { return nil }
        let d = ReportSettings()
        return ReportSettings(
            timelineBucketMs: reader.field(f, "timeline_bucket_seconds") { self.reader.seconds($0, $1) } ?? d.timelineBucketMs,
            transcript: reader.field(f, "transcript") { self.reader.choice($0, $1, TranscriptMode.self) } ?? d.transcript,
            html: reader.field(f, "html", reader.bool) ?? d.html,
            events: reader.field(f, "events", reader.bool) ?? d.events)
    }

    // MARK: Cross-field rules

    private func checkAgentNames() {
        var first: [String: JSONPath] = [:]
        for (name, path) in agentNames {
            if let earlier = first[name] {
                reader.report(path, "duplicate agent name \(ScenarioReader.quoted(name)) (also at \(earlier))")
            } else {
                first[name] = path
            }
        }
    }

    private func checkQuestionIDs() {
        var first: [String: JSONPath] = [:]
        for (id, path) in questionIDs {
            if let earlier = first[id] {
                reader.report(path, "duplicate question id \(ScenarioReader.quoted(id)) (also at \(earlier))")
            } else {
                first[id] = path
            }
        }
    }

    private func checkFixtures() {
        var byURL: [String: Int] = [:]
        for (index, fixture) in fixtures.enumerated() {
            guard let url = fixture.url else { continue }
            if let earlier = byURL[url] {
                reader.report(fixture.path.appending("url"),
                              "duplicate fixture url \(ScenarioReader.quoted(url)) (also at \(fixtures[earlier].path.appending("url")))")
            } else {
                byURL[url] = index
            }
        }
        var reportedLoops: Set<Int> = []
        for fixture in fixtures {
            guard let target = fixture.redirectTo else { continue }
            let path = fixture.path.appending("redirect_to")
            guard byURL[target] != nil || writtenURLs.contains(target) else {
                reader.report(path, "\(ScenarioReader.quoted(target)) is not the url of any fixture")
                continue
            }
            guard let url = fixture.url, let start = byURL[url], byURL[target] != nil else { continue }
            // Follow the chain; a revisit of a fixture on it means a loop.
            var chain = [start]
            var position = start
            while let next = fixtures[position].redirectTo.flatMap({ byURL[$0] }) {
                if let loopStart = chain.firstIndex(of: next) {
                    let loop = Array(chain[loopStart...])
                    let key = loop.min() ?? next
                    if loop.contains(start), reportedLoops.insert(key).inserted {
                        let urls = (loop + [next]).compactMap { fixtures[$0].url }.map(ScenarioReader.quoted)
                        reader.report(fixtures[key].path.appending("redirect_to"),
                                      "redirect loop: \(urls.joined(separator: " -> "))")
                    }
                    break
                }
                chain.append(next)
                position = next
            }
        }
    }

    /// Verify tasks need fixtures to draw URLs from; question-backed tasks need questions of their type.
    private func checkCoverage() {
        var fixtureRuleDone = false
        var typesDone: Set<TaskType> = []
        for (path, persona) in requesterPersonas {
            for type in persona.defaults.taskTypes {
                if type == .verify {
                    guard !fixtureRuleDone, fixturesReadable, let webMode, webMode != .live, fixtures.isEmpty else { continue }
                    fixtureRuleDone = true
                    reader.report(JSONPath.root.appending("web").appending("fixtures"),
                                  "must not be empty in \(webMode.rawValue) mode: \(path) (\(persona.rawValue)) posts verify tasks")
                } else {
                    guard questionsReadable, !questionTypes.contains(type), typesDone.insert(type).inserted else { continue }
                    reader.report(JSONPath.root.appending("questions"),
                                  "must contain a question with task_type \(ScenarioReader.quoted(type.rawValue)): \(path) (\(persona.rawValue)) posts \(type.rawValue) tasks")
                }
            }
        }
    }
}
