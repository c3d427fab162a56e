/// A range of sort key bytes within one partition, half-open: `lower <= sk < upper`.
///
/// Every Query key condition and start key becomes one: in `bytea` order (memcmp, then shorter
/// first) the smallest key above `x` is `x` followed by a 00 byte, so an exclusive bound `x`
/// (`>`, an ExclusiveStartKey going forward) is the inclusive `after(x)`, and an inclusive upper
/// bound `y` (`<=`, BETWEEN) is the exclusive `after(y)`.
public struct SortKeyRange: Sendable, Equatable {
    /// Inclusive; empty is the smallest key.
    public var lower: [UInt8]
    /// Exclusive; nil is no upper bound.
    public var upper: [UInt8]?

    public init(lower: [UInt8] = [], upper: [UInt8]? = nil) {
        self.lower = lower
        self.upper = upper
    }

    /// Every key of the partition.
    public static let all = SortKeyRange()

    /// The smallest key greater than `key`.
    public static func after(_ key: [UInt8]) -> [UInt8] {
        key + [0]
    }

    /// The keys that begin with `prefix` (begins_with): from `prefix` up to the first key that is
    /// greater than every key with that prefix, or unbounded when the prefix is all FF bytes.
    public static func prefixed(_ prefix: [UInt8]) -> SortKeyRange {
        var upper = prefix
        while let last = upper.last {
            if last < 0xFF {
                upper[upper.count - 1] = last + 1
                return SortKeyRange(lower: prefix, upper: upper)
            }
            upper.removeLast()
        }
        return SortKeyRange(lower: prefix, upper: nil)
    }

    /// This range narrowed to keys after `start` (forward) or before it (backward): a Query's
    /// ExclusiveStartKey.
    public func resuming(after start: [UInt8], forward: Bool) -> SortKeyRange {
        if forward {
            let lower = Self.after(start)
            return SortKeyRange(lower: lower.lexicographicallyPrecedes(self.lower) ? self.lower : lower, upper: upper)
        }
        guard let upper else { return SortKeyRange(lower: lower, upper: start) }
        return SortKeyRange(lower: lower, upper: start.lexicographicallyPrecedes(upper) ? start : upper)
    }
}
