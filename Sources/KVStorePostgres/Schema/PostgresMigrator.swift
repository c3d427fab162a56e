import PostgresNIO

/// Brings a database's schema to the version this kvserver knows, when kvserver starts.
///
/// Several kvservers may start at once against a new database: the migration runs in one
/// transaction under a transaction-level advisory lock, so one node migrates and the others,
/// once it commits, find nothing left to do. A database whose schema is newer than this build's
/// is refused (`PostgresStorageError.schemaTooNew`): an old binary must not write a layout it
/// does not know.
public enum PostgresMigrator {
    /// The advisory lock key of migrations ("kvstore" in ASCII).
    static let lockKey: Int64 = 0x6B_7673_746F_7265

    /// Migrates the database of `pool`.
    ///
    /// - Returns: the version found and the version left.
    @discardableResult
    public static func migrate(
        _ pool: PostgresPool,
        migrations: [PostgresMigration] = PostgresSchema.migrations
    ) async throws -> (found: Int, now: Int) {
        let known = migrations.last?.version ?? 0
        return try await pool.retryingConflicts { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(lockKey))", logger: pool.logger)
            try await connection.query(
                """
                CREATE TABLE IF NOT EXISTS kv_schema_version (
                    version integer PRIMARY KEY,
                    applied timestamptz NOT NULL DEFAULT now()
                )
                """, logger: pool.logger)
            let rows = try await connection.query(
                "SELECT coalesce(max(version), 0)::integer FROM kv_schema_version", logger: pool.logger)
            var found = 0
            for try await (version) in rows.decode(Int32.self) { found = Int(version) }
            guard found <= known else {
                throw PostgresStorageError.schemaTooNew(found: found, known: known)
            }
            for migration in migrations where migration.version > found {
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: pool.logger)
                }
                try await connection.query(
                    "INSERT INTO kv_schema_version (version) VALUES (\(Int32(migration.version)))",
                    logger: pool.logger)
            }
            return (found, max(found, known))
        }
    }
}
