/// What a matching rule does to one request.
public struct FaultDecision: Sendable, Equatable {
    public var error: InjectedError?
    public var latencyMs: Int
    public var drop: FaultRule.Drop?
    /// The index of the rule in the list in force.
    public var rule: Int

    /// A short label of the fault (`error:InternalServerError`, `latency:200ms`, `drop:afterCommit`),
    /// for the access log and metrics.
    public var label: String {
        var parts: [String] = []
        if let error { parts.append("error:" + error.rawValue) }
        if let drop { parts.append("drop:" + drop.rawValue) }
        if latencyMs > 0 { parts.append("latency:\(latencyMs)ms") }
        return parts.joined(separator: ",")
    }
}

/// Decides which requests a list of fault rules hits: a pure state machine (the counters of
/// `everyNth` rules) over the request, the time and a random number the caller passes in, so a
/// seeded generator makes it reproducible.
///
/// The first rule (in list order) that names the request, is in its time window and fires
/// decides; a rule's `everyNth` counts the requests it names within its window.
public struct FaultMatcher: Sendable, Equatable {
    public private(set) var rules: [FaultRule]
    /// Requests each rule named so far (for `everyNth`).
    public private(set) var counts: [Int]

    public init(rules: [FaultRule]) {
        self.rules = rules
        self.counts = Array(repeating: 0, count: rules.count)
    }

    /// The fault for a request, if any.
    /// - Parameters:
    ///   - random: a number in `[0, 1)`, drawn only for a `probability` rule that names the request.
    public mutating func decide(
        operation: String, table: String?, now: Double, random: () -> Double
    ) -> FaultDecision? {
        for (index, rule) in rules.enumerated() where rule.names(operation: operation, table: table) && rule.isInWindow(now) {
            let fires: Bool
            switch rule.frequency {
            case .always:
                fires = true
            case .probability(let p):
                fires = random() < p
            case .everyNth(let n):
                counts[index] += 1
                fires = counts[index] % n == 0
            }
            if fires {
                return FaultDecision(error: rule.error, latencyMs: rule.latencyMs ?? 0, drop: rule.drop, rule: index)
            }
        }
        return nil
    }
}
