public import KVStore
import Synchronization

/// Read or write capacity.
public enum CapacityKind: String, Sendable, Hashable {
    case read = "Read"
    case write = "Write"
}

/// Enforces throughput (`--enforce-throughput`): one `TokenBucket` per table or global secondary
/// index and per kind, at the rate the catalog holds now:
/// - a PROVISIONED table and its global indexes: their `ProvisionedThroughput`, with 300 s of
///   burst, throttled with ProvisionedThroughputExceededException;
/// - a PAY_PER_REQUEST table with `OnDemandThroughput` maxima: the maximum per second, without
///   burst, throttled with ThrottlingException; other on-demand tables are not limited.
///
/// The model is DynamoDB's: `admit` before the request runs (throttled while the bucket is empty
/// or below zero, so a throttled request never runs), `debit` after it with the capacity it
/// consumed, computed by the engine exactly as `ConsumedCapacity` is.
/// See https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/burst-adaptive-capacity.html
public final class ThroughputLimiter: Sendable {
    /// One bucket: a table (index nil) or one of its global secondary indexes, by TableId so a
    /// re-created table starts afresh; on-demand maxima and provisioned rates have their own.
    struct BucketKey: Hashable {
        var tableID: String
        var index: String?
        var kind: CapacityKind
        var onDemand: Bool
    }

    /// What limits one bucket now.
    struct Limit {
        var rate: Double
        var onDemand: Bool
    }

    let tables: @Sendable (String) -> TableDefinition?
    let clock: @Sendable () -> Double
    private let buckets = Mutex<[BucketKey: TokenBucket]>([:])

    /// - Parameters:
    ///   - tables: the current definition of a table by name (`KVEngine.tableDefinition(named:)`).
    ///   - clock: seconds, monotonic enough for rates (a fake one in tests).
    public init(tables: @escaping @Sendable (String) -> TableDefinition?, clock: @escaping @Sendable () -> Double) {
        self.tables = tables
        self.clock = clock
    }

    /// The limit of a table's (index nil) or global index's bucket of `kind`; nil: unlimited.
    static func limit(_ table: TableDefinition, index: IndexDefinition?, kind: CapacityKind) -> Limit? {
        switch table.billingMode {
        case .provisioned:
            let throughput = index?.throughput ?? table.throughput
            return Limit(rate: Double(kind == .read ? throughput.readCapacityUnits : throughput.writeCapacityUnits), onDemand: false)
        case .payPerRequest:
            guard index == nil, let maxima = table.onDemandThroughput,
                let maximum = kind == .read ? maxima.maxReadRequestUnits : maxima.maxWriteRequestUnits, maximum > 0
            else { return nil }
            return Limit(rate: Double(maximum), onDemand: true)
        }
    }

    /// Throws when the table's bucket of `kind` (or, for a read of a global secondary index, the
    /// index's) is exhausted; for a write, also when a global secondary index the write may
    /// update (`touches`) has no write capacity left.
    /// - Parameters:
    ///   - index: the index a Query or Scan reads; a local one shares the table's capacity.
    ///   - region: for the throttled resource's ARN in `ThrottlingReasons`.
    public func admit(
        table name: String, index: String? = nil, kind: CapacityKind, region: String,
        touches: (IndexDefinition) -> Bool = { _ in true }
    ) throws(WireError) {
        guard let table = tables(name) else { return }
        let now = clock()
        var throttled: (index: String?, onDemand: Bool)?
        buckets.withLock { buckets in
            if kind == .read, let index, let definition = table.index(named: index), definition.isGlobal {
                if let limit = Self.admits(&buckets, table: table, index: definition, kind: .read, now: now) {
                    throttled = (index, limit.onDemand)
                }
                return
            }
            if let limit = Self.admits(&buckets, table: table, index: nil, kind: kind, now: now) {
                throttled = (nil, limit.onDemand)
                return
            }
            guard kind == .write else { return }
            for index in table.globalIndexes where index.status != .deleting && touches(index) {
                if let limit = Self.admits(&buckets, table: table, index: index, kind: .write, now: now) {
                    throttled = (index.name, limit.onDemand)
                    return
                }
            }
        }
        guard let throttled else { return }
        throw ThroughputExceeded.error(
            table: name, index: throttled.index, kind: kind, onDemand: throttled.onDemand, region: region)
    }

    /// Pays what one request consumed on one table: `table` units on the table's bucket (local
    /// indexes included, they share it), each global index's units on its own.
    public func debit(table name: String, kind: CapacityKind, table units: Double, globalIndexes: [String: Double]) {
        guard let table = tables(name) else { return }
        let now = clock()
        buckets.withLock { buckets in
            if units > 0 {
                Self.update(&buckets, table: table, index: nil, kind: kind, now: now) { $0.debit(units, at: now) }
            }
            for (indexName, indexUnits) in globalIndexes where indexUnits > 0 {
                guard let index = table.index(named: indexName), index.isGlobal else { continue }
                Self.update(&buckets, table: table, index: index, kind: kind, now: now) { $0.debit(indexUnits, at: now) }
            }
        }
    }

    /// Brings the table's buckets to the rates the catalog holds now (after an UpdateTable): what
    /// accrued until now counts at the old rate, from now on the new one applies.
    public func applyRates(table name: String) {
        guard let table = tables(name) else { return }
        let now = clock()
        buckets.withLock { buckets in
            for key in buckets.keys where key.tableID == table.tableID {
                let index = key.index.flatMap { table.index(named: $0) }
                if key.index != nil && index == nil { continue }
                Self.update(&buckets, table: table, index: index, kind: key.kind, now: now) { _ in }
            }
        }
    }

    /// The bucket as it stands now (for tests and diagnostics); nil for an unlimited one.
    public func tokens(table name: String, index: String? = nil, kind: CapacityKind) -> Double? {
        guard let table = tables(name) else { return nil }
        let definition = index.flatMap { table.index(named: $0) }
        if index != nil && definition == nil { return nil }
        let now = clock()
        return buckets.withLock { buckets in
            var tokens: Double?
            Self.update(&buckets, table: table, index: definition, kind: kind, now: now) { bucket in
                bucket.refill(at: now)
                tokens = bucket.tokens
            }
            return tokens
        }
    }

    /// The limit that throttles the request, or nil when the bucket admits it (or is unlimited).
    private static func admits(
        _ buckets: inout [BucketKey: TokenBucket], table: TableDefinition, index: IndexDefinition?, kind: CapacityKind,
        now: Double
    ) -> Limit? {
        var refused: Limit?
        update(&buckets, table: table, index: index, kind: kind, now: now) { bucket in
            if !bucket.admits(at: now) {
                refused = Limit(rate: bucket.rate, onDemand: bucket.burstSeconds == TokenBucket.onDemandBurstSeconds)
            }
        }
        return refused
    }

    /// Runs `body` on the bucket, created full at the current limit or brought to it first; does
    /// nothing for an unlimited bucket.
    private static func update(
        _ buckets: inout [BucketKey: TokenBucket], table: TableDefinition, index: IndexDefinition?, kind: CapacityKind,
        now: Double, _ body: (inout TokenBucket) -> Void
    ) {
        guard let limit = limit(table, index: index, kind: kind) else { return }
        let key = BucketKey(tableID: table.tableID, index: index?.name, kind: kind, onDemand: limit.onDemand)
        var bucket =
            buckets[key]
            ?? TokenBucket(
                rate: limit.rate, now: now,
                burstSeconds: limit.onDemand ? TokenBucket.onDemandBurstSeconds : TokenBucket.burstSeconds)
        if bucket.rate != limit.rate { bucket.setRate(limit.rate, at: now) }
        body(&bucket)
        buckets[key] = bucket
    }
}
