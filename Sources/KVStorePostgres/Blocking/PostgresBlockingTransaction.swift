import NIOConcurrencyHelpers
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
    /// Where the connection stands: outside a transaction, or with BEGIN (and the statements
    /// that open the transaction) still to send with the body's first statement, or inside it.
    private(set) var opening: PostgresTransactionOpening
    /// Statements the body ran in `.autocommit` (one at most: see `PostgresTransactionOpening`).
    private var autocommitStatements = 0
    /// Set when an `.autocommit` body asked for a second statement: the runner runs the body
    /// again inside a snapshot, whatever the body did with the refusal.
    private(set) var needsSnapshot = false
    /// Set when a call timed out: the runner closes the connection instead of pooling it.
    private(set) var unsound = false
    /// Statements whose answer the body does not wait for (an item's change set, stream
    /// appends): sent before the next statement, or before COMMIT, in the same blocking call.
    private var queued: [@Sendable (PostgresConnection, Logger) async throws -> Void] = []

    init(
        connection: PostgresConnection, logger: Logger, mode: PostgresTransactionMode,
        opening: PostgresTransactionOpening, marker: TransactionThreadMarker, callTimeout: Duration
    ) {
        self.connection = connection
        self.logger = logger
        self.mode = mode
        self.opening = opening
        self.marker = marker
        self.callTimeout = callTimeout
    }

    /// Whether BEGIN was sent: the runner ends with ROLLBACK only then.
    var began: Bool { opening == .open }

    /// Whether the runner must send COMMIT: BEGIN was sent, or statements wait to be.
    var needsCommit: Bool { began || !queued.isEmpty }

    /// Runs an async operation on this transaction's connection and waits for it: the way to
    /// any of the module's `on connection:` functions not wrapped below.
    ///
    /// In a `.read` body run without a transaction (`PostgresTransactionOpening.autocommit`),
    /// a second call is refused, and the runner runs the body again inside a snapshot.
    public func run<Result: Sendable>(
        _ what: String, _ operation: @escaping @Sendable (PostgresConnection, Logger) async throws -> Result
    ) throws -> Result {
        if opening == .autocommit {
            guard autocommitStatements == 0 else {
                needsSnapshot = true
                throw SnapshotNeeded()
            }
            autocommitStatements += 1
        }
        return try send(what, operation)
    }

    /// As `run`, for a statement whose answer holds whether or not it shares the body's
    /// snapshot (`PostgresExternalTransaction.verifyTables`: a table present now was present at
    /// any earlier snapshot of the same body); it does not count as the `.autocommit` body's
    /// one statement.
    public func runUnsnapshotted<Result: Sendable>(
        _ what: String, _ operation: @escaping @Sendable (PostgresConnection, Logger) async throws -> Result
    ) throws -> Result {
        try send(what, operation)
    }

    /// Refuses a write call in an `.autocommit` body, as a second statement is refused: the
    /// body runs again inside its `REPEATABLE READ READ ONLY` transaction, where PostgreSQL
    /// refuses the write (SQLSTATE 25006) as it always did. Without this, a write that was a
    /// read body's first statement would commit on its own.
    func requireTransaction() throws {
        guard opening == .autocommit else { return }
        needsSnapshot = true
        throw SnapshotNeeded()
    }

    /// Queues a statement whose answer nobody waits for (a write that fails only as an error):
    /// it goes out with the next statement or before COMMIT, in the same blocking call, and
    /// its failure fails that call. Refused in an `.autocommit` body, as any write.
    func enqueue(_ statement: @escaping @Sendable (PostgresConnection, Logger) async throws -> Void) throws {
        try requireTransaction()
        queued.append(statement)
    }

    /// Sends what is queued and COMMIT in one blocking call. A failure before COMMIT was sent
    /// is `NotCommitted` (the transaction is to be rolled back as after the body's own
    /// failures); one of COMMIT itself is thrown as it is.
    func commitQueued() throws {
        let committing = NIOLockedValueBox(false)
        do {
            try send("COMMIT") { connection, logger in
                committing.withLockedValue { $0 = true }
                try await connection.query("COMMIT", logger: logger)
                return ()
            }
        } catch {
            if committing.withLockedValue({ $0 }) { throw error }
            throw NotCommitted(error: error)
        }
    }

    /// Drops what is queued and sends ROLLBACK.
    func rollback() throws {
        queued = []
        try execute("ROLLBACK")
    }

    /// Sends the opening statements still pending and the queued ones, then `operation`, in
    /// one blocking call (one task, no wait for the thread in between).
    private func send<Result: Sendable>(
        _ what: String, _ operation: @escaping @Sendable (PostgresConnection, Logger) async throws -> Result
    ) throws -> Result {
        guard !ended else { throw PostgresStorageError.transactionMisuse("used after its transaction ended") }
        guard PostgresTransactionRunner.current.currentValue === marker else {
            throw PostgresStorageError.transactionMisuse("used off the thread running its transaction")
        }
        let connection = connection
        // A connection the server ended while it was idle (a terminated session, a restart):
        // postgres-nio 1.33 may never answer a statement sent on it (seen: every COMMIT after
        // `pg_terminate_backend` from another session); fail at once instead of at the timeout.
        // Nothing sent here reached the server, so nothing of it can have been applied.
        if connection.isClosed { throw PostgresStorageError.connectionLost(what) }
        let logger = logger
        var opening: [String] = []
        if case .pending(let statements) = self.opening {
            opening = statements
            // From here on the transaction may be open: on failure the runner rolls back
            // (a ROLLBACK outside a transaction is a warning, not an error).
            self.opening = .open
        }
        let queued = queued
        self.queued = []
        do {
            return try Blocking.wait(what, timeout: callTimeout, on: connection.eventLoop) { [opening] in
                for sql in opening {
                    try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
                }
                for statement in queued {
                    try await statement(connection, logger)
                }
                return try await operation(connection, logger)
            }
        } catch PostgresStorageError.timedOut(let what) {
            // A statement may still be running: the connection must not serve another body.
            unsound = true
            throw PostgresStorageError.timedOut(what)
        }
    }

    func execute(_ sql: String) throws {
        try send(sql) { connection, logger in
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

    /// The item at `key`, if the table named `table` still has `key`'s storage id: one
    /// statement (one snapshot) for the catalog check and the read. Nil when the table is gone
    /// or is another table of the same name.
    func read(_ key: RowKey, inTable table: String) throws -> ItemRow?? {
        try run("read") { connection, logger in
            var found: ItemRow??
            for try await row in try await connection.execute(
                ItemStatements.SelectInTable(key: key, table: table), logger: logger)
            where row.storageID == key.storageID {
                found = .some(row.item)
            }
            return found
        }
    }

    /// The item at `key`, locked until this transaction ends (see `PostgresItems.readForUpdate`).
    public func readForUpdate(_ key: RowKey, noWait: Bool = false) throws -> ItemRow? {
        try requireTransaction()
        return try run("readForUpdate") { connection, logger in
            try await PostgresItems.readForUpdate(key, noWait: noWait, on: connection, logger: logger)
        }
    }

    /// Writes the item row only (see `PostgresItems.apply`); `commit` writes a whole change set.
    public func apply(_ write: ItemWrite, at key: RowKey, replacing old: ItemRow?) throws {
        try requireTransaction()
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
        try requireTransaction()
        return try run("claimToken") { connection, logger in
            try await PostgresTokens.claim(
                token, fingerprint: fingerprint, now: now, lifetimeSeconds: lifetimeSeconds,
                on: connection, logger: logger)
        }
    }
}
