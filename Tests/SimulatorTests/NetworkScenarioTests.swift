import Foundation
import Testing
@testable import Simulator

@Suite struct NetworkScenarioTests {
    static var repositoryRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }

    /// The shipped scenario whose network starves one worker's inbound liquidity: its payouts fail, are retried
    /// with backoff, and end up owed; everybody else's payouts are routed and cost the platform fees.
    @Test func starvedInboundLiquidityShowsFailedThenRetriedPayoutsInTheReport() throws {
        let scenario = try ScenarioLoader.load(path: Self.repositoryRoot + "/scenarios/lightning-network.json")
        let run = try runEngine(scenario, label: "lightning-network")
        let s = run.summary
        #expect(s.ledgerBalanced)
        #expect(s.payoutRetries > 0)
        #expect(s.payoutsFailed > 0)
        #expect(s.routingFeeMsat > 0)
        #expect(s.owedPayoutsMsat > 0)
        let payouts = run.rows("payouts.csv")
        let starved = payouts.filter { $0["worker"] == "alice-1" }
        #expect(!starved.isEmpty)
        #expect(starved.allSatisfy { $0["status"] == "failed" && $0["attempts"] == "5" })
        #expect(payouts.filter { $0["worker"] != "alice-1" }.contains { $0["status"] == "settled" && ($0["routing_fee_msat"].flatMap { Int64($0) } ?? 0) > 0 })
        let timeline = run.rows("timeline.csv")
        #expect(timeline.contains { ($0["payout_retries"].flatMap { Int64($0) } ?? 0) > 0 })
        #expect(timeline.allSatisfy { !($0["platform_outbound_msat"] ?? "").isEmpty })
    }

    @Test func networkBlockProblemsNameTheirPath() throws {
        let text = mixedScenarioText().replacingOccurrences(of: "\"lightning\": {", with: """
            "lightning": { "network": { "topology": "channels", "hubs": 0, "random_failure_rate": 2 },
            """)
        #expect(text.contains("\"network\""))
        do {
            _ = try inlineScenario(text)
            Issue.record("the invalid network block was accepted")
        } catch let error as ScenarioError {
            let paths = error.problems.map(\.path)
            #expect(paths.contains("lightning.network.channels"))
            #expect(paths.contains("lightning.network.hubs"))
            #expect(paths.contains("lightning.network.random_failure_rate"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }
}
