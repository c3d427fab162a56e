public import KVStore
import Synchronization

/// Read or write capacity.
public enum CapacityKind: String, Sendable, Hashable {
    case read = "Read"
    case write = "Write"
}

/// Enforces provisioned throughput (`--enforce-throughput`): one `TokenBucket` per table or
/// global secondary index and per kind, at the rate the catalog holds now (an UpdateTable applies
/// to the next request). On-demand tables are not limited.
///
/// The model is DynamoDB's: `admit` before the request runs (throttled while the bucket is empty
/// or below zero, so a throttled request never runs), `debit` after it with the capacity it
/// consumed, computed by the engine exactly as `ConsumedCapacity` is.
/// See https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/burst-adaptive-capacity.html
public final class ThroughputLimiter: Sendable {
    /// One bucket: a table (index nil) or one of its global secondary indexes, by TableId so a
    /// re-created table starts afresh.
    struct BucketKey: Hashable {
        var tableID: String
        var index: String?
        var kind: CapacityKind
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

    /// Throws ProvisionedThroughputExceededException when the table's bucket of `kind` (or, for a
    /// read of a global secondary index, the index's) is exhausted; for a write, also when a global
    /// secondary index the write may update (`touches`) has no write capacity left.
    /// - Parameters:
    ///   - index: the index a Query or Scan reads; a local one shares the table's capacity.
    ///   - region: for the throttled resource's ARN in `ThrottlingReasons`.
    public func admit(
        table name: String, index: String? = nil, kind: CapacityKind, region: String,
        touches: (IndexDefinition) -> Bool = { _ in true }
    ) throws(WireError) {
        guard let table = tables(name), table.billingMode == .provisioned else { return }
        let now = clock()
        var throttled = false
        var throttledIndex: String?
        buckets.withLock { buckets in
            if kind == .read, let index, let definition = table.index(named: index), definition.isGlobal {
                if !Self.admits(&buckets, table: table, index: definition, kind: .read, now: now) {
                    throttled = true
                    throttledIndex = index
                }
                return
            }
            if !Self.admits(&buckets, table: table, index: nil, kind: kind, now: now) {
                throttled = true
                return
            }
            guard kind == .write else { return }
            for index in table.globalIndexes where index.status != .deleting && touches(index) {
                if !Self.admits(&buckets, table: table, index: index, kind: .write, now: now) {
                    throttled = true
                    throttledIndex = index.name
                    return
                }
            }
        }
        guard throttled else { return }
        throw ThroughputExceeded.error(table: name, index: throttledIndex, kind: kind, region: region)
    }

    /// Pays what one request consumed on one table: `table` units on the table's bucket (local
    /// indexes included, they share it), each global index's units on its own.
    public func debit(table name: String, kind: CapacityKind, table units: Double, globalIndexes: [String: Double]) {
        guard let table = tables(name), table.billingMode == .provisioned else { return }
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
        guard let table = tables(name), table.billingMode == .provisioned else { return }
        let now = clock()
        buckets.withLock { buckets in
            for key in buckets.keys where key.tableID == table.tableID {
                let index = key.index.flatMap { table.index(named: $0) }
                if key.index != nil && index == nil { continue }
                Self.update(&buckets, table: table, index: index, kind: key.kind, now: now) { _ in }
            }
        }
    }

    /// The bucket as it stands now (for tests and diagnostics); nil for an unlimited table.
    public func tokens(table name: String, index: String? = nil, kind: CapacityKind) -> Double? {
        guard let table = tables(name), table.billingMode == .provisioned else { return nil }
        let definition = index.flatMap { table.index(named: $0) }
        if index != nil && definition == nil { return nil }
        let now = clock()
        return buckets.withLock { buckets in
            var tokens = 0.0
            Self.update(&buckets, table: table, index: definition, kind: kind, now: now) { bucket in
                bucket.refill(at: now)
                tokens = bucket.tokens
            }
            return tokens
        }
    }

    private static func admits(
        _ buckets: inout [BucketKey: TokenBucket], table: TableDefinition, index: IndexDefinition?, kind: CapacityKind,
        now: Double
    ) -> Bool {
        var admitted = true
        update(&buckets, table: table, index: index, kind: kind, now: now) { admitted = $0.admits(at: now) }
        return admitted
    }

    /// Runs `body` on the bucket, created full at the current rate or brought to it first.
    private static func update(
        _ buckets: inout [BucketKey: TokenBucket], table: TableDefinition, index: IndexDefinition?, kind: CapacityKind,
        now: Double, _ body: (inout TokenBucket) -> Void
    ) {
        let throughput = index?.throughput ?? table.throughput
        let rate = Double(kind == .read ? throughput.readCapacityUnits : throughput.writeCapacityUnits)
        let key = BucketKey(tableID: table.tableID, index: index?.name, kind: kind)
        var bucket = buckets[key] ?? TokenBucket(rate: rate, now: now)
        if bucket.rate != rate { bucket.setRate(rate, at: now) }
        body(&bucket)
        buckets[key] = bucket
    }
}
