// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "ProofLayerSim",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "simrun", targets: ["simrun"]),
    ],
    targets: [
        // C system libraries, installed from Debian packages by scripts/setup.sh.
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite"),
        .systemLibrary(name: "COpenSSL", path: "Sources/COpenSSL"),
        .systemLibrary(name: "CSecp256k1", path: "Sources/CSecp256k1"),
        .systemLibrary(name: "CMicroHTTPD", path: "Sources/CMicroHTTPD"),

        // Deterministic JSON values: parse with precise errors, print with sorted keys.
        .target(name: "JSON"),
        // HTTP messages, the libmicrohttpd server bridge and a small client.
        .target(name: "HTTPKit", dependencies: ["CMicroHTTPD", "JSON"]),
        // Money, BOLT11, macaroons, L402 and the (simulated) Lightning node.
        .target(name: "Lightning", dependencies: ["COpenSSL", "CSecp256k1"]),
        // Domain, payout math, state machine, SQLite store and the API router.
        .target(name: "Market", dependencies: ["Lightning", "JSON", "HTTPKit", "CSQLite"]),
        // Scripted requester and resolver agents, talking only through MarketClient.
        .target(name: "AgentPersonas", dependencies: ["Market", "HTTPKit", "JSON", "Lightning"]),
        // Discrete-event engine, scenarios and reports.
        .target(name: "Simulator", dependencies: ["AgentPersonas", "Market", "Lightning", "JSON"]),
        .executableTarget(name: "simrun", dependencies: ["Simulator", "Market", "HTTPKit", "Lightning", "JSON"]),
        // The benchmark command (bench/run.sh): kernel and full-contract throughput, peak memory.
        .executableTarget(name: "simbench", dependencies: ["Simulator"], path: "bench/simbench"),

        .testTarget(name: "JSONTests", dependencies: ["JSON"]),
        .testTarget(name: "LightningTests", dependencies: ["Lightning"]),
        .testTarget(name: "HTTPKitTests", dependencies: ["HTTPKit", "JSON"]),
        .testTarget(name: "MarketTests", dependencies: ["Market", "Lightning", "JSON", "HTTPKit"]),
        .testTarget(name: "AgentPersonasTests", dependencies: ["AgentPersonas", "HTTPKit", "Lightning", "Market", "JSON"]),
        .testTarget(name: "SimulatorTests", dependencies: ["Simulator", "AgentPersonas", "Lightning", "Market", "JSON", "HTTPKit"],
                    resources: [.copy("Golden")]),
    ]
)
