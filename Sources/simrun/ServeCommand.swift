import Dispatch
import Foundation
import HTTPKit
import Lightning
import Market

/// `simrun serve`: the market over real HTTP on libmicrohttpd, until Ctrl-C or SIGTERM.
enum ServeCommand {
    static let usage = "USAGE: simrun serve [<scenario.json> [--pace X]] [--host 127.0.0.1] [--port 8402] [--db PATH] [--mode demo|strict] [--threads N]"
    static let help = """
        OVERVIEW: Serve the ProofLayer market API (SPEC section 6) over HTTP, with the live dashboard and API
        console at / and the OpenAPI description at /api/openapi.json.

        \(usage)

        ARGUMENTS:
          <scenario.json>        Also run this scenario's agents on the served market, paced in real time, so the
                                 dashboard shows the agent-to-agent demo live while people use the console.
                                 The market runs on the scenario's virtual clock; after the scenario ends it keeps
                                 serving, with time going on at real speed, until Ctrl-C.

        OPTIONS:
          --host ADDRESS         Numeric address to listen on (default 127.0.0.1).
          --port N               TCP port, 0 for any free port (default 8402).
          --db PATH              SQLite file holding the market (default prooflayer.sqlite; :memory: keeps nothing).
          --mode demo|strict     demo accepts the seed's sim token and pays from a shared demo wallet;
                                 strict accepts only real L402 credentials (default demo).
          --threads N            Request threads (default 4).
          --max-body-bytes N     Largest request body accepted (default 1048576).
          --timeout SECONDS      Idle connection timeout (default 30).
          --max-connections N    Concurrent connection limit (default 512).
          --pace X               With a scenario: X times real time (default 60, one virtual minute per second).
          --seed N               With a scenario: replace its seed.
          --out DIR              With a scenario: where its reports go (default reports/<scenario name>).
          --transcript MODE      With a scenario: full, summary (default) or none, printed as the agents trade.
          -h, --help             Show this help.

        Stops cleanly on Ctrl-C or SIGTERM: in-flight requests finish, committed data stays in the database.
        """

    /// Installs the Ctrl-C/SIGTERM handling and starts serving `handler`; nil (after saying why) when it cannot listen.
    static func startServer(_ handler: any HTTPHandler, _ config: HTTPServer.Configuration) -> (HTTPServer, UInt16)? {
        let server = HTTPServer(configuration: config, handler: handler)
        ShutdownSignal.install()
        do {
            return (server, try server.start())
        } catch {
            Console.err("Error: cannot listen on \(config.host):\(config.port): \(error)")
            return nil
        }
    }

    static func run(_ args: [String]) throws -> Int32 {
        let a = try Arguments(args, options: ["host", "port", "db", "mode", "threads", "max-body-bytes", "timeout", "max-connections",
                                              "pace", "seed", "out", "transcript"],
                              flags: ["help"])
        if a.flag("help") { print(help); return 0 }
        guard a.positionals.count <= 1 else { throw UsageError("unexpected argument '\(a.positionals[1])' (serve takes at most one scenario file)") }
        var serverConfig = HTTPServer.Configuration()
        serverConfig.host = a.string("host") ?? "127.0.0.1"
        serverConfig.port = UInt16(try a.integer("port", range: 0...65535) ?? 8402)
        serverConfig.threads = Int(try a.integer("threads", range: 1...64) ?? 4)
        serverConfig.maxBodyBytes = Int(try a.integer("max-body-bytes", range: 1024...(64 << 20)) ?? (1 << 20))
        serverConfig.connectionTimeoutSeconds = Int(try a.integer("timeout", range: 1...3600) ?? 30)
        serverConfig.maxConnections = Int(try a.integer("max-connections", range: 1...100_000) ?? 512)
        if let scenarioPath = a.positionals.first {
            return try ServeScenario.run(path: scenarioPath, arguments: a, server: serverConfig)
        }
        for option in ["pace", "seed", "out", "transcript"] where a.string(option) != nil {
            throw UsageError("--\(option) needs a scenario file (simrun serve scenarios/demo.json --\(option) ...)")
        }
        let mode = try a.choice("mode", MarketMode.self) ?? .demo
        let dbPath = a.string("db") ?? "prooflayer.sqlite"
        guard !dbPath.isEmpty else { throw UsageError("--db: must not be empty") }

        let store: MarketStore
        do {
            store = try MarketStore(path: dbPath, durability: .normal)
        } catch {
            Console.err("Error: cannot open the market database '\(dbPath)': \(error)")
            return 1
        }
        let clock = SystemClock()
        let random = SystemRandom()
        let nodeSecretHex = try store.secret("platform_node_secret") { random.hexID(32) }
        let node = try InProcessNode(clock: clock, random: random, platformSecret: Hex.decode(nodeSecretHex))
        let service = try MarketService(configuration: MarketConfiguration(mode: mode), store: store, node: node, clock: clock, random: random)
        let router = try MarketRouter(service: service, maxBodyBytes: serverConfig.maxBodyBytes)
        guard let (server, port) = startServer(router, serverConfig) else { return 1 }
        // Due work (auto-release after submit, lease and task expiry, payout retries) runs in the background too,
        // not only when the next request arrives.
        let ticker = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "prooflayer.due"))
        ticker.schedule(deadline: .now() + 0.25, repeating: 0.25)
        ticker.setEventHandler {
            try? service.processDue()
            router.sampleHistory()
        }
        ticker.resume()

        let host = serverConfig.host.contains(":") ? "[\(serverConfig.host)]" : serverConfig.host
        Console.out("ProofLayer market listening on http://\(host):\(port) (mode \(mode.rawValue), database \(dbPath))")
        Console.out("Dashboard and API console: http://\(host):\(port)/  (OpenAPI: http://\(host):\(port)/api/openapi.json)")
        Console.out("Try: curl -s -X POST http://\(host):\(port)/api/workers -H 'Content-Type: application/json' -d '{\"display_name\":\"Alice Tester\",\"lightning_address\":\"alice@getalby.com\",\"type\":\"human\"}'")
        Console.out("Press Ctrl-C to stop.")
        let signal = ShutdownSignal.wait()
        Console.out("Received signal \(signal); stopping (finishing in-flight requests)...")
        ticker.cancel()
        server.stop()
        store.checkpoint()
        Console.out("Stopped. The market's data is in \(dbPath).")
        return 0
    }
}
