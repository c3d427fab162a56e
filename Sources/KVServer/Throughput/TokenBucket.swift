/// DynamoDB's per-second capacity with burst, as a pure value over the caller's clock.
///
/// Rules (developer guide, "Burst capacity",
/// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/burst-adaptive-capacity.html#burst-capacity):
/// - capacity accrues at the provisioned rate (units per second);
/// - DynamoDB "currently retains up to five minutes (300 seconds) of unused read and write
///   capacity": the bucket holds at most `rate * 300` units;
/// - a request is let through while the bucket holds capacity and pays what it consumed
///   afterwards (a read's cost is known only once it ran), so one large request may leave the
///   bucket below zero; the following requests are throttled until the rate refills it.
///
/// Time is seconds (any origin) passed in by the caller; going backwards is ignored.
public struct TokenBucket: Sendable, Equatable {
    /// Seconds of unused capacity DynamoDB keeps as burst.
    public static let burstSeconds = 300.0
    /// An on-demand maximum allows its rate within any one second, without burst.
    public static let onDemandBurstSeconds = 1.0

    /// Units per second.
    public private(set) var rate: Double
    /// Seconds of unused capacity kept (300 for provisioned throughput; 1 for an on-demand
    /// table's maximum, which is a per-second ceiling).
    public let burstSeconds: Double
    /// Units available now; negative after a request cost more than was left.
    public private(set) var tokens: Double
    /// When `tokens` was last brought up to date.
    public private(set) var updatedAt: Double

    /// The most the bucket holds: `burstSeconds` of the rate.
    public var capacity: Double { rate * burstSeconds }

    /// A bucket at `rate`, starting with `tokens` (default: full, as a table that sat idle for
    /// five minutes).
    public init(rate: Double, now: Double, tokens: Double? = nil, burstSeconds: Double = TokenBucket.burstSeconds) {
        self.rate = max(0, rate)
        self.burstSeconds = burstSeconds
        self.tokens = tokens ?? max(0, rate) * burstSeconds
        self.updatedAt = now
    }

    /// Adds what accrued since the last update, up to `capacity`.
    public mutating func refill(at now: Double) {
        guard now > updatedAt else { return }
        let accrued = (now - updatedAt) * rate
        tokens = min(capacity, tokens + accrued)
        updatedAt = now
    }

    /// Whether a request may start now: the bucket holds some capacity (after refilling).
    public mutating func admits(at now: Double) -> Bool {
        refill(at: now)
        return tokens > 0
    }

    /// Pays `units` a request consumed (may go below zero).
    public mutating func debit(_ units: Double, at now: Double) {
        refill(at: now)
        guard units.isFinite, units > 0 else { return }
        tokens -= units
    }

    /// A new rate (UpdateTable) applies at once: what accrued so far counts at the old rate,
    /// and the bucket is capped to the new capacity.
    public mutating func setRate(_ newRate: Double, at now: Double) {
        refill(at: now)
        rate = max(0, newRate)
        tokens = min(tokens, capacity)
    }
}
