import Foundation

/// How the in-simulation LNURL-pay service behind one Lightning address answers (for fault injection).
public enum LNURLPayBehavior: String, Sendable, Hashable, CaseIterable {
    /// Answers as LUD-06 requires.
    case honest
    /// Returns an invoice for 1 sat more than asked (the payer must refuse it).
    case wrongAmount = "wrong_amount"
    /// Returns an invoice whose `h` is not sha256(metadata) (the payer must refuse it).
    case wrongDescriptionHash = "wrong_description_hash"
}

/// The LNURL-pay parameters of one Lightning address.
public struct LightningAddressOptions: Sendable, Hashable {
    /// `minSendable`, msat.
    public var minSendable: MilliSats
    /// `maxSendable`, msat.
    public var maxSendable: MilliSats
    /// LUD-12 `commentAllowed`: the longest comment the service accepts (0: none).
    public var commentAllowed: Int
    /// How the service answers.
    public var behavior: LNURLPayBehavior

    /// Options from their parts: by default 1 sat to 1 BTC, comments up to 255 characters, honest.
    public init(minSendable: MilliSats = MilliSats(1_000), maxSendable: MilliSats = MilliSats(100_000_000_000),
                commentAllowed: Int = 255, behavior: LNURLPayBehavior = .honest) {
        self.minSendable = minSendable
        self.maxSendable = maxSendable
        self.commentAllowed = commentAllowed
        self.behavior = behavior
    }
}

/// An HTTP answer of the in-simulation LNURL service: status and JSON body.
public struct LNURLResponse: Sendable, Hashable {
    /// The HTTP status.
    public var status: Int
    /// The JSON body.
    public var body: String
}

extension SimulatedNetwork {
    /// Splits and normalises `user@domain` (lower case), or nil when it is not a LUD-16 address.
    static func parseAddress(_ address: String) -> (user: String, domain: String)? {
        let lower = address.lowercased()
        let parts = lower.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, parts[0].count <= 64, parts[1].count <= 253 else { return nil }
        let userOK = parts[0].unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || "-_.+".unicodeScalars.contains($0) }
        let domainOK = parts[1].unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || "-.:".unicodeScalars.contains($0) }
        guard userOK, domainOK, !parts[1].hasPrefix("."), !parts[1].hasSuffix(".") else { return nil }
        return (String(parts[0]), String(parts[1]))
    }

    /// Registers a Lightning address (LUD-16) to a wallet (or any node, by name): the in-simulation LNURL service
    /// will answer for it. Registering an address again moves it to the new wallet.
    public func registerLightningAddress(_ address: String, for wallet: WalletID,
                                         options: LightningAddressOptions = LightningAddressOptions()) throws(LightningError) {
        guard let (user, domain) = Self.parseAddress(address) else {
            throw LightningError(.unknownAddress, "\"\(address)\" is not a Lightning address (user@domain, LUD-16)")
        }
        guard options.minSendable.rawValue >= 1, options.minSendable <= options.maxSendable else {
            throw LightningError(.invalidAmount, "minSendable must be at least 1 msat and at most maxSendable")
        }
        try state.withLock { s throws(LightningError) in
            guard let i = s.graph.index[wallet.rawValue] else { throw LightningError(.unknownWallet, "no wallet with id \(wallet)") }
            s.addresses["\(user)@\(domain)"] = AddressEntry(wallet: i, options: options)
        }
    }

    /// Creates a worker wallet (no balance, `inbound` liquidity from an LSP, the spec's default when nil) and
    /// registers `address` to it; returns the wallet.
    @discardableResult
    public func createWallet(forAddress address: String, inbound: MilliSats? = nil,
                             options: LightningAddressOptions = LightningAddressOptions()) throws(LightningError) -> WalletID {
        guard Self.parseAddress(address) != nil else {
            throw LightningError(.unknownAddress, "\"\(address)\" is not a Lightning address (user@domain, LUD-16)")
        }
        let wallet = createWallet(balance: .zero, inbound: inbound ?? spec.wallets.inbound, role: .worker)
        try registerLightningAddress(address, for: wallet, options: options)
        return wallet
    }

    /// The wallet a Lightning address is registered to, if any.
    public func wallet(forAddress address: String) -> WalletID? {
        guard let (user, domain) = Self.parseAddress(address) else { return nil }
        return state.withLock { s in s.addresses["\(user)@\(domain)"].map { WalletID(s.graph.nodes[$0.wallet].name) } }
    }

    /// The LUD-06 metadata of an address: `[["text/plain", …], ["text/identifier", address]]` as JSON text.
    static func metadata(for address: String) -> String {
        "[[\"text/plain\",\(jsonString("Payment to " + address))],[\"text/identifier\",\(jsonString(address))]]"
    }

    /// The in-simulation LNURL service: answers `GET https://<domain>/.well-known/lnurlp/<user>` (LUD-16) with a
    /// payRequest and `GET <callback>?amount=<msat>[&comment=…]` (LUD-06) with `{"pr": "<bolt11>", "routes": []}`.
    /// Errors are `{"status": "ERROR", "reason": …}`.
    public func serveLNURL(_ url: String) -> LNURLResponse {
        func refuse(_ status: Int, _ reason: String) -> LNURLResponse {
            LNURLResponse(status: status, body: "{\"reason\":\(Self.jsonString(reason)),\"status\":\"ERROR\"}")
        }
        guard let comps = URLComponents(string: url), comps.scheme == "https", let host = comps.host?.lowercased(), !host.isEmpty else {
            return refuse(400, "not an https URL: \(url)")
        }
        let path = comps.path
        let wellKnown = "/.well-known/lnurlp/", callback = "/lnurlp/callback/"
        let user: String, isCallback: Bool
        if path.hasPrefix(wellKnown) {
            user = String(path.dropFirst(wellKnown.count)).lowercased()
            isCallback = false
        } else if path.hasPrefix(callback) {
            user = String(path.dropFirst(callback.count)).lowercased()
            isCallback = true
        } else {
            return refuse(404, "no LNURL endpoint at \(path)")
        }
        let address = "\(user)@\(host)"
        guard Self.parseAddress(address) != nil else { return refuse(404, "\(address) is not a Lightning address") }
        let found = state.withLock { s -> AddressEntry? in
            if let e = s.addresses[address] { return e }
            guard case .autoCreateWallet(let inbound) = spec.addressPolicy else { return nil }
            let id = "wal_" + Hex.encode(Hash.sha256(Array(address.utf8)).prefix(8))
            let w = addWallet(name: id, balance: .zero, inbound: inbound, role: .worker, lsp: nil, &s)
            let e = AddressEntry(wallet: w, options: LightningAddressOptions())
            s.addresses[address] = e
            return e
        }
        guard let entry = found else {
            return refuse(404, "unknown Lightning address \(address): nobody registered it in the simulated network")
        }
        let metadata = Self.metadata(for: address)
        let o = entry.options
        if !isCallback {
            let cb = "https://\(host)\(callback)\(user)"
            return LNURLResponse(status: 200, body: "{\"callback\":\(Self.jsonString(cb)),\"commentAllowed\":\(o.commentAllowed),\"maxSendable\":\(o.maxSendable.rawValue),\"metadata\":\(Self.jsonString(metadata)),\"minSendable\":\(o.minSendable.rawValue),\"tag\":\"payRequest\"}")
        }
        let items = comps.queryItems ?? []
        guard let amountText = items.first(where: { $0.name == "amount" })?.value, let msat = Int64(amountText) else {
            return refuse(400, "the callback needs amount=<millisatoshis>")
        }
        guard msat >= o.minSendable.rawValue && msat <= o.maxSendable.rawValue else {
            return refuse(400, "amount \(msat) msat is outside \(o.minSendable.rawValue)...\(o.maxSendable.rawValue) msat")
        }
        if let comment = items.first(where: { $0.name == "comment" })?.value, comment.count > o.commentAllowed {
            return refuse(400, "comment longer than \(o.commentAllowed) characters")
        }
        let invoiceAmount = o.behavior == .wrongAmount ? msat + 1_000 : msat
        var hash = Hash.sha256(Array(metadata.utf8))
        if o.behavior == .wrongDescriptionHash { hash = Hash.sha256(Array((metadata + " ").utf8)) }
        do {
            let invoice = try issue(amount: MilliSats(invoiceAmount), description: .hash(hash), expirySeconds: 3600, payee: entry.wallet)
            return LNURLResponse(status: 200, body: "{\"pr\":\(Self.jsonString(invoice.bolt11)),\"routes\":[]}")
        } catch let failure {
            return refuse(500, "the wallet could not issue an invoice: \(failure)")
        }
    }

    /// Asks the wallet behind a Lightning address for an invoice of `amount`, through the LNURL-pay steps inside
    /// the simulation: the LUD-16 well-known lookup, the payRequest checks (tag, amount within min/max sendable,
    /// metadata naming the address), the callback with `amount=<msat>` (and the comment, LUD-12), then the
    /// invoice checks LUD-06 requires (amount equal to the request, `h` equal to sha256(metadata)).
    public func requestInvoice(lightningAddress: String, amount: MilliSats, comment: String) throws(LightningError) -> String {
        guard let (user, domain) = Self.parseAddress(lightningAddress) else {
            throw LightningError(.unknownAddress, "\"\(lightningAddress)\" is not a Lightning address (user@domain, LUD-16)")
        }
        let address = "\(user)@\(domain)"
        // 1. LUD-16: the well-known URL.
        let first = serveLNURL("https://\(domain)/.well-known/lnurlp/\(user)")
        let pay = Self.parseObject(first.body)
        if first.status != 200 || pay?["status"] as? String == "ERROR" {
            let reason = pay?["reason"] as? String ?? "HTTP \(first.status)"
            throw LightningError(.unknownAddress, "Lightning address \(address) did not resolve: \(reason)")
        }
        guard let pay, pay["tag"] as? String == "payRequest", let callback = pay["callback"] as? String,
              let minSendable = Self.integer(pay["minSendable"]), let maxSendable = Self.integer(pay["maxSendable"]),
              let metadata = pay["metadata"] as? String else {
            throw LightningError(.invalidInvoice, "the LNURL service of \(address) answered with a malformed payRequest")
        }
        // 2. The payRequest: amount range and metadata.
        guard amount.rawValue >= minSendable && amount.rawValue <= maxSendable else {
            throw LightningError(.invalidAmount, "\(address) accepts \(minSendable)...\(maxSendable) msat; \(amount.rawValue) msat is outside that range")
        }
        guard Self.metadataNames(metadata, address: address) else {
            throw LightningError(.invalidInvoice, "the LNURL metadata of \(address) has no text/plain entry or does not name the address (text/identifier)")
        }
        // 3. The callback with the amount in msat (and the comment when allowed).
        var url = callback + (callback.contains("?") ? "&" : "?") + "amount=\(amount.rawValue)"
        let allowed = Self.integer(pay["commentAllowed"]) ?? 0
        if allowed > 0 && !comment.isEmpty {
            url += "&comment=" + Self.percentEncode(String(comment.prefix(Int(min(allowed, 2_000)))))
        }
        let second = serveLNURL(url)
        let answer = Self.parseObject(second.body)
        if second.status != 200 || answer?["status"] as? String == "ERROR" {
            let reason = answer?["reason"] as? String ?? "HTTP \(second.status)"
            throw LightningError(.invalidInvoice, "the LNURL callback of \(address) refused: \(reason)")
        }
        guard let pr = answer?["pr"] as? String else {
            throw LightningError(.invalidInvoice, "the LNURL callback of \(address) returned no invoice (pr)")
        }
        // 4. LUD-06: the invoice must be for the amount asked and commit to the metadata.
        let invoice: Bolt11Invoice
        do {
            invoice = try Bolt11.decode(pr)
        } catch {
            throw LightningError(.invalidInvoice, "the invoice from \(address) does not decode: \(error)")
        }
        guard invoice.amount == amount else {
            throw LightningError(.invalidInvoice, "the invoice from \(address) is for \(invoice.amount?.rawValue ?? 0) msat, not the \(amount.rawValue) msat requested")
        }
        guard let h = invoice.descriptionHash, Hash.constantTimeEqual(h, Hash.sha256(Array(metadata.utf8))) else {
            throw LightningError(.invalidInvoice, "the invoice from \(address) has a description hash that is not sha256 of the LNURL metadata")
        }
        return pr
    }

    // MARK: JSON helpers (the service writes sorted-key JSON by hand; the payer reads with Foundation)

    static func jsonString(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }

    static func parseObject(_ body: String) -> [String: Any]? {
        guard let data = body.data(using: .utf8) else { return nil }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }

    static func integer(_ v: Any?) -> Int64? {
        if let i = v as? Int64 { return i }
        if let i = v as? Int { return Int64(i) }
        if let n = v as? NSNumber { return n.int64Value }
        return nil
    }

    static func metadataNames(_ metadata: String, address: String) -> Bool {
        guard let data = metadata.data(using: .utf8),
              let entries = (try? JSONSerialization.jsonObject(with: data)) as? [Any] else { return false }
        var hasText = false, names = false
        for e in entries {
            guard let pair = e as? [Any], pair.count >= 2, let type = pair[0] as? String else { continue }
            if type == "text/plain" { hasText = true }
            if type == "text/identifier" || type == "text/email", let v = pair[1] as? String, v.lowercased() == address { names = true }
        }
        return hasText && names
    }

    static func percentEncode(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(b))
            default:
                let hex = String(b, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" : "") + hex
            }
        }
        return out
    }
}
