import Testing
@testable import Lightning

/// Small hand-made graphs for the network tests.
enum TestGraphs {
    static let start = Instant(seconds: 1_796_000_000)

    static func policy(_ base: Int64, _ ppm: Int64, cltv: Int64 = 40, max: Int64? = nil) -> ChannelPolicy {
        ChannelPolicy(baseFeeMsat: base, feeRatePPM: ppm, cltvExpiryDelta: cltv, htlcMinimumMsat: 1, htlcMaximumMsat: max)
    }

    /// A channel where only `a` -> `b` matters (policy of `a`, all liquidity on `a`'s side unless told).
    static func channel(_ a: String, _ b: String, capacity: Int64 = 10_000_000, aBalance: Int64? = nil,
                        _ p: ChannelPolicy, back: ChannelPolicy = policy(0, 0)) -> NetworkSpec.Channel {
        NetworkSpec.Channel(node1: a, node2: b, capacity: MilliSats(capacity), node1Balance: MilliSats(aBalance ?? capacity),
                            node1Policy: p, node2Policy: back)
    }

    /// A -> B -> D: 2 hops, B charges 5000 msat. A -> C -> E -> D: 3 hops, C and E charge 100 msat each.
    static func diamond(cheapMax: Int64? = nil, eBalance: Int64? = nil) -> NetworkSpec {
        NetworkSpec(nodes: ["A", "B", "C", "D", "E"].map { NetworkSpec.Node(name: $0, role: .router) },
                    channels: [
                        channel("A", "B", policy(0, 0)),
                        channel("B", "D", policy(5_000, 0)),
                        channel("A", "C", policy(0, 0)),
                        channel("C", "E", policy(100, 0, max: cheapMax)),
                        channel("E", "D", aBalance: eBalance, policy(100, 0)),
                    ])
    }

    static func network(_ spec: NetworkSpec, seed: UInt64 = 1, clock: ManualClock = ManualClock(start)) throws -> SimulatedNetwork {
        try SimulatedNetwork(spec: spec, clock: clock, random: SeededRandom(seed: seed))
    }

    /// Every channel holds exactly its capacity, and all channels together hold everything ever minted.
    static func expectConserved(_ net: SimulatedNetwork, sourceLocation: SourceLocation = #_sourceLocation) {
        var total: Int64 = 0
        for c in net.channelSnapshots() {
            #expect(c.node1Balance.rawValue >= 0 && c.node2Balance.rawValue >= 0, "negative balance on \(c.shortChannelID)", sourceLocation: sourceLocation)
            #expect(c.node1Balance + c.node2Balance == c.capacity, "channel \(c.shortChannelID) lost money", sourceLocation: sourceLocation)
            total += c.capacity.rawValue
        }
        #expect(total == net.totalMinted.rawValue, sourceLocation: sourceLocation)
    }
}
