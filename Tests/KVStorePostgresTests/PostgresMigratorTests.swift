import KVStorePostgres
import PostgresNIO
import Testing

@Suite(.timeLimit(.minutes(2))) struct PostgresMigratorTests {
    @Test func createsTheSchemaOnceAndThenHasNothingToDo() async throws {
        let settings = try await TestPostgres.freshDatabase()
        try await PostgresPool.withRunning(settings: settings, logger: TestPostgres.logger) { pool in
            let first = try await PostgresMigrator.migrate(pool)
            #expect(first.found == 0)
            #expect(first.now == PostgresSchema.currentVersion)
            let second = try await PostgresMigrator.migrate(pool)
            #expect(second.found == PostgresSchema.currentVersion)
            let tables = try await names(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename", pool)
            #expect(tables == [
                "kv_backfill", "kv_backup_items", "kv_backups", "kv_change_log", "kv_dropped_tables", "kv_expiry",
                "kv_index_items", "kv_items", "kv_leases", "kv_schema_version", "kv_shards", "kv_stream_records",
                "kv_tables", "kv_transaction_tokens", "kv_trigger_checkpoints", "kv_trigger_mappings",
            ])
        }
    }

    @Test func nodesStartingTogetherMigrateOnce() async throws {
        let settings = try await TestPostgres.freshDatabase()
        let results = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    try await PostgresPool.withRunning(settings: settings, logger: TestPostgres.logger) { pool in
                        try await PostgresMigrator.migrate(pool).found
                    }
                }
            }
            var found: [Int] = []
            for try await value in group { found.append(value) }
            return found.sorted()
        }
        // One node found an empty database; the others, serialized behind it, found it done.
        #expect(results == [0] + Array(repeating: PostgresSchema.currentVersion, count: 3))
    }

    @Test func appliesOnlyTheMigrationsMissing() async throws {
        let settings = try await TestPostgres.freshDatabase()
        try await PostgresPool.withRunning(settings: settings, logger: TestPostgres.logger) { pool in
            try await PostgresMigrator.migrate(pool)
            let next = PostgresMigration(version: PostgresSchema.currentVersion + 1, statements: [
                "CREATE TABLE kv_future (x integer)"
            ])
            let result = try await PostgresMigrator.migrate(pool, migrations: PostgresSchema.migrations + [next])
            #expect(result.found == PostgresSchema.currentVersion)
            #expect(result.now == next.version)
            #expect(try await names("SELECT version::text FROM kv_schema_version ORDER BY version", pool)
                == (1...next.version).map(String.init))
        }
    }

    @Test func refusesASchemaNewerThanItKnows() async throws {
        let settings = try await TestPostgres.freshDatabase()
        try await PostgresPool.withRunning(settings: settings, logger: TestPostgres.logger) { pool in
            try await PostgresMigrator.migrate(pool)
            let newer = Int32(PostgresSchema.currentVersion + 5)
            try await pool.client.query("INSERT INTO kv_schema_version (version) VALUES (\(newer))", logger: TestPostgres.logger)
            await #expect {
                try await PostgresMigrator.migrate(pool)
            } throws: { error in
                guard let error = error as? PostgresStorageError,
                    case .schemaTooNew(let found, let known) = error
                else { return false }
                return found == Int(newer) && known == PostgresSchema.currentVersion
                    && error.description.contains("newer than this kvserver knows")
            }
        }
    }

    @Test func aFailedMigrationLeavesNothingBehind() async throws {
        let settings = try await TestPostgres.freshDatabase()
        try await PostgresPool.withRunning(settings: settings, logger: TestPostgres.logger) { pool in
            try await PostgresMigrator.migrate(pool)
            let broken = PostgresMigration(version: PostgresSchema.currentVersion + 1, statements: [
                "CREATE TABLE kv_half_done (x integer)", "THIS IS NOT SQL",
            ])
            await #expect(throws: PSQLError.self) {
                try await PostgresMigrator.migrate(pool, migrations: PostgresSchema.migrations + [broken])
            }
            #expect(try await names("SELECT tablename FROM pg_tables WHERE tablename = 'kv_half_done'", pool).isEmpty)
            #expect(try await PostgresMigrator.migrate(pool).found == PostgresSchema.currentVersion)
        }
    }

    private func names(_ sql: String, _ pool: PostgresPool) async throws -> [String] {
        var names: [String] = []
        for try await name in try await pool.client.query(PostgresQuery(unsafeSQL: sql), logger: TestPostgres.logger).decode(String.self) {
            names.append(name)
        }
        return names
    }
}
