/// DynamoDB's time-to-live rules, as pure functions.
/// See https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/howitworks-ttl.html
enum ExpiryRules {
    /// Items whose TTL lies more than five years in the past are never deleted by TTL.
    static let ignoredAge: Double = 5 * 365 * 24 * 3600

    /// The expiry second of an item: its TTL attribute when that is a Number (epoch seconds),
    /// nil otherwise (strings, sets and other types are ignored, as DynamoDB does).
    static func expiry(of item: Item, attribute: String) -> Int64? {
        guard case .number(let number) = item[attribute] else { return nil }
        return number.epochSecond
    }

    /// The expiry seconds a sweep at `now` deletes: up to now, but not older than five years.
    static func sweepRange(now: Double) -> ClosedRange<Int64> {
        let upper = Int64(clampedSeconds: now.rounded(.down))
        let lower = Int64(clampedSeconds: (now - ignoredAge).rounded(.up))
        return min(lower, upper)...upper
    }
}

extension Number {
    /// The whole seconds of this number, clamped to Int64 (fractions dropped toward minus infinity).
    var epochSecond: Int64 {
        Int64(clampedSeconds: (Double(description) ?? 0).rounded(.down))
    }
}

extension Int64 {
    init(clampedSeconds value: Double) {
        if value.isNaN { self = 0 }
        else if value >= 9.2e18 { self = .max }
        else if value <= -9.2e18 { self = .min }
        else { self = Int64(value) }
    }
}
