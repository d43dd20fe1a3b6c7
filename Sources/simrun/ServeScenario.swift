import Dispatch
import Foundation
import HTTPKit
import Lightning
import Market
import Simulator

/// `simrun serve FILE --pace X`: the scenario's own market (the engine's router, on its virtual clock) served over
/// HTTP while the engine runs the agents paced in real time on a thread of its own; people's requests go straight
/// to the thread-safe router beside them. After the scenario ends, time goes on at real speed until Ctrl-C.
enum ServeScenario {
    static func run(path: String, arguments a: Arguments, server serverConfig: HTTPServer.Configuration) throws -> Int32 {
        if a.string("mode") != nil { throw UsageError("--mode: a served scenario uses its own market mode (market.mode in the file)") }
        let scenario: Scenario
        do {
            scenario = try ScenarioLoader.load(path: path)
        } catch {
            Console.err("Error: the scenario is invalid:\n\(error)")
            return 64
        }
        let pace = try a.decimal("pace", range: 0.001...1e9) ?? 60
        var options = RunOptions()
        options.recordMarketEvents = true
        if let s = try a.integer("seed", range: 0...Int64.max) { options.seed = UInt64(s) }
        options.outputDirectory = a.string("out")
        if let db = a.string("db") {
            guard !db.isEmpty else { throw UsageError("--db: must not be empty") }
            options.databasePath = db
        }
        options.transcript = try a.choice("transcript", TranscriptMode.self) ?? .summary

        let engine: SimulationEngine
        do {
            engine = try SimulationEngine(scenario: scenario, options: options)
        } catch {
            Console.err("Error: could not set up the run: \(error)")
            return 1
        }
        let router = engine.router
        let clock = engine.clock
        let service = engine.service
        guard let (server, port) = ServeCommand.startServer(router, serverConfig) else { return 1 }
        let host = serverConfig.host.contains(":") ? "[\(serverConfig.host)]" : serverConfig.host
        Console.out("ProofLayer market for scenario \(scenario.name) listening on http://\(host):\(port) (mode \(scenario.market.mode.rawValue))")
        Console.out("Dashboard and API console: http://\(host):\(port)/  (OpenAPI: http://\(host):\(port)/api/openapi.json)")
        Console.out("\(engine.agentCount) agents trade for \(Format.duration(scenario.durationMs)) of virtual time at \(pace)x real time; Ctrl-C stops.")

        let transcriptMode = options.transcript
        let state = ServeState()
        let finished = DispatchSemaphore(value: 0)
        let box = EngineBox(engine)
        let thread = Thread {
            let engine = box.engine
            var hooks = RunHooks()
            if transcriptMode != .silent {
                hooks.transcript = { e in
                    if e.summary == "0 open tasks" { return }
                    Console.out(Format.transcriptLine(e))
                }
            }
            let start = DispatchTime.now().uptimeNanoseconds
            hooks.beforeEvent = { t in
                // Sleep in short slices so that Ctrl-C ends the run promptly.
                let target = start &+ UInt64(max(0, Double(t) / pace * 1_000_000))
                while !state.stopping {
                    let now = DispatchTime.now().uptimeNanoseconds
                    guard target > now else { break }
                    usleep(useconds_t(min(Double(target - now) / 1000, 100_000)))
                }
                if state.stopping { engine.stop() }
            }
            do {
                let result = try engine.run(hooks: hooks)
                for line in Format.summary(result) { Console.out(line) }
                if !state.stopping {
                    Console.out("The scenario has ended; still serving the market at http://\(host):\(port)/ (time now runs at real speed). Ctrl-C stops.")
                }
            } catch {
                Console.err("Error: the run failed: \(error)")
            }
            state.markFinished()
            finished.signal()
        }
        thread.stackSize = 16 << 20
        thread.start()

        // History snapshots for the charts; after the scenario, virtual time follows the wall clock so that due
        // work (auto-release after a person's submit, leases, expiries) still happens.
        let ticker = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "prooflayer.serve-scenario"))
        let last = LastTick()
        ticker.schedule(deadline: .now() + 0.25, repeating: 0.25)
        ticker.setEventHandler {
            let wall = DispatchTime.now().uptimeNanoseconds
            let elapsedMs = last.swap(wall)
            if state.finished {
                clock.advance(milliseconds: elapsedMs)
                try? service.processDue()
            }
            router.sampleHistory()
        }
        ticker.resume()

        let signal = ShutdownSignal.wait()
        Console.out("Received signal \(signal); stopping...")
        state.stop()
        if finished.wait(timeout: .now() + 30) == .timedOut {
            Console.err("The engine did not stop within 30 s; exiting without its reports.")
        }
        ticker.cancel()
        server.stop()
        service.store.checkpoint()
        Console.out("Stopped.")
        return 0
    }
}

/// The engine, handed to its own thread (which alone drives it).
private final class EngineBox: @unchecked Sendable {
    let engine: SimulationEngine
    init(_ engine: SimulationEngine) { self.engine = engine }
}

/// Flags shared by the main thread, the engine thread and the ticker.
private final class ServeState: @unchecked Sendable {
    private let lock = NSLock()
    private var stopRequested = false
    private var engineFinished = false

    var stopping: Bool { lock.withLock { stopRequested } }
    var finished: Bool { lock.withLock { engineFinished } }
    func stop() { lock.withLock { stopRequested = true } }
    func markFinished() { lock.withLock { engineFinished = true } }
}

/// The wall-clock time of the previous tick.
private final class LastTick: @unchecked Sendable {
    private let lock = NSLock()
    private var last = DispatchTime.now().uptimeNanoseconds

    /// Stores `now` and returns the milliseconds since the previous call.
    func swap(_ now: UInt64) -> Int64 {
        lock.withLock {
            let elapsed = now > last ? Int64((now - last) / 1_000_000) : 0
            // Keep the sub-millisecond remainder so that time does not drift slow.
            last = last &+ UInt64(elapsed) * 1_000_000
            return elapsed
        }
    }
}
