public import PostgresNIO

/// One catalog row: a DynamoDB table's name, its storage id (the `storage_id` of its rows in
/// the shared item, index and expiry tables) and its `TableDefinition` JSON.
public struct CatalogRow: Sendable, Equatable {
    public var name: String
    public var storageID: Int64
    public var definition: String

    public init(name: String, storageID: Int64, definition: String) {
        self.name = name
        self.storageID = storageID
        self.definition = definition
    }
}

/// The catalog of tables (`kv_tables`), shared by every node.
///
/// Names are `COLLATE "C"`: listed in byte order, the order the SQLite adapter gives ListTables.
/// Storage ids come from a sequence and are never reused, so rows a deleted table left behind
/// (removed in the background) can never be mistaken for a new table's.
public enum PostgresCatalog {
    /// Adds a table, in the caller's transaction.
    ///
    /// - Returns: its new row, or nil when a table of that name exists (ResourceInUseException).
    public static func create(
        name: String, definition: String, on connection: PostgresConnection, logger: Logger
    ) async throws -> CatalogRow? {
        let rows = try await connection.query(
            """
            INSERT INTO kv_tables (name, storage_id, definition)
            VALUES (\(name), nextval('kv_storage_ids'), \(definition))
            ON CONFLICT (name) DO NOTHING RETURNING storage_id
            """, logger: logger)
        var created: CatalogRow?
        for try await storageID in rows.decode(Int64.self) {
            created = CatalogRow(name: name, storageID: storageID, definition: definition)
        }
        return created
    }

    /// The row of table `name`, or nil.
    public static func find(_ name: String, pool: PostgresPool) async throws -> CatalogRow? {
        let rows = try await pool.client.query(
            "SELECT storage_id, definition FROM kv_tables WHERE name = \(name)", logger: pool.logger)
        var found: CatalogRow?
        for try await (storageID, definition) in rows.decode((Int64, String).self) {
            found = CatalogRow(name: name, storageID: storageID, definition: definition)
        }
        return found
    }

    /// Replaces the definition of table `name` (UpdateTable, status changes), in the caller's
    /// transaction. Returns false when there is no such table.
    public static func update(
        name: String, definition: String, on connection: PostgresConnection, logger: Logger
    ) async throws -> Bool {
        let rows = try await connection.query(
            "UPDATE kv_tables SET definition = \(definition) WHERE name = \(name) RETURNING 1", logger: logger)
        var updated = false
        for try await _ in rows { updated = true }
        return updated
    }

    /// Removes table `name` from the catalog, in the caller's transaction, and records its
    /// storage id for `PostgresTablePurge`, which deletes its rows in the background (DeleteTable
    /// answers at once; a large table's rows are not deleted in its request).
    ///
    /// - Returns: the removed row, or nil.
    public static func delete(
        _ name: String, dropped: Double = 0, on connection: PostgresConnection, logger: Logger
    ) async throws -> CatalogRow? {
        let rows = try await connection.query(
            """
            WITH gone AS (DELETE FROM kv_tables WHERE name = \(name) RETURNING storage_id, definition),
            marked AS (INSERT INTO kv_dropped_tables (storage_id, dropped) SELECT storage_id, \(dropped) FROM gone)
            SELECT storage_id, definition FROM gone
            """, logger: logger)
        var deleted: CatalogRow?
        for try await (storageID, definition) in rows.decode((Int64, String).self) {
            deleted = CatalogRow(name: name, storageID: storageID, definition: definition)
        }
        return deleted
    }

    /// Up to `limit` table names after `exclusiveStart`, in byte order (ListTables).
    public static func names(after exclusiveStart: String?, limit: Int, pool: PostgresPool) async throws -> [String] {
        let limit = Int64(max(0, limit))
        // The empty string sorts before every name (and no table has it).
        let start = exclusiveStart ?? ""
        let rows = try await pool.client.query(
            "SELECT name FROM kv_tables WHERE name > \(start) ORDER BY name LIMIT \(limit)", logger: pool.logger)
        var names: [String] = []
        for try await name in rows.decode(String.self) { names.append(name) }
        return names
    }
}
