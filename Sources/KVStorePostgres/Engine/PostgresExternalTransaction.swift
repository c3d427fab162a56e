#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KVStore
import PostgresNIO

/// One engine transaction on PostgreSQL (`ExternalStorageTransaction`): the catalog, tokens and
/// TTL expiry index of the storage port over the shared tables of `PostgresSchema`, and the
/// item storage of each table (`PostgresExternalItems`).
///
/// Streams are in `PostgresExternalStreams.swift` (records queued by the body, appended by
/// `flushStreams` just before COMMIT), stream triggers' mappings and checkpoints in
/// `PostgresTriggerStorage.swift`.
final class PostgresExternalTransaction: ExternalStorageTransaction {
    let transaction: PostgresBlockingTransaction
    /// Whether this is a write transaction: its item reads lock their rows.
    let writes: Bool
    /// The item rows this transaction read under lock (nil: absent), by key, so that a commit
    /// knows whether it inserts or updates without reading again.
    var locked: [RowKey: ItemRow?] = [:]
    /// The tables this transaction checked against the catalog, by storage id.
    private var checked: [Int64: TableDefinition] = [:]
    /// The tables a read transaction has yet to check against the catalog (storage id: name).
    var unverified: [Int64: String] = [:]
    /// Stream records and shard closes of this transaction, written by `flushStreams`.
    var pendingStreams = PendingStreamWork()
    /// The streams of tables this transaction deleted, as stored (see `deleteTable`).
    var droppedTableStreams: [Int64] = []
    private let definitions: TableDefinitionCache
    /// Whether this read runs on the read replica (`PostgresReplica`), whose catalog may lag.
    let onReplica: Bool

    init(_ transaction: PostgresBlockingTransaction, writes: Bool, definitions: TableDefinitionCache, onReplica: Bool = false) {
        self.transaction = transaction
        self.writes = writes
        self.definitions = definitions
        self.onReplica = onReplica
    }

    func items(of table: TableDefinition, context: ItemWriteContext) throws -> any ExternalItemStorage {
        guard !writes else {
            return PostgresExternalItems(table: try currentDefinition(table), transaction: self, context: context)
        }
        // A read checks the catalog later: in its first point read's statement, else in
        // `verifyTables` after the body. Reads need only the table's storage id and the
        // engine's index numbers, never the stored definition.
        if checked[table.storageID] == nil { unverified[table.storageID] = table.name }
        return PostgresExternalItems(table: table, transaction: self, context: context)
    }

    /// Checks, after a read body, that every table it read is still the one it named (same
    /// storage id), as `currentDefinition` does before a write: ResourceNotFoundException
    /// otherwise, whatever the body found.
    ///
    /// It may run in a snapshot later than the body's reads (`runUnsnapshotted`: after a
    /// body's one statement without a transaction). It answers the same: the engine knew the
    /// table's storage id before the body began, so the table existed before the reads; a
    /// catalog row, once deleted, never comes back with the same storage id (ids are never
    /// reused); so a table present now was present, unchanged in id, at every moment of the
    /// body, and its items as read were a committed state of a live table. Checking after the
    /// read, not before, is what makes this hold: a check before a later read would let the
    /// read see a table deleted in between, its items half purged.
    func verifyTables() throws {
        // A body run again in a snapshot checks there.
        guard !unverified.isEmpty, !transaction.needsSnapshot else { return }
        let tables = unverified
        let missing = try transaction.runUnsnapshotted("table check") { connection, logger in
            try await Self.anyMissing(tables, on: connection, logger: logger)
        }
        unverified = [:]
        if missing { throw tableMissing() }
    }

    /// Runs a read statement and then, in the same blocking call, `verifyTables`' check of the
    /// tables not yet checked (after the read: see `verifyTables`): a Query or Scan page whose
    /// first batch is the whole page waits once.
    func readThenVerify<Result: Sendable>(
        _ what: String, _ operation: @escaping @Sendable (PostgresConnection, Logger) async throws -> Result
    ) throws -> Result {
        guard !unverified.isEmpty else { return try transaction.run(what, operation) }
        let tables = unverified
        let (result, missing) = try transaction.run(what) { connection, logger in
            let result = try await operation(connection, logger)
            return (result, try await Self.anyMissing(tables, on: connection, logger: logger))
        }
        unverified = [:]
        if missing { throw tableMissing() }
        return result
    }

    /// What a catalog check that did not find the table throws: ResourceNotFoundException on the
    /// primary; on the read replica `ReplicaCatalogBehind`, since the replica may not have
    /// replayed the CreateTable yet, and the primary decides (`PostgresExternalBackend.read`).
    func tableMissing() -> any Error {
        onReplica ? ReplicaCatalogBehind() : KVError.resourceNotFound("Requested resource not found")
    }

    /// Whether any of `tables` (storage id: name) is gone, or its name now has another id.
    private static func anyMissing(
        _ tables: [Int64: String], on connection: PostgresConnection, logger: Logger
    ) async throws -> Bool {
        for (storageID, name) in tables {
            var found: Int64?
            let rows = try await connection.query("SELECT storage_id FROM kv_tables WHERE name = \(name)", logger: logger)
            for try await id in rows.decode(Int64.self) { found = id }
            if found != storageID { return true }
        }
        return false
    }

    /// `table` as the catalog holds it in this transaction: the engine's cached definition may
    /// be behind another node's DDL. A table deleted (or deleted and created again) elsewhere
    /// is ResourceNotFoundException, so no write lands in a dropped table's rows; a table
    /// updated elsewhere (an index added, TTL enabled) gets its index and expiry rows by its
    /// stored definition. In a write transaction the catalog row is read `FOR SHARE`: DDL on
    /// the table waits for this write to commit, so the two never interleave.
    func currentDefinition(_ table: TableDefinition) throws -> TableDefinition {
        if let known = checked[table.storageID] { return known }
        let name = table.name
        let share = writes
        let row = try query("table check") { connection, logger in
            var found: (Int64, String)?
            let rows =
                if share {
                    try await connection.query(
                        "SELECT storage_id, definition FROM kv_tables WHERE name = \(name) FOR SHARE", logger: logger)
                } else {
                    try await connection.query("SELECT storage_id, definition FROM kv_tables WHERE name = \(name)", logger: logger)
                }
            for try await (storageID, text) in rows.decode((Int64, String).self) { found = (storageID, text) }
            return found.map { CatalogRow(name: name, storageID: $0.0, definition: $0.1) }
        }
        guard let row, row.storageID == table.storageID else { throw tableMissing() }
        let definition = try definitions.definition(row.definition)
        checked[table.storageID] = definition
        return definition
    }

    /// Runs a statement list on this transaction's connection (a blocking call).
    func query<Result: Sendable>(
        _ what: String, _ operation: @escaping @Sendable (PostgresConnection, Logger) async throws -> Result
    ) throws -> Result {
        try transaction.run(what, operation)
    }

    // MARK: CatalogStorage

    /// The schema is migrated by kvserver before the engine opens (`PostgresMigrator`).
    func migrateStorage() throws {}

    func loadTableDefinitions() throws -> [TableDefinition] {
        let texts = try query("load catalog") { connection, logger in
            var texts: [String] = []
            let rows = try await connection.query("SELECT definition FROM kv_tables ORDER BY name", logger: logger)
            for try await text in rows.decode(String.self) { texts.append(text) }
            return texts
        }
        return try texts.map(decode)
    }

    func tableDefinition(named name: String) throws -> TableDefinition? {
        let text = try query("find table") { connection, logger in
            var found: String?
            let rows = try await connection.query("SELECT definition FROM kv_tables WHERE name = \(name)", logger: logger)
            for try await text in rows.decode(String.self) { found = text }
            return found
        }
        return try text.map(decode)
    }

    func nextStorageID() throws -> Int64 {
        try query("next storage id") { connection, logger in
            var next: Int64?
            for try await value in try await connection.query("SELECT nextval('kv_storage_ids')", logger: logger).decode(Int64.self) {
                next = value
            }
            guard let next else { throw PostgresStorageError.unexpected("nextval returned no row") }
            return next
        }
    }

    func createTable(_ definition: TableDefinition) throws -> Bool {
        let text = try Self.encode(definition)
        let name = definition.name
        let storageID = definition.storageID
        // One of several concurrent CreateTable calls on any nodes inserts; the others wait
        // for it on the name's unique index and then insert nothing (ResourceInUseException).
        return try query("create table") { connection, logger in
            var created = false
            let rows = try await connection.query(
                """
                INSERT INTO kv_tables (name, storage_id, definition) VALUES (\(name), \(storageID), \(text))
                ON CONFLICT (name) DO NOTHING RETURNING 1
                """, logger: logger)
            for try await _ in rows { created = true }
            return created
        }
    }

    func saveTableDefinition(_ definition: TableDefinition) throws {
        let text = try Self.encode(definition)
        let name = definition.name
        let storageID = definition.storageID
        try query("save table") { connection, logger in
            try await connection.query(
                "UPDATE kv_tables SET definition = \(text) WHERE name = \(name) AND storage_id = \(storageID)",
                logger: logger)
            return ()
        }
    }

    /// Removes the catalog row and records the storage id in `kv_dropped_tables` for
    /// `PostgresTablePurge` (its rows are deleted in the background, not in the request).
    func deleteTable(_ definition: TableDefinition) throws -> Bool {
        let name = definition.name
        let storageID = definition.storageID
        let dropped = WallClock.now()
        let stored = try query("delete table") { connection, logger in
            var stored: String?
            let rows = try await connection.query(
                """
                WITH gone AS (DELETE FROM kv_tables WHERE name = \(name) AND storage_id = \(storageID) RETURNING storage_id, definition),
                marked AS (INSERT INTO kv_dropped_tables (storage_id, dropped) SELECT storage_id, \(dropped) FROM gone
                           ON CONFLICT (storage_id) DO NOTHING)
                SELECT definition FROM gone
                """, logger: logger)
            for try await text in rows.decode(String.self) { stored = text }
            return stored
        }
        guard let stored else { return false }
        // The engine drops the streams its cached definition knows; a stream enabled on
        // another node is known only to the stored one (`dropStreams` drops both).
        droppedTableStreams += try decode(stored).streams.map(\.id)
        return true
    }

    /// Index rows live in the shared `kv_index_items`: nothing to create.
    func createIndexStorage(_ index: IndexDefinition, of table: TableDefinition) throws {}

    func dropIndexStorage(_ index: IndexDefinition, of table: TableDefinition) throws {
        let storageID = table.storageID
        let indexNo = try Self.indexNo(index)
        try query("drop index rows") { connection, logger in
            try await connection.query(
                "DELETE FROM kv_index_items WHERE storage_id = \(storageID) AND index_no = \(indexNo)", logger: logger)
            try await connection.query(
                "DELETE FROM kv_backfill WHERE storage_id = \(storageID) AND index_no = \(indexNo)", logger: logger)
            return ()
        }
    }

    /// Expiry rows live in the shared `kv_expiry`: nothing to create.
    func createExpiryIndex(of table: TableDefinition) throws {}

    func dropExpiryIndex(of table: TableDefinition) throws {
        let storageID = table.storageID
        try query("drop expiry rows") { connection, logger in
            try await connection.query("DELETE FROM kv_expiry WHERE storage_id = \(storageID)", logger: logger)
            return ()
        }
    }

    func storedUsage(of table: TableDefinition, index: IndexDefinition?) throws -> StoredUsage {
        let storageID = table.storageID
        let indexNo = try index.map(Self.indexNo)
        return try query("stored usage") { connection, logger in
            let rows =
                if let indexNo {
                    try await connection.query(
                        """
                        SELECT COUNT(*), COALESCE(SUM(size), 0)::bigint FROM kv_index_items
                        WHERE storage_id = \(storageID) AND index_no = \(indexNo)
                        """, logger: logger)
                } else {
                    try await connection.query(
                        "SELECT COUNT(*), COALESCE(SUM(size), 0)::bigint FROM kv_items WHERE storage_id = \(storageID)",
                        logger: logger)
                }
            var usage = StoredUsage(itemCount: 0, sizeBytes: 0)
            for try await (count, size) in rows.decode((Int64, Int64).self) {
                usage = StoredUsage(itemCount: count, sizeBytes: size)
            }
            return usage
        }
    }

    // MARK: TransactionTokenStorage

    func purgeTransactionTokens(recordedBefore seconds: Int64) throws {
        try query("purge tokens") { connection, logger in
            try await connection.query("DELETE FROM kv_transaction_tokens WHERE created < \(seconds)", logger: logger)
            return ()
        }
    }

    func transactionTokenFingerprint(_ token: String) throws -> String? {
        try query("token") { connection, logger in
            var found: String?
            let rows = try await connection.query(
                "SELECT fingerprint FROM kv_transaction_tokens WHERE token = \(token)", logger: logger)
            for try await fingerprint in rows.decode(String.self) { found = fingerprint }
            return found
        }
    }

    /// Records a token in the transaction of its writes. A concurrent call with the same token
    /// (on any node) that recorded it first makes this insert wait for its COMMIT and then insert
    /// nothing: a `.concurrentInsert` conflict, which runs this whole transaction again, where
    /// `transactionTokenFingerprint` now finds the token (the call is answered as a replay and
    /// writes nothing).
    func recordTransactionToken(_ token: String, fingerprint: String, at seconds: Int64) throws {
        let inserted = try query("record token") { connection, logger in
            var inserted = false
            let rows = try await connection.query(
                """
                INSERT INTO kv_transaction_tokens (token, fingerprint, created) VALUES (\(token), \(fingerprint), \(seconds))
                ON CONFLICT (token) DO NOTHING RETURNING 1
                """, logger: logger)
            for try await _ in rows { inserted = true }
            return inserted
        }
        if !inserted { throw PostgresConflict(.concurrentInsert) }
    }

    // MARK: ExpiryIndexStorage

    func expiredItemKeys(of table: TableDefinition, in range: ClosedRange<Int64>, limit: Int) throws -> [StorageKey] {
        let storageID = table.storageID
        let lower = range.lowerBound
        let upper = range.upperBound
        let limit = Int64(max(0, limit))
        return try query("expired keys") { connection, logger in
            let rows = try await connection.query(
                """
                SELECT h, pk, sk FROM kv_expiry
                WHERE storage_id = \(storageID) AND expires >= \(lower) AND expires <= \(upper)
                ORDER BY expires, h, pk, sk LIMIT \(limit)
                """, logger: logger)
            var keys: [StorageKey] = []
            for try await (hash, pk, sk) in rows.decode((Int64, ByteBuffer, ByteBuffer).self) {
                keys.append(StorageKey(hash: hash, partition: Array(pk.readableBytesView), sort: Array(sk.readableBytesView)))
            }
            return keys
        }
    }

    // StreamStorage: PostgresExternalStreams.swift

    // TriggerStorage: Triggers/PostgresTriggerStorage.swift

    // MARK: Helpers

    static func encode(_ definition: TableDefinition) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(definition), as: UTF8.self)
    }

    func decode(_ text: String) throws -> TableDefinition {
        try definitions.definition(text)
    }

    /// The `index_no` column of an index: its number within the table, never reused.
    static func indexNo(_ index: IndexDefinition) throws -> Int32 {
        guard let number = Int32(exactly: index.number) else {
            throw PostgresStorageError.unexpected("an index number beyond 32 bits")
        }
        return number
    }
}
