/// The network's nodes and channels with their balances: plain values, mutated only under the network's lock.
/// Iteration is always in index order (nodes and channels in the order they were added), never over dictionaries.
struct NetworkGraph: Sendable {
    struct Node: Sendable {
        var name: String
        var role: NetworkNodeRole
        var online: Bool
        var forwards: Bool
        /// Indices of the node's channels, in opening order.
        var channels: [Int] = []
        /// Fees earned forwarding, msat.
        var feesEarned: Int64 = 0
    }

    struct Channel: Sendable {
        var scid: UInt64
        var node1: Int
        var node2: Int
        var capacity: Int64
        var balance1: Int64
        var balance2: Int64
        var policy1: ChannelPolicy
        var policy2: ChannelPolicy

        /// The other end of the channel from `node`.
        func peer(of node: Int) -> Int { node == node1 ? node2 : node1 }
        /// `node`'s outbound balance.
        func outbound(from node: Int) -> Int64 { node == node1 ? balance1 : balance2 }
        /// The policy `node` applies forwarding over this channel.
        func policy(from node: Int) -> ChannelPolicy { node == node1 ? policy1 : policy2 }

        /// Moves `amount` from `from`'s side to the other side; the capacity is unchanged.
        mutating func push(_ amount: Int64, from: Int) {
            if from == node1 { balance1 -= amount; balance2 += amount } else { balance2 -= amount; balance1 += amount }
        }
    }

    /// A channel in one direction (the direction a payer learns to avoid after a failure there).
    struct Direction: Hashable, Sendable {
        var channel: Int
        var from: Int
    }

    var nodes: [Node] = []
    var channels: [Channel] = []
    var index: [String: Int] = [:]
    var scids: Set<UInt64> = []

    @discardableResult
    mutating func addNode(_ name: String, role: NetworkNodeRole, online: Bool = true, forwards: Bool? = nil) -> Int {
        if let i = index[name] { return i }
        nodes.append(Node(name: name, role: role, online: online, forwards: forwards ?? role.forwardsByDefault))
        index[name] = nodes.count - 1
        return nodes.count - 1
    }

    mutating func addChannel(_ c: Channel) {
        channels.append(c)
        let i = channels.count - 1
        nodes[c.node1].channels.append(i)
        nodes[c.node2].channels.append(i)
        scids.insert(c.scid)
    }

    func localBalance(of node: Int) -> Int64 {
        nodes[node].channels.reduce(0) { $0 + channels[$1].outbound(from: node) }
    }

    func inbound(of node: Int) -> Int64 {
        nodes[node].channels.reduce(0) { $0 + channels[$1].outbound(from: channels[$1].peer(of: node)) }
    }
}

/// A route found by the search: per hop the channel, the sender, the receiver, the HTLC amount and expiry, and
/// the fee the sender keeps.
struct FoundRoute: Sendable {
    struct Hop: Sendable {
        var channel: Int
        var from: Int
        var to: Int
        var amount: Int64
        var cltvExpiry: Int64
        var fee: Int64
    }
    var hops: [Hop]
    var amount: Int64
    var totalFee: Int64 { (hops.first?.amount ?? amount) - amount }
}

/// The route search: Dijkstra from the payee back to the payer, as LND, CLN and LDK do, because the amount each
/// hop must carry (payment + downstream fees) is known only walking backwards. Cost = total fee; ties broken by
/// total CLTV, then hop count, then node order, so the result is deterministic.
struct RouteSearch {
    struct Constraints {
        var amount: Int64
        var maxFee: Int64
        var finalCLTV: Int64
        var maxCLTV: Int64
        var blockHeight: Int64
        var knowledge: RoutingKnowledge
        var excludedDirections: Set<NetworkGraph.Direction> = []
        var excludedNodes: Set<Int> = []
    }

    private struct Label: Comparable {
        var fee: Int64
        var cltv: Int64
        var hops: Int32
        var node: Int32
        static func < (a: Label, b: Label) -> Bool {
            (a.fee, a.cltv, a.hops, a.node) < (b.fee, b.cltv, b.hops, b.node)
        }
    }

    /// The cheapest route, or nil when none satisfies the constraints.
    static func find(in graph: NetworkGraph, from payer: Int, to payee: Int, _ k: Constraints) -> FoundRoute? {
        let n = graph.nodes.count
        guard payer != payee, payer < n, payee < n, k.amount > 0 else { return nil }
        var fee = [Int64](repeating: .max, count: n)
        var cltv = [Int64](repeating: .max, count: n)
        var hopCount = [Int32](repeating: .max, count: n)
        var next = [Int](repeating: -1, count: n) // channel toward the payee
        var done = [Bool](repeating: false, count: n)
        var heap = BinaryHeap<Label>()
        fee[payee] = 0
        cltv[payee] = 0
        hopCount[payee] = 0
        heap.push(Label(fee: 0, cltv: 0, hops: 0, node: Int32(payee)))
        while let top = heap.pop() {
            let v = Int(top.node)
            if done[v] { continue }
            done[v] = true
            if v == payer { break }
            let carried = k.amount + fee[v] // the HTLC amount that must arrive at v
            for c in graph.nodes[v].channels {
                let ch = graph.channels[c]
                let u = ch.peer(of: v)
                if done[u] || k.excludedNodes.contains(u) { continue }
                if u != payer && !graph.nodes[u].forwards { continue }
                if !k.excludedDirections.isEmpty && k.excludedDirections.contains(NetworkGraph.Direction(channel: c, from: u)) { continue }
                let policy = ch.policy(from: u)
                if carried < policy.htlcMinimumMsat || carried > policy.htlcMaximum(capacity: ch.capacity) { continue }
                let knowsBalance = u == payer || k.knowledge == .balances
                if carried > (knowsBalance ? ch.outbound(from: u) : ch.capacity) { continue }
                let newFee: Int64, newCLTV: Int64
                if u == payer {
                    newFee = fee[v]
                    newCLTV = cltv[v]
                } else {
                    let f = ChannelPolicy.fee(base: policy.baseFeeMsat, ppm: policy.feeRatePPM, amount: carried)
                    let (sum, overflow) = fee[v].addingReportingOverflow(f)
                    if overflow { continue }
                    newFee = sum
                    newCLTV = cltv[v] + policy.cltvExpiryDelta
                }
                if newFee > k.maxFee || k.finalCLTV + newCLTV > k.maxCLTV { continue }
                let label = Label(fee: newFee, cltv: newCLTV, hops: hopCount[v] + 1, node: Int32(u))
                let current = Label(fee: fee[u], cltv: cltv[u], hops: hopCount[u], node: Int32(u))
                if label < current {
                    fee[u] = newFee
                    cltv[u] = newCLTV
                    hopCount[u] = label.hops
                    next[u] = c
                    heap.push(label)
                }
            }
        }
        guard done[payer], next[payer] >= 0 else { return nil }
        var hops: [FoundRoute.Hop] = []
        var at = payer
        while at != payee {
            let c = next[at]
            guard c >= 0, hops.count <= n else { return nil }
            let to = graph.channels[c].peer(of: at)
            hops.append(FoundRoute.Hop(channel: c, from: at, to: to, amount: k.amount + fee[to],
                                       cltvExpiry: k.blockHeight + k.finalCLTV + cltv[to],
                                       fee: at == payer ? 0 : fee[at] - fee[to]))
            at = to
        }
        return FoundRoute(hops: hops, amount: k.amount)
    }
}

/// A binary min-heap.
struct BinaryHeap<Element: Comparable> {
    private var items: [Element] = []

    var isEmpty: Bool { items.isEmpty }

    mutating func push(_ e: Element) {
        items.append(e)
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            if items[i] < items[parent] { items.swapAt(i, parent); i = parent } else { break }
        }
    }

    mutating func pop() -> Element? {
        guard let first = items.first else { return nil }
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var smallest = i
                if l < items.count && items[l] < items[smallest] { smallest = l }
                if r < items.count && items[r] < items[smallest] { smallest = r }
                if smallest == i { break }
                items.swapAt(i, smallest)
                i = smallest
            }
        }
        return first
    }
}
