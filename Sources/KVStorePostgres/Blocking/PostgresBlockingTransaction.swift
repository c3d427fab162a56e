public import PostgresNIO

/// One PostgreSQL transaction as the engine's synchronous code sees it: every call blocks its
/// thread until PostgreSQL answers (at most the runner's `callTimeout`).
///
/// Made by `PostgresTransactionRunner` for one body, on one thread: a call from another thread,
/// or after the body returned, fails with `transactionMisuse`. Values are bytes and plain
/// numbers (`RowKey`, `ItemRow`, ...): the engine encodes and decodes.
public final class PostgresBlockingTransaction {
    public let mode: PostgresTransactionMode
    let connection: PostgresConnection
    let logger: Logger
    private let marker: TransactionThreadMarker
    private let callTimeout: Duration
    private var ended = false
    /// Stream records of `commit`, appended just before COMMIT.
    var pendingAppends: [StreamAppend] = []

    init(
        connection: PostgresConnection, logger: Logger, mode: PostgresTransactionMode,
        marker: TransactionThreadMarker, callTimeout: Duration
    ) {
        self.connection = connection
        self.logger = logger
        self.mode = mode
        self.marker = marker
        self.callTimeout = callTimeout
    }

    /// Runs an async operation on this transaction's connection and waits for it: the way to
    /// any of the module's `on connection:` functions not wrapped below.
    public func run<Result: Sendable>(
        _ what: String, _ operation: @escaping @Sendable (PostgresConnection, Logger) async throws -> Result
    ) throws -> Result {
        guard !ended else { throw PostgresStorageError.transactionMisuse("used after its transaction ended") }
        guard PostgresTransactionRunner.current.currentValue === marker else {
            throw PostgresStorageError.transactionMisuse("used off the thread running its transaction")
        }
        let connection = connection
        let logger = logger
        return try Blocking.wait(what, timeout: callTimeout) { try await operation(connection, logger) }
    }

    func execute(_ sql: String) throws {
        try run(sql) { connection, logger in
            try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
            return ()
        }
    }

    func end() {
        ended = true
    }

    // MARK: Items

    /// The item at `key` (in a read transaction: as of its snapshot).
    public func read(_ key: RowKey) throws -> ItemRow? {
        try run("read") { connection, logger in
            var found: ItemRow?
            for try await item in try await connection.execute(ItemStatements.Select(key: key), logger: logger) {
                found = item
            }
            return found
        }
    }

    /// The item at `key`, locked until this transaction ends (see `PostgresItems.readForUpdate`).
    public func readForUpdate(_ key: RowKey, noWait: Bool = false) throws -> ItemRow? {
        try run("readForUpdate") { connection, logger in
            try await PostgresItems.readForUpdate(key, noWait: noWait, on: connection, logger: logger)
        }
    }

    /// Writes the item row only (see `PostgresItems.apply`); `commit` writes a whole change set.
    public func apply(_ write: ItemWrite, at key: RowKey, replacing old: ItemRow?) throws {
        try run("apply") { connection, logger in
            try await PostgresItems.apply(write, at: key, replacing: old, on: connection, logger: logger)
        }
    }

    /// A Query's range read (see `PostgresItems.range`).
    public func range(
        partition: RowKey, _ range: SortKeyRange, forward: Bool = true, limit: Int32
    ) throws -> [(sk: [UInt8], item: ItemRow)] {
        try run("range") { connection, logger in
            try await PostgresItems.range(
                partition: partition, range, forward: forward, limit: limit, on: connection, logger: logger)
        }
    }

    /// A Scan page (see `PostgresItems.scan`).
    public func scan(
        storageID: Int64, hashes: ClosedRange<Int64> = Int64.min...Int64.max, after: ScanPosition?, limit: Int32
    ) throws -> [(position: ScanPosition, item: ItemRow)] {
        try run("scan") { connection, logger in
            try await PostgresItems.scan(
                storageID: storageID, hashes: hashes, after: after, limit: limit, on: connection, logger: logger)
        }
    }

    // MARK: Indexes

    /// A Query of an index partition (see `PostgresIndexRows.range`).
    public func indexRange(
        storageID: Int64, indexNo: Int32, hash: Int64, pk: [UInt8], _ range: SortKeyRange,
        forward: Bool = true, after position: IndexPosition? = nil, limit: Int32
    ) throws -> [(key: IndexRowKey, row: ItemRow)] {
        try run("indexRange") { connection, logger in
            try await PostgresIndexRows.range(
                storageID: storageID, indexNo: indexNo, hash: hash, pk: pk, range, forward: forward,
                after: position, limit: limit, on: connection, logger: logger)
        }
    }

    /// A Scan page of an index (see `PostgresIndexRows.scan`).
    public func indexScan(
        storageID: Int64, indexNo: Int32, hashes: ClosedRange<Int64> = Int64.min...Int64.max,
        after: IndexScanPosition?, limit: Int32
    ) throws -> [(key: IndexRowKey, row: ItemRow)] {
        try run("indexScan") { connection, logger in
            try await PostgresIndexRows.scan(
                storageID: storageID, indexNo: indexNo, hashes: hashes, after: after, limit: limit,
                on: connection, logger: logger)
        }
    }

    // MARK: Streams and tokens

    /// The open shards of a stream, as this transaction sees them (see `PostgresStreams.openShards`).
    public func openShards(streamID: Int64) throws -> [Int32] {
        try run("openShards") { connection, logger in
            try await PostgresStreams.openShards(streamID: streamID, on: connection, logger: logger)
        }
    }

    /// Claims a TransactWriteItems token in this transaction (see `PostgresTokens.claim`).
    public func claimToken(
        _ token: String, fingerprint: String, now: Int64, lifetimeSeconds: Int64 = 600
    ) throws -> PostgresTokens.Claim {
        try run("claimToken") { connection, logger in
            try await PostgresTokens.claim(
                token, fingerprint: fingerprint, now: now, lifetimeSeconds: lifetimeSeconds,
                on: connection, logger: logger)
        }
    }
}
