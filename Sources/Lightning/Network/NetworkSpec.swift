/// What a node in the simulated network is for.
public enum NetworkNodeRole: String, Sendable, CaseIterable, Hashable {
    /// The market's own node: receives task payments, sends payouts. Does not forward by default.
    case platform
    /// A requester agent's wallet (a private node that never forwards).
    case requester
    /// A worker's wallet (a private node that never forwards).
    case worker
    /// A public routing node.
    case router
    /// A Lightning service provider: a routing node that also opens channels to new wallets.
    case lsp

    /// True for roles whose nodes forward other people's payments.
    public var forwardsByDefault: Bool { self == .router || self == .lsp }
}

/// Whether the payer's route search sees the real balance of every channel or, as on the real network,
/// only its own balances and the announced capacities of everyone else's channels.
public enum RoutingKnowledge: String, Sendable, Hashable, CaseIterable {
    /// Own channels by balance, remote channels by capacity; liquidity failures are discovered by trying.
    case capacities
    /// Every channel by its true outbound balance (an oracle; liquidity failures then never happen).
    case balances
}

/// What the in-simulation LNURL service does with a Lightning address nobody registered.
public enum LightningAddressPolicy: Sendable, Hashable {
    /// Unknown addresses are refused (`unknown_address`), as a real LNURL server answers 404.
    case registeredOnly
    /// The first lookup of an unknown address creates an empty wallet with `inbound` msat of LSP liquidity
    /// on its channel and registers the address to it (convenient, and what the minimal node does).
    case autoCreateWallet(inbound: MilliSats)
}

/// How new wallets (`createWallet`) join the network: one channel to an LSP.
public struct WalletChannelDefaults: Sendable, Hashable {
    /// Liquidity the LSP puts on its side of a new wallet's channel, so the wallet can receive.
    public var inbound: MilliSats
    /// The LSP's policy toward the wallet (the fee a payer pays the LSP to reach the wallet).
    public var lspPolicy: ChannelPolicy
    /// The wallet's policy toward the LSP (never used for forwarding, since wallets do not forward).
    public var walletPolicy: ChannelPolicy

    /// Defaults: 1 000 000 sat inbound, the LSP charges 100 msat + 1000 ppm toward the wallet.
    public init(inbound: MilliSats = MilliSats(1_000_000_000),
                lspPolicy: ChannelPolicy = ChannelPolicy(baseFeeMsat: 100, feeRatePPM: 1_000, cltvExpiryDelta: 40),
                walletPolicy: ChannelPolicy = .free) {
        self.inbound = inbound
        self.lspPolicy = lspPolicy
        self.walletPolicy = walletPolicy
    }
}

/// A description of the simulated network, in the spirit of SimLN's `sim_network`: an explicit list of channels
/// between named nodes (with capacity, balances and one policy per direction), plus the nodes' roles and the
/// network's behaviour (random failure rate, retries, route knowledge, Lightning address policy).
/// Generated topologies (`hubAndSpoke`, `scaleFree`) produce the same value.
public struct NetworkSpec: Sendable, Hashable {
    /// A named node. Nodes named only in channels are routers.
    public struct Node: Sendable, Hashable {
        /// The node's unique name (SimLN's `alias`).
        public var name: String
        /// What the node is for.
        public var role: NetworkNodeRole
        /// An offline node cannot send, receive or forward.
        public var online: Bool
        /// Whether the node forwards others' payments; nil takes the role's default.
        public var forwards: Bool?

        /// A node from its parts.
        public init(name: String, role: NetworkNodeRole, online: Bool = true, forwards: Bool? = nil) {
            self.name = name
            self.role = role
            self.online = online
            self.forwards = forwards
        }
    }

    /// A channel between two named nodes (SimLN's `node_1` / `node_2`).
    public struct Channel: Sendable, Hashable {
        /// The short channel id; nil assigns one (block 100000 + index, tx 1, output 0).
        public var shortChannelID: UInt64?
        /// The first end's node name.
        public var node1: String
        /// The second end's node name.
        public var node2: String
        /// The channel's capacity (`capacity_msat`).
        public var capacity: MilliSats
        /// `node1`'s side of the capacity; nil splits the capacity in half as SimLN does (node1 gets the odd msat).
        public var node1Balance: MilliSats?
        /// The policy `node1` applies when forwarding toward `node2`.
        public var node1Policy: ChannelPolicy
        /// The policy `node2` applies when forwarding toward `node1`.
        public var node2Policy: ChannelPolicy

        /// A channel from its parts.
        public init(shortChannelID: UInt64? = nil, node1: String, node2: String, capacity: MilliSats,
                    node1Balance: MilliSats? = nil, node1Policy: ChannelPolicy = ChannelPolicy(),
                    node2Policy: ChannelPolicy = ChannelPolicy()) {
            self.shortChannelID = shortChannelID
            self.node1 = node1
            self.node2 = node2
            self.capacity = capacity
            self.node1Balance = node1Balance
            self.node1Policy = node1Policy
            self.node2Policy = node2Policy
        }
    }

    /// The name of the platform's node (added as a node if no entry names it).
    public var platform: String
    /// Nodes with their roles; any name used in `channels` and not listed here is a router.
    public var nodes: [Node]
    /// The channels, in the order they are opened.
    public var channels: [Channel]
    /// How wallets created at run time connect.
    public var wallets: WalletChannelDefaults
    /// Probability (0...1) that one payment attempt fails at a random hop for reasons outside the model.
    public var randomFailureRate: Double
    /// How many routes a payer tries for one payment before giving up (real payers retry a few times).
    public var maxPaymentAttempts: Int
    /// The largest total CLTV delta a route may add (LND's default limit is 2016 blocks).
    public var maxCLTVExpiryDelta: Int64
    /// The block height at the start; HTLC expiries are computed from it.
    public var blockHeight: Int64
    /// What route search knows about balances.
    public var routingKnowledge: RoutingKnowledge
    /// What happens to Lightning addresses nobody registered.
    public var addressPolicy: LightningAddressPolicy

    /// A spec from its parts.
    public init(platform: String = "platform", nodes: [Node] = [], channels: [Channel] = [],
                wallets: WalletChannelDefaults = WalletChannelDefaults(), randomFailureRate: Double = 0,
                maxPaymentAttempts: Int = 5, maxCLTVExpiryDelta: Int64 = 2016, blockHeight: Int64 = 800_000,
                routingKnowledge: RoutingKnowledge = .capacities, addressPolicy: LightningAddressPolicy = .registeredOnly) {
        self.platform = platform
        self.nodes = nodes
        self.channels = channels
        self.wallets = wallets
        self.randomFailureRate = randomFailureRate
        self.maxPaymentAttempts = maxPaymentAttempts
        self.maxCLTVExpiryDelta = maxCLTVExpiryDelta
        self.blockHeight = blockHeight
        self.routingKnowledge = routingKnowledge
        self.addressPolicy = addressPolicy
    }

    /// The smallest useful network: the platform with one channel of `capacity` to one LSP (`lsp`), the platform
    /// holding `platformShare` of it; wallets join through that LSP.
    public static func singleLSP(capacity: MilliSats = MilliSats(10_000_000_000),
                                 platformBalance: MilliSats? = nil,
                                 lspPolicy: ChannelPolicy = ChannelPolicy(baseFeeMsat: 0, feeRatePPM: 0, cltvExpiryDelta: 40)) -> NetworkSpec {
        NetworkSpec(nodes: [Node(name: "platform", role: .platform), Node(name: "lsp", role: .lsp)],
                    channels: [Channel(node1: "platform", node2: "lsp", capacity: capacity, node1Balance: platformBalance,
                                       node1Policy: .free, node2Policy: lspPolicy)])
    }
}

/// Ranges the generated topologies draw channel parameters from (uniformly, with the topology's seed).
public struct TopologyParameters: Sendable, Hashable {
    /// Channel capacity in msat.
    public var capacityMsat: ClosedRange<Int64>
    /// The first node's share of a channel, in parts per million of its capacity.
    public var node1SharePPM: ClosedRange<Int64>
    /// Base fee per direction, msat.
    public var baseFeeMsat: ClosedRange<Int64>
    /// Proportional fee per direction, ppm.
    public var feeRatePPM: ClosedRange<Int64>
    /// CLTV delta per direction.
    public var cltvExpiryDelta: ClosedRange<Int64>
    /// HTLC minimum of every direction, msat.
    public var htlcMinimumMsat: Int64
    /// HTLC maximum of every direction, msat (nil: the capacity).
    public var htlcMaximumMsat: Int64?
    /// How many of the best-connected hubs the platform opens a channel to.
    public var platformChannels: Int
    /// Capacity of each platform channel, msat.
    public var platformCapacityMsat: Int64
    /// The platform's share of each of its channels, ppm (the rest is inbound, for receiving task payments).
    public var platformSharePPM: Int64

    /// Parameters from their parts; the defaults are modest public-network-like values.
    public init(capacityMsat: ClosedRange<Int64> = 1_000_000_000...10_000_000_000,
                node1SharePPM: ClosedRange<Int64> = 200_000...800_000,
                baseFeeMsat: ClosedRange<Int64> = 0...1_000, feeRatePPM: ClosedRange<Int64> = 1...1_000,
                cltvExpiryDelta: ClosedRange<Int64> = 18...144, htlcMinimumMsat: Int64 = 1, htlcMaximumMsat: Int64? = nil,
                platformChannels: Int = 2, platformCapacityMsat: Int64 = 50_000_000_000, platformSharePPM: Int64 = 500_000) {
        self.capacityMsat = capacityMsat
        self.node1SharePPM = node1SharePPM
        self.baseFeeMsat = baseFeeMsat
        self.feeRatePPM = feeRatePPM
        self.cltvExpiryDelta = cltvExpiryDelta
        self.htlcMinimumMsat = htlcMinimumMsat
        self.htlcMaximumMsat = htlcMaximumMsat
        self.platformChannels = platformChannels
        self.platformCapacityMsat = platformCapacityMsat
        self.platformSharePPM = platformSharePPM
    }

    fileprivate func channel(_ a: String, _ b: String, _ rng: inout SplitMix64) -> NetworkSpec.Channel {
        let capacity = rng.uniform(capacityMsat)
        let share = rng.uniform(node1SharePPM)
        let balance = Int64(Int128(capacity) * Int128(min(max(share, 0), 1_000_000)) / 1_000_000)
        return NetworkSpec.Channel(node1: a, node2: b, capacity: MilliSats(capacity), node1Balance: MilliSats(balance),
                                   node1Policy: policy(&rng), node2Policy: policy(&rng))
    }

    fileprivate func policy(_ rng: inout SplitMix64) -> ChannelPolicy {
        ChannelPolicy(baseFeeMsat: rng.uniform(baseFeeMsat), feeRatePPM: rng.uniform(feeRatePPM),
                      cltvExpiryDelta: rng.uniform(cltvExpiryDelta), htlcMinimumMsat: htlcMinimumMsat,
                      htlcMaximumMsat: htlcMaximumMsat)
    }

    fileprivate func platformChannel(_ platform: String, _ hub: String, _ rng: inout SplitMix64) -> NetworkSpec.Channel {
        let balance = Int64(Int128(platformCapacityMsat) * Int128(min(max(platformSharePPM, 0), 1_000_000)) / 1_000_000)
        return NetworkSpec.Channel(node1: platform, node2: hub, capacity: MilliSats(platformCapacityMsat),
                                   node1Balance: MilliSats(balance), node1Policy: .free, node2Policy: policy(&rng))
    }
}

extension NetworkSpec {
    /// Hubs (LSPs, `hub0`, `hub1`, …) joined in a full mesh, each with `spokesPerHub` routing nodes
    /// (`hub0-s0`, …) hanging off it; the platform opens channels to the first `platformChannels` hubs and wallets
    /// join the hubs in turn. Channel parameters are drawn from `parameters` with `seed`.
    public static func hubAndSpoke(hubs: Int, spokesPerHub: Int, seed: UInt64,
                                   parameters: TopologyParameters = TopologyParameters()) -> NetworkSpec {
        var rng = SplitMix64.stream(seed: seed, label: "hub-and-spoke")
        let hubCount = max(1, hubs)
        var spec = NetworkSpec()
        spec.nodes.append(Node(name: spec.platform, role: .platform))
        let hubNames = (0..<hubCount).map { "hub\($0)" }
        for h in hubNames { spec.nodes.append(Node(name: h, role: .lsp)) }
        for i in 0..<hubCount {
            for j in (i + 1)..<max(i + 1, hubCount) { spec.channels.append(parameters.channel(hubNames[i], hubNames[j], &rng)) }
        }
        for h in hubNames {
            for s in 0..<max(0, spokesPerHub) {
                let name = "\(h)-s\(s)"
                spec.nodes.append(Node(name: name, role: .router))
                spec.channels.append(parameters.channel(h, name, &rng))
            }
        }
        for h in hubNames.prefix(max(0, parameters.platformChannels)) {
            spec.channels.append(parameters.platformChannel(spec.platform, h, &rng))
        }
        return spec
    }

    /// A Barabási–Albert scale-free graph of `nodes` routing nodes (`n0`, `n1`, …): it starts from a full mesh of
    /// `edgesPerNode + 1` nodes and each later node opens `edgesPerNode` channels to distinct earlier nodes chosen
    /// with probability proportional to their degree. The `lsps` best-connected nodes become LSPs (wallets join
    /// them in turn) and the platform opens channels to the `platformChannels` best-connected ones.
    public static func scaleFree(nodes: Int, edgesPerNode: Int, seed: UInt64, lsps: Int = 3,
                                 parameters: TopologyParameters = TopologyParameters()) -> NetworkSpec {
        var rng = SplitMix64.stream(seed: seed, label: "scale-free")
        let m = max(1, edgesPerNode)
        let n = max(m + 1, nodes)
        let names = (0..<n).map { "n\($0)" }
        var edges: [(Int, Int)] = []
        var endpoints: [Int] = [] // every edge end once: sampling from it is degree-proportional
        var degree = [Int](repeating: 0, count: n)
        func connect(_ a: Int, _ b: Int) {
            edges.append((a, b))
            endpoints.append(a)
            endpoints.append(b)
            degree[a] += 1
            degree[b] += 1
        }
        for i in 0...m { for j in (i + 1)..<max(i + 1, m + 1) { connect(i, j) } }
        if m + 1 < n {
            for v in (m + 1)..<n {
                var chosen: [Int] = []
                var guardCount = 0
                while chosen.count < m && guardCount < 10_000 {
                    guardCount += 1
                    let t = endpoints[rng.index(endpoints.count)]
                    if !chosen.contains(t) { chosen.append(t) }
                }
                for t in chosen.sorted() { connect(t, v) }
            }
        }
        let byDegree = (0..<n).sorted { degree[$0] != degree[$1] ? degree[$0] > degree[$1] : $0 < $1 }
        let lspSet = Set(byDegree.prefix(max(0, lsps)))
        var spec = NetworkSpec()
        spec.nodes.append(Node(name: spec.platform, role: .platform))
        for i in 0..<n { spec.nodes.append(Node(name: names[i], role: lspSet.contains(i) ? .lsp : .router)) }
        for (a, b) in edges { spec.channels.append(parameters.channel(names[a], names[b], &rng)) }
        for i in byDegree.prefix(max(0, parameters.platformChannels)) {
            spec.channels.append(parameters.platformChannel(spec.platform, names[i], &rng))
        }
        return spec
    }
}

/// Why a network spec cannot be built, naming the offending entry.
public struct NetworkSpecError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Where the problem is, e.g. `channels[3]`.
    public var path: String
    /// What is wrong, in words a person can act on.
    public var reason: String
    /// An error from its parts.
    public init(path: String, reason: String) { self.path = path; self.reason = reason }
    public var description: String { "\(path): \(reason)" }
}
