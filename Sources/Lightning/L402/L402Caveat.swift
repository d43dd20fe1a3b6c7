/// An Aperture-style first-party caveat `condition=value`.
public struct L402Caveat: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// Aperture's services condition (`services=name:tier,...`).
    public static let servicesCondition = "services"
    /// Aperture's capabilities suffix (`<service>_capabilities=a,b`).
    public static let capabilitiesSuffix = "_capabilities"
    /// Aperture's expiry suffix (`<service>_valid_until=<unix seconds>`).
    public static let validUntilSuffix = "_valid_until"
    /// ProofLayer's spending-cap suffix, in Aperture's `<service>_<what>` style (`<service>_budget_sats=<sats>`).
    public static let budgetSatsSuffix = "_budget_sats"
    /// The service name the ProofLayer market mints L402s for.
    public static let prooflayerService = "prooflayer"

    /// The part before the first `=`.
    public var condition: String
    /// The part after the first `=` (may itself contain `=`).
    public var value: String

    /// A caveat from its two parts.
    public init(condition: String, value: String) {
        self.condition = condition
        self.value = value
    }

    /// Parses `condition=value`, splitting at the first `=` as Aperture does; the condition must be non-empty.
    public init(parsing text: String) throws(L402CaveatError) {
        guard let eq = text.firstIndex(of: "=") else { throw .notConditionValue(text) }
        let cond = String(text[text.startIndex..<eq])
        guard !cond.isEmpty else { throw .notConditionValue(text) }
        self.condition = cond
        self.value = String(text[text.index(after: eq)...])
    }

    /// The encoded caveat `condition=value`.
    public var description: String { "\(condition)=\(value)" }

    /// `services=name:tier,...` (Aperture's services caveat).
    public static func services(_ services: [L402Service]) -> L402Caveat {
        L402Caveat(condition: servicesCondition, value: services.map(\.description).joined(separator: ","))
    }

    /// `<service>_capabilities=a,b,...`.
    public static func capabilities(service: String, _ capabilities: [String]) -> L402Caveat {
        L402Caveat(condition: service + capabilitiesSuffix, value: capabilities.joined(separator: ","))
    }

    /// `<service>_valid_until=<unix seconds>`; valid while now < that time.
    public static func validUntil(service: String, unixTime: Int64) -> L402Caveat {
        L402Caveat(condition: service + validUntilSuffix, value: String(unixTime))
    }

    /// `<service>_budget_sats=<sats>`; the most the bearer may spend.
    public static func budgetSats(service: String, _ sats: Int64) -> L402Caveat {
        L402Caveat(condition: service + budgetSatsSuffix, value: String(sats))
    }
}

/// One entry of a services caveat: `name:tier`.
public struct L402Service: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The service name.
    public var name: String
    /// The service tier (Aperture's base tier is 0).
    public var tier: UInt8

    /// A service entry.
    public init(name: String, tier: UInt8 = 0) {
        self.name = name
        self.tier = tier
    }

    /// `name:tier`.
    public var description: String { "\(name):\(tier)" }

    /// Parses a services caveat value `name:tier,name:tier`.
    public static func parseList(_ value: String) throws(L402CaveatError) -> [L402Service] {
        guard !value.isEmpty else { throw .invalidValue(condition: L402Caveat.servicesCondition, value: value, reason: "no services") }
        var out: [L402Service] = []
        for raw in value.split(separator: ",", omittingEmptySubsequences: false) {
            let parts = raw.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, let tier = UInt8(parts[1]) else {
                throw .invalidValue(condition: L402Caveat.servicesCondition, value: value, reason: "service must be of the form name:tier")
            }
            out.append(L402Service(name: String(parts[0]), tier: tier))
        }
        return out
    }
}

/// Why L402 caveats were rejected.
public enum L402CaveatError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The caveat is not of the form `condition=value`.
    case notConditionValue(String)
    /// A caveat whose value cannot be parsed for its condition.
    case invalidValue(condition: String, value: String, reason: String)
    /// A later caveat with the same condition grants more than an earlier one.
    case widensPrevious(condition: String)
    /// The services caveat does not include the target service.
    case serviceNotAuthorized(String)
    /// The capabilities caveat does not include the requested capability.
    case capabilityNotAuthorized(String)
    /// The L402 expired at the given unix time.
    case expired(validUntil: Int64)
    /// A condition this verifier does not understand (every first-party caveat must be satisfied).
    case unknownCondition(String)

    /// A human-readable message saying what is wrong.
    public var description: String {
        switch self {
        case .notConditionValue(let s): return "caveat \"\(s)\" must be of the form \"condition=value\""
        case .invalidValue(let c, let v, let r): return "caveat \(c)=\(v) is invalid: \(r)"
        case .widensPrevious(let c): return "\(c) caveat violates increasing restrictiveness"
        case .serviceNotAuthorized(let s): return "target service \(s) not authorized"
        case .capabilityNotAuthorized(let c): return "target capability \(c) not authorized"
        case .expired(let t): return "L402 expired at unix time \(t)"
        case .unknownCondition(let c): return "unknown caveat condition \(c)"
        }
    }
}

/// What a verified set of caveats allows.
public struct L402Grant: Sendable, Equatable {
    /// The identifier of the verified L402 (nil when only caveats were checked).
    public var identifier: L402Identifier?
    /// The effective (last, tightest) budget in sats, nil if uncapped.
    public var budgetSats: Int64?
    /// The effective expiry (unix seconds), nil if none.
    public var validUntil: Int64?
    /// The effective capabilities, nil if unrestricted.
    public var capabilities: [String]?

    /// A grant from its parts.
    public init(identifier: L402Identifier? = nil, budgetSats: Int64? = nil, validUntil: Int64? = nil, capabilities: [String]? = nil) {
        self.identifier = identifier
        self.budgetSats = budgetSats
        self.validUntil = validUntil
        self.capabilities = capabilities
    }
}

/// Checks L402 caveats the way Aperture's satisfiers do, for one service at time `now`.
public struct L402CaveatPolicy: Sendable {
    /// The service being accessed (e.g. `prooflayer`).
    public var service: String
    /// The current unix time in seconds (passed in; nothing here reads a clock).
    public var now: Int64
    /// The capability being exercised, checked only when capabilities caveats exist.
    public var capability: String?

    /// A policy for `service` at unix time `now`.
    public init(service: String = L402Caveat.prooflayerService, now: Int64, capability: String? = nil) {
        self.service = service
        self.now = now
        self.capability = capability
    }

    /// Checks raw caveat predicates (in macaroon order); see `check(_:)` for the rules.
    public func check(predicates: [String]) throws(L402CaveatError) -> L402Grant {
        var caveats: [L402Caveat] = []
        for p in predicates { caveats.append(try L402Caveat(parsing: p)) }
        return try check(caveats)
    }

    /// Checks caveats in macaroon order: repeated conditions may only narrow; the last one decides.
    /// Another service's `_capabilities`/`_valid_until`/`_budget_sats` caveats are ignored (as Aperture does); any other unknown condition fails.
    public func check(_ caveats: [L402Caveat]) throws(L402CaveatError) -> L402Grant {
        var grant = L402Grant()
        var allowedServices: Set<String>?
        let capCond = service + L402Caveat.capabilitiesSuffix
        let timeCond = service + L402Caveat.validUntilSuffix
        let budgetCond = service + L402Caveat.budgetSatsSuffix
        for c in caveats {
            switch c.condition {
            case L402Caveat.servicesCondition:
                let names = Set(try L402Service.parseList(c.value).map(\.name))
                if let prev = allowedServices, !names.isSubset(of: prev) { throw .widensPrevious(condition: c.condition) }
                allowedServices = names
            case capCond:
                let caps = c.value.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                if let prev = grant.capabilities, !Set(caps).isSubset(of: Set(prev)) { throw .widensPrevious(condition: c.condition) }
                grant.capabilities = caps
            case timeCond:
                guard let t = Int64(c.value) else {
                    throw .invalidValue(condition: c.condition, value: c.value, reason: "not an integer unix time")
                }
                if let prev = grant.validUntil, t > prev { throw .widensPrevious(condition: c.condition) }
                grant.validUntil = t
            case budgetCond:
                guard let sats = Int64(c.value), sats >= 0 else {
                    throw .invalidValue(condition: c.condition, value: c.value, reason: "not a non-negative integer of sats")
                }
                if let prev = grant.budgetSats, sats > prev { throw .widensPrevious(condition: c.condition) }
                grant.budgetSats = sats
            default:
                let knownSuffix = [L402Caveat.capabilitiesSuffix, L402Caveat.validUntilSuffix, L402Caveat.budgetSatsSuffix]
                    .contains { c.condition.hasSuffix($0) && c.condition.count > $0.count }
                guard knownSuffix else { throw .unknownCondition(c.condition) }
            }
        }
        if let allowed = allowedServices, !allowed.contains(service) { throw .serviceNotAuthorized(service) }
        if let caps = grant.capabilities, let want = capability, !caps.contains(want) { throw .capabilityNotAuthorized(want) }
        if let t = grant.validUntil, !(now < t) { throw .expired(validUntil: t) }
        return grant
    }
}
