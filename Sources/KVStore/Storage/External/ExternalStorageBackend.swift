/// A storage backend implemented outside this module (the PostgreSQL adapter in
/// `KVStorePostgres`, issue #18): what `KVEngine` needs of a database, as public protocols over
/// the storage port (`StoragePort`). KVStore links no such backend; a program that wants one
/// builds it and passes it to `KVEngine.init(configuration:logger:backend:clock:)`.
///
/// The engine keeps SQLite monomorphic: it holds `EngineStorage`, an enum whose `.sqlite` case
/// is the SQLite adapter's concrete types and whose `.external` case is this protocol. Only
/// the external path pays for existentials.
///
/// The shape is SQLite's: the engine opens a transaction (`read`, `write`, `exclusive`) and runs
/// a synchronous body with the transaction handle. A backend whose driver is asynchronous runs
/// bodies on threads of its own, never on the cooperative pool, and blocks there.
///
/// Features the external path does not have (storage file sizes, the SQLite-only inline reads;
/// and whatever a backend leaves out, such as `ExternalBackupStorage`'s defaults) answer
/// `KVError.unsupportedByBackend` (a ValidationException naming the feature); see
/// docs/postgres-backend.md.
public protocol ExternalStorageBackend: Sendable {
    /// The backend's name in error messages ("PostgreSQL").
    var name: String { get }

    /// Runs `body` in a read transaction: one consistent snapshot, and it sees every write
    /// committed before `read` was called (the engine's reads are strongly consistent).
    func read<T: Sendable>(_ body: @escaping @Sendable (any ExternalStorageTransaction) throws -> T) async throws -> T

    /// Runs `body` in a read transaction of `consistency`: `.strong` is `read`; `.eventual`
    /// (a request's `ConsistentRead` false, a global secondary index) may be served from a
    /// replica that lags behind, still as one consistent snapshot. Table definitions must not
    /// lag: a table the engine knows is never answered as missing because a replica has not
    /// caught up. Default (`ReadConsistency.swift`): `read`.
    func read<T: Sendable>(
        _ consistency: ReadConsistency, _ body: @escaping @Sendable (any ExternalStorageTransaction) throws -> T
    ) async throws -> T

    /// Runs `body` in a write transaction, returning after COMMIT. A body that throws commits
    /// nothing (its error is rethrown unchanged); a failed COMMIT throws. Concurrent write
    /// bodies must behave as if run one after another (the engine's conditional writes check
    /// and write in one body).
    func write<T: Sendable>(_ body: @escaping @Sendable (any ExternalStorageTransaction) throws -> T) async throws -> T

    /// Runs `body` alone, for schema set-up and migrations (`CatalogStorage.migrateStorage`).
    /// A backend without such a mode may run it as `write`.
    func exclusive<T: Sendable>(_ body: @escaping @Sendable (any ExternalStorageTransaction) throws -> T) async throws -> T

    /// Whether `error` is a failure of the database itself (not of the body's logic): after one,
    /// the engine reloads its cached catalog, which the failed body may have moved ahead.
    func isStorageFailure(_ error: any Error) -> Bool

    /// Finishes pending work and closes every connection; returns once closed.
    func shutdown()

    /// Runs `body`, a singleton duty's work, only while this process holds `duty` among all
    /// processes sharing the database; returns false at once, without running it, when another
    /// holds it. The backend keeps holding it while `body` runs (renewing a lease), and fences
    /// `body`'s writes through it: once another process took the duty over, they fail and
    /// commit nothing. Default (one process): runs `body`. See `SingletonDuty`.
    func whileHolding(_ duty: SingletonDuty, _ body: () async throws -> Void) async throws -> Bool

    /// The backend's own background work (`SingletonDuty.housekeeping`), run by the engine's
    /// maintenance loop once per pass. Default: none.
    func maintain() async throws
}

/// One transaction of an external backend: the storage port's protocols, plus the item
/// storage of each table. Handles never escape their body.
///
/// `ChangeLogStorage` (point-in-time recovery): the backend's item `commit` appends the log
/// row itself when the stored definition has PITR enabled, as `ItemStore.write` does, so that
/// it commits with the item; the engine creates, trims, drops and reads the log through the
/// transaction. Table snapshots (backups, exports) are walked through `rows(in:limit:)`;
/// on-demand backups are stored by `ExternalBackupStorage`.
public protocol ExternalStorageTransaction:
    CatalogStorage, StreamStorage, TriggerStorage, TransactionTokenStorage, ExpiryIndexStorage, ChangeLogStorage,
    ExternalBackupStorage
{
    /// The rows of `table`'s items in this transaction; `context` says how writes through it
    /// stamp stream records and check limits.
    func items(of table: TableDefinition, context: ItemWriteContext) throws -> any ExternalItemStorage

    /// TransactWriteItems, before its actions run: locks every item of `items` for this
    /// transaction without waiting, in an order of the backend's choosing (a fixed order, so two
    /// transactions never wait on each other). DynamoDB cancels a transaction colliding with an
    /// ongoing one rather than queueing it.
    ///
    /// - Returns: the position in `items` of an item another transaction holds (the body then
    ///   throws and commits nothing), or nil when all are locked. Default: nil, locking nothing.
    func lockTransactionItems(_ items: [TransactionItemKey]) throws -> Int?
}

/// The item storage of one table in one external transaction (the port's `ItemStorage`), with
/// the range read of Query and Scan pages.
public protocol ExternalItemStorage: ItemStorage {
    /// Range read (a Query or Scan page, `ItemRange`): the first `limit` rows of `range` in its
    /// order, strictly after `range.start` when set; fewer only when the range holds no more.
    ///
    /// The engine reads a page in batches: it calls again with `start` set to the last row's
    /// `position` until its page is full (`Limit`, 1 MB) or a batch comes back short, all in
    /// one read transaction, so every batch must come from the transaction's one snapshot.
    /// `limit` is at least 1 and bounded (`ExternalItemRows.maximumBatch`).
    ///
    /// - A table's rows (`range.index` nil) are its items; an index's rows are its stored
    ///   projections, keyed by the index key and then the table key (`RangePosition`), each
    ///   with every key attribute of the table and the index.
    /// - `.partition(hash:key:sort:)`: one partition's rows whose sort bytes are within `sort`,
    ///   in sort byte order (then table key order for an index), or its reverse for `.descending`.
    /// - `.hashSlice(low:high:)`: the rows whose partition hash `h` is in `[low, high)`, in
    ///   `(h, partition, sort)` order (then table key order for an index); the engine reads
    ///   slices `.ascending` only.
    func rows(in range: ItemRange, limit: Int) throws -> [ExternalRangeRow]
}

/// What item writes need beyond the change itself, as the engine configures it.
public struct ItemWriteContext: Sendable {
    /// The time of the write in seconds since 1970 (stream record timestamps, shard rollover).
    public var now: Double
    /// Seconds after which a stream's open shard is closed and a child opened.
    public var shardRollover: Double
    /// Who writes: a client, or the TTL sweeper (its deletions carry the service identity).
    public var origin: WriteOrigin
    /// DynamoDB's limit on an item collection of a table with local secondary indexes.
    public var itemCollectionLimit: Int64

    public init(now: Double, shardRollover: Double, origin: WriteOrigin, itemCollectionLimit: Int64) {
        self.now = now
        self.shardRollover = shardRollover
        self.origin = origin
        self.itemCollectionLimit = itemCollectionLimit
    }
}

/// Marks an error as a failure of an external backend's database (connection lost, COMMIT
/// failed), as `SQLiteError` is for SQLite.
public protocol ExternalStorageFailure: Error {}

extension KVError {
    /// A feature the storage backend in use cannot do yet (see `ExternalStorageBackend`).
    public static func unsupportedByBackend(_ feature: String) -> KVError {
        .validation("This storage backend does not support \(feature) yet")
    }
}
