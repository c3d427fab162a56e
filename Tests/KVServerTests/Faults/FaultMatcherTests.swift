import Testing

@testable import KVServer

@Suite struct FaultMatcherTests {
    static func rule(
        _ operation: String = "*", _ table: String = "*", _ frequency: FaultRule.Frequency = .always,
        error: InjectedError? = .internalServerError, from: Double? = nil, until: Double? = nil
    ) -> FaultRule {
        var rule = FaultRule()
        rule.operation = operation
        rule.table = table
        rule.frequency = frequency
        rule.error = error
        rule.from = from
        rule.until = until
        return rule
    }

    @Test(arguments: [
        // (rule operation, rule table, request operation, request table, hit)
        ("*", "*", "PutItem", "T", true),
        ("PutItem", "*", "PutItem", "T", true),
        ("PutItem", "*", "GetItem", "T", false),
        ("*", "T", "GetItem", "T", true),
        ("*", "T", "GetItem", "U", false),
        ("*", "T", "ListTables", nil, false),
        ("*", "*", "ListTables", nil, true),
        ("PutItem", "T", "PutItem", "T", true),
        ("putitem", "*", "PutItem", "T", false),  // names are case-sensitive, as DynamoDB's are
    ] as [(String, String, String, String?, Bool)])
    func matchingByOperationAndTable(ruleOperation: String, ruleTable: String, operation: String, table: String?, hit: Bool) {
        var matcher = FaultMatcher(rules: [Self.rule(ruleOperation, ruleTable)])
        let decision = matcher.decide(operation: operation, table: table, now: 0, random: { 0 })
        #expect((decision != nil) == hit)
    }

    @Test func everyNthHitsTheNthMatchingRequestOnly() {
        var matcher = FaultMatcher(rules: [Self.rule("PutItem", "*", .everyNth(3))])
        var hits: [Int] = []
        for request in 1...9 {
            // Other operations do not count towards the rule.
            _ = matcher.decide(operation: "GetItem", table: "T", now: 0, random: { 0 })
            if matcher.decide(operation: "PutItem", table: "T", now: 0, random: { 0 }) != nil { hits.append(request) }
        }
        #expect(hits == [3, 6, 9])
    }

    @Test func probabilityComparesTheDrawnNumber() {
        var matcher = FaultMatcher(rules: [Self.rule("*", "*", .probability(0.25))])
        #expect(matcher.decide(operation: "GetItem", table: "T", now: 0, random: { 0.24 }) != nil)
        #expect(matcher.decide(operation: "GetItem", table: "T", now: 0, random: { 0.25 }) == nil)
        var never = FaultMatcher(rules: [Self.rule("*", "*", .probability(0))])
        #expect(never.decide(operation: "GetItem", table: "T", now: 0, random: { 0 }) == nil)
    }

    @Test func aSeededProbabilityRuleHitsAboutItsShare() {
        var generator = SeededGenerator(seed: 42)
        var matcher = FaultMatcher(rules: [Self.rule("*", "*", .probability(0.1))])
        var hits = 0
        for _ in 0..<10_000 {
            let draw = Double.random(in: 0..<1, using: &generator)
            if matcher.decide(operation: "PutItem", table: "T", now: 0, random: { draw }) != nil { hits += 1 }
        }
        #expect((900...1100).contains(hits))
    }

    @Test(arguments: [
        (nil, nil, 5.0, true), (10.0, nil, 5.0, false), (10.0, nil, 10.0, true), (nil, 10.0, 9.9, true),
        (nil, 10.0, 10.0, false), (1.0, 2.0, 1.5, true), (1.0, 2.0, 2.5, false),
    ] as [(Double?, Double?, Double, Bool)])
    func timeWindow(from: Double?, until: Double?, now: Double, hit: Bool) {
        var matcher = FaultMatcher(rules: [Self.rule(from: from, until: until)])
        #expect((matcher.decide(operation: "GetItem", table: "T", now: now, random: { 0 }) != nil) == hit)
    }

    @Test func theFirstRuleThatFiresDecides() {
        var latency = Self.rule("*", "T", error: nil)
        latency.latencyMs = 200
        var matcher = FaultMatcher(rules: [Self.rule("PutItem", "*", .everyNth(2), error: .throttling), latency])
        let first = matcher.decide(operation: "PutItem", table: "T", now: 0, random: { 0 })
        #expect(first == FaultDecision(error: nil, latencyMs: 200, drop: nil, rule: 1))
        let second = matcher.decide(operation: "PutItem", table: "T", now: 0, random: { 0 })
        #expect(second?.error == .throttling)
        #expect(second?.label == "error:ThrottlingException")
        #expect(first?.label == "latency:200ms")
    }

    @Test func anInjectorWithoutRulesDecidesNothing() {
        let injector = FaultInjector()
        #expect(!injector.isActive)
        #expect(injector.decide(operation: "PutItem", table: "T") == nil)
        injector.replace(with: [Self.rule()])
        #expect(injector.isActive)
        #expect(injector.decide(operation: "PutItem", table: "T")?.error == .internalServerError)
        injector.replace(with: [])
        #expect(injector.decide(operation: "PutItem", table: "T") == nil)
    }
}
