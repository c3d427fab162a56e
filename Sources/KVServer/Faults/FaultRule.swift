/// One fault rule of `--faults FILE` or `/admin/faults`:
/// `{"operation": "PutItem", "table": "*", "probability": 0.1, "error": "InternalServerError"}`.
///
/// - `operation`, `table`: a name or `*` (default `*`); `table` is matched against the table
///   the request names (for batches the first by name, for transactions the first listed;
///   requests naming none match only `*`).
/// - `probability` (0...1) or `everyNth` (1, 2, ...): how often a matching request is hit;
///   neither: every matching request.
/// - `from`, `until`: optional ISO 8601 times (or seconds since 1970) bounding when the rule applies.
/// - effects, at least one: `error` (an `InjectedError` name), `latencyMs` (added before the
///   request runs), `drop` (`beforeCommit`: the connection is closed and the request never runs;
///   `afterCommit`: the request runs, then the connection is closed without an answer). `error`
///   and `drop` exclude each other.
public struct FaultRule: Sendable, Equatable {
    public enum Frequency: Sendable, Equatable {
        case always
        case probability(Double)
        case everyNth(Int)
    }

    public enum Drop: String, Sendable, Equatable, CaseIterable {
        case beforeCommit
        case afterCommit
    }

    public var operation = "*"
    public var table = "*"
    public var frequency = Frequency.always
    public var from: Double?
    public var until: Double?
    public var error: InjectedError?
    public var latencyMs: Int?
    public var drop: Drop?

    public init() {}

    /// Whether the rule names this request (frequency and time window aside).
    func names(operation: String, table: String?) -> Bool {
        (self.operation == "*" || self.operation == operation) && (self.table == "*" || self.table == table)
    }

    /// Whether `now` lies in `[from, until)`.
    func isInWindow(_ now: Double) -> Bool {
        if let from, now < from { return false }
        if let until, now >= until { return false }
        return true
    }
}

/// A fault rule that cannot be used, with the reason (shown by the admin endpoint and logged on reload).
public struct FaultRuleError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var description: String { message }

    init(_ message: String) {
        self.message = message
    }
}

extension FaultRule {
    static let knownFields: Set<String> = [
        "operation", "table", "probability", "everyNth", "from", "until", "error", "latencyMs", "drop",
    ]

    /// A rule from its JSON object; `position` names it in errors (`faults[2]`).
    public static func parse(_ value: JSONValue, position: String) throws(FaultRuleError) -> FaultRule {
        guard case .object(let fields) = value else { throw FaultRuleError("\(position): a rule is a JSON object") }
        if let unknown = fields.keys.sorted().first(where: { !knownFields.contains($0) }) {
            throw FaultRuleError("\(position): unknown field \"\(unknown)\"")
        }
        var rule = FaultRule()
        func text(_ name: String) throws(FaultRuleError) -> String? {
            guard let member = fields[name] else { return nil }
            guard case .string(let value) = member, !value.isEmpty else {
                throw FaultRuleError("\(position).\(name): must be a non-empty string")
            }
            return value
        }
        func number(_ name: String) throws(FaultRuleError) -> Double? {
            guard let member = fields[name] else { return nil }
            guard case .number(let text) = member, let value = Double(text), value.isFinite else {
                throw FaultRuleError("\(position).\(name): must be a number")
            }
            return value
        }
        func time(_ name: String) throws(FaultRuleError) -> Double? {
            switch fields[name] {
            case nil: return nil
            case .number(let text)?:
                if let value = Double(text), value.isFinite { return value }
            case .string(let text)?:
                if let value = IAMValueParsing.date(text) { return value }
            default: break
            }
            throw FaultRuleError("\(position).\(name): must be an ISO 8601 time or seconds since 1970")
        }
        rule.operation = try text("operation") ?? "*"
        rule.table = try text("table") ?? "*"
        let probability = try number("probability")
        let everyNth = try number("everyNth")
        switch (probability, everyNth) {
        case (nil, nil): rule.frequency = .always
        case (let p?, nil):
            guard (0...1).contains(p) else { throw FaultRuleError("\(position).probability: must be between 0 and 1") }
            rule.frequency = .probability(p)
        case (nil, let n?):
            guard n >= 1, n <= 1_000_000_000, n.rounded() == n else {
                throw FaultRuleError("\(position).everyNth: must be a whole number of at least 1")
            }
            rule.frequency = .everyNth(Int(n))
        default:
            throw FaultRuleError("\(position): give either probability or everyNth, not both")
        }
        rule.from = try time("from")
        rule.until = try time("until")
        if let name = try text("error") {
            guard let error = InjectedError(rawValue: name) else {
                let known = InjectedError.allCases.map(\.rawValue).joined(separator: ", ")
                throw FaultRuleError("\(position).error: unknown error \"\(name)\" (one of \(known))")
            }
            rule.error = error
        }
        if let latency = try number("latencyMs") {
            guard latency >= 0, latency <= 600_000, latency.rounded() == latency else {
                throw FaultRuleError("\(position).latencyMs: must be a whole number of milliseconds from 0 to 600000")
            }
            rule.latencyMs = Int(latency)
        }
        if let name = try text("drop") {
            guard let drop = Drop(rawValue: name) else {
                throw FaultRuleError("\(position).drop: must be \"beforeCommit\" or \"afterCommit\"")
            }
            rule.drop = drop
        }
        if rule.error == nil && rule.latencyMs == nil && rule.drop == nil {
            throw FaultRuleError("\(position): give an effect: error, latencyMs or drop")
        }
        if rule.error != nil && rule.drop != nil {
            throw FaultRuleError("\(position): error and drop exclude each other")
        }
        return rule
    }

    /// The rule as JSON, in the form `parse` reads.
    public var json: JSONValue {
        var fields: [String: JSONValue] = ["operation": .string(operation), "table": .string(table)]
        switch frequency {
        case .always: break
        case .probability(let p): fields["probability"] = .number(String(p))
        case .everyNth(let n): fields["everyNth"] = .number(String(n))
        }
        if let from { fields["from"] = .number(String(from)) }
        if let until { fields["until"] = .number(String(until)) }
        if let error { fields["error"] = .string(error.rawValue) }
        if let latencyMs { fields["latencyMs"] = .number(String(latencyMs)) }
        if let drop { fields["drop"] = .string(drop.rawValue) }
        return .object(fields)
    }

    /// `{"faults": [...]}`, the document of `--faults FILE` and `/admin/faults`.
    public static func parseDocument(_ bytes: [UInt8]) throws(FaultRuleError) -> [FaultRule] {
        let document: JSONValue
        do {
            document = try JSONParser.parse(bytes)
        } catch {
            throw FaultRuleError("not JSON")
        }
        guard case .object(let fields) = document, case .array(let list)? = fields["faults"] else {
            throw FaultRuleError("expected {\"faults\": [...]}")
        }
        var rules: [FaultRule] = []
        for (position, value) in list.enumerated() {
            rules.append(try parse(value, position: "faults[\(position)]"))
        }
        return rules
    }

    /// `{"faults": [...]}` for a list of rules.
    public static func document(_ rules: [FaultRule]) -> JSONValue {
        .object(["faults": .array(rules.map(\.json))])
    }
}
