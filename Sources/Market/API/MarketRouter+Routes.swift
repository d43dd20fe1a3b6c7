/// One endpoint of the HTTP API: a method and a path template whose `{name}` segments are ids.
/// `MarketRouter.routes` is the router's dispatch table, so the OpenAPI document can be checked against it.
public struct APIRoute: Sendable, Hashable, CustomStringConvertible {
    /// What the router does for this route.
    public enum Endpoint: String, Sendable, Hashable {
        case dashboard, openAPI, health, market
        case registerWorker, workerProfile, payoutHistory, feed
        case createTask, taskStatus, claim, submit, release, reject
        case createWallet, walletBalance, pay
    }

    public let method: String
    /// The path as OpenAPI writes it, e.g. `/api/tasks/{task_id}/claim`.
    public let path: String
    public let endpoint: Endpoint

    public init(_ method: String, _ path: String, _ endpoint: Endpoint) {
        self.method = method
        self.path = path
        self.endpoint = endpoint
    }

    /// The template's segments; `nil` marks an id segment.
    var segments: [String?] {
        path.split(separator: "/", omittingEmptySubsequences: true).map { s in
            s.hasPrefix("{") && s.hasSuffix("}") ? nil : String(s)
        }
    }

    /// The id segments' values when `segments` (already percent-decoded) fit this template, else nil.
    func match(_ actual: [String]) -> [String]? {
        let template = segments
        guard template.count == actual.count else { return nil }
        var ids: [String] = []
        for (t, a) in zip(template, actual) {
            if let t {
                guard t == a else { return nil }
            } else {
                ids.append(a)
            }
        }
        return ids
    }

    public var description: String { "\(method) \(path)" }
}

extension MarketRouter {
    /// Every route the router answers, in match order: a literal segment (`/api/workers/feed`) is listed before
    /// the id template it would otherwise fit (`/api/workers/{worker_id}`).
    public static let routes: [APIRoute] = [
        APIRoute("GET", "/", .dashboard),
        APIRoute("GET", "/healthz", .health),
        APIRoute("GET", "/api/openapi.json", .openAPI),
        APIRoute("GET", "/api/market", .market),
        APIRoute("POST", "/api/workers", .registerWorker),
        APIRoute("GET", "/api/workers/feed", .feed),
        APIRoute("GET", "/api/workers/{worker_id}", .workerProfile),
        APIRoute("GET", "/api/workers/{worker_id}/payouts", .payoutHistory),
        APIRoute("POST", "/api/tasks", .createTask),
        APIRoute("GET", "/api/tasks/{task_id}", .taskStatus),
        APIRoute("POST", "/api/tasks/{task_id}/claim", .claim),
        APIRoute("POST", "/api/tasks/{task_id}/submit", .submit),
        APIRoute("POST", "/api/tasks/{task_id}/release", .release),
        APIRoute("POST", "/api/tasks/{task_id}/reject", .reject),
        APIRoute("POST", "/sim/lightning/wallets", .createWallet),
        APIRoute("GET", "/sim/lightning/wallets/{wallet_id}", .walletBalance),
        APIRoute("POST", "/sim/lightning/pay", .pay),
    ]
}
