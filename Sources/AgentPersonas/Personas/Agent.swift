import HTTPKit
import JSON

/// What an agent can do besides calling the market: read the virtual time, wake itself later, and report.
public protocol AgentContext: AnyObject {
    /// Virtual milliseconds since the scenario's start.
    var nowMs: Int64 { get }
    /// The market, through its API contract only.
    var client: any MarketClient { get }
    /// Wakes this agent `ms` from now with an action code and a payload.
    func wake(after ms: Int64, kind: Int32, arg: Int64)
    /// Whether transcript lines are wanted (summaries are built only then).
    var wantsTranscript: Bool { get }
    /// One request of the agent-to-agent transcript.
    func transcript(agent: String, method: String, path: String, status: Int, summary: String)
    /// A requester posted a task whose right answer is `truth`.
    func taskPosted(taskID: String, requester: String, truth: String)
    /// A resolver registered as `workerID`.
    func workerRegistered(workerID: String, agent: String)
    /// A requester used the answer of one of its tasks (scored against ground truth).
    func answerScored(taskID: String, correct: Bool)
}

/// A scripted participant of the market, driven by the simulator's events.
public protocol Agent: AnyObject {
    var name: String { get }
    /// Called once at the start: register, open a wallet, schedule the first wake.
    func start(_ ctx: any AgentContext)
    /// Called when a wake scheduled through the context fires.
    func wake(kind: Int32, arg: Int64, _ ctx: any AgentContext)
}

extension AgentContext {
    /// Calls the market and records the exchange in the transcript.
    func call(_ agent: String, _ method: String, _ target: String, body: JSONValue? = nil,
              headers: [(name: String, value: String)] = [], summary: (APIResult) -> String) -> APIResult {
        let r = client.call(method, target, body: body, headers: headers)
        if wantsTranscript {
            transcript(agent: agent, method: method, path: target, status: r.status, summary: summary(r))
        }
        return r
    }
}

/// Short forms for transcript lines.
enum Brief {
    static func id(_ s: String?) -> String { s ?? "?" }

    static func invoice(_ s: String?) -> String {
        guard let s else { return "?" }
        return s.count > 24 ? String(s.prefix(18)) + "…" + String(s.suffix(4)) : s
    }

    static func error(_ r: APIResult) -> String {
        "\(r.errorCode ?? "error"): \(r.json["error"]?["message"]?.stringValue ?? "")"
    }

    static func sats(_ v: JSONValue?) -> String {
        if let i = v?.intValue { return "\(i)" }
        if let d = v?.doubleValue { return "\(d)" }
        return "?"
    }

    static func confidence(_ c: Double) -> String {
        let hundredths = Int((c * 100).rounded())
        return "0." + (hundredths < 10 ? "0" : "") + "\(min(99, max(0, hundredths)))"
    }
}
