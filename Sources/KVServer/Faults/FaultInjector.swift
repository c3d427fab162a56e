public import KVStore
import Synchronization

/// The fault rules in force, shared by the request path, the `--faults` file reloader and
/// `/admin/faults`. With no rules (the default) a request costs one atomic load.
public final class FaultInjector: Sendable {
    private let matcher = Mutex(FaultMatcher(rules: []))
    fileprivate let active = Atomic<Bool>(false)
    private let random: @Sendable () -> Double
    private let clock: @Sendable () -> Double

    /// - Parameters:
    ///   - random: numbers in `[0, 1)` for `probability` rules (a seeded generator in tests).
    ///   - clock: seconds since 1970, for `from`/`until`.
    public init(
        rules: [FaultRule] = [], random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        clock: @escaping @Sendable () -> Double = WallClock.now
    ) {
        self.random = random
        self.clock = clock
        replace(with: rules)
    }

    /// The rules in force.
    public var rules: [FaultRule] { matcher.withLock { $0.rules } }

    /// Puts `rules` in force (counters start again); an empty list turns injection off.
    public func replace(with rules: [FaultRule]) {
        matcher.withLock { $0 = FaultMatcher(rules: rules) }
        active.store(!rules.isEmpty, ordering: .releasing)
    }

    /// The fault for a request, if a rule hits it. `operation` is the bare name (`PutItem`).
    public func decide(operation: String, table: String?) -> FaultDecision? {
        guard active.load(ordering: .acquiring) else { return nil }
        let now = clock()
        let random = self.random
        return matcher.withLock { $0.decide(operation: operation, table: table, now: now, random: random) }
    }
}

extension FaultInjector {
    /// Whether any rule is in force (one atomic load).
    public var isActive: Bool { active.load(ordering: .acquiring) }
}
