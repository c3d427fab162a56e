import PostgresNIO

/// Deletes a deleted table's rows in the background, in batches: `PostgresCatalog.delete`
/// removes the catalog row and records the storage id in `kv_dropped_tables`; this duty (one node
/// at a time, under a `PostgresLease`; running it twice is harmless) then deletes the table's
/// items, index rows, expiry rows and backfill progress a batch at a time, each batch its own
/// short transaction, so that no transaction holds many locks or runs long, and forgets the
/// storage id once nothing is left. Storage ids are never reused, so a table created anew under
/// the same name is untouched. Stream records stay: a deleted table's stream remains readable
/// for 24 hours and goes with stream trimming.
/// See https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DeleteTable.html
public enum PostgresTablePurge {
    /// The storage ids of deleted tables whose rows are not all purged yet, oldest first.
    public static func pending(pool: PostgresPool) async throws -> [Int64] {
        let rows = try await pool.client.query(
            "SELECT storage_id FROM kv_dropped_tables ORDER BY dropped, storage_id", logger: pool.logger)
        var ids: [Int64] = []
        for try await id in rows.decode(Int64.self) { ids.append(id) }
        return ids
    }

    /// Deletes up to `batchSize` rows of each of the table's row kinds, in one transaction,
    /// fenced by the duty's lease when it runs as one (`fence`, by default the current task's).
    ///
    /// - Returns: how many rows were deleted; 0 when none were left (the table is then forgotten).
    public static func purgeBatch(
        storageID: Int64, batchSize: Int = 1000, pool: PostgresPool, fence: PostgresDutyFence? = PostgresDutyFence.current
    ) async throws -> Int {
        let limit = Int64(max(1, batchSize))
        return try await pool.transaction { connection in
            try await fence?.check(on: connection)
            // Each batch by primary key (no `ctid`: portable to PostgreSQL-compatible engines).
            let statements: [PostgresQuery] = [
                """
                DELETE FROM kv_items WHERE (storage_id, h, pk, sk) IN (
                    SELECT storage_id, h, pk, sk FROM kv_items WHERE storage_id = \(storageID) LIMIT \(limit))
                RETURNING 1
                """,
                """
                DELETE FROM kv_index_items WHERE (storage_id, index_no, h, pk, sk, tpk, tsk) IN (
                    SELECT storage_id, index_no, h, pk, sk, tpk, tsk FROM kv_index_items
                    WHERE storage_id = \(storageID) LIMIT \(limit))
                RETURNING 1
                """,
                """
                DELETE FROM kv_expiry WHERE (storage_id, expires, h, pk, sk) IN (
                    SELECT storage_id, expires, h, pk, sk FROM kv_expiry WHERE storage_id = \(storageID) LIMIT \(limit))
                RETURNING 1
                """,
                "DELETE FROM kv_backfill WHERE storage_id = \(storageID) RETURNING 1",
                """
                DELETE FROM kv_change_log WHERE (storage_id, seq) IN (
                    SELECT storage_id, seq FROM kv_change_log WHERE storage_id = \(storageID) LIMIT \(limit))
                RETURNING 1
                """,
            ]
            var deleted = 0
            for statement in statements {
                for try await _ in try await connection.query(statement, logger: pool.logger) { deleted += 1 }
            }
            if deleted == 0 {
                try await connection.query("DELETE FROM kv_dropped_tables WHERE storage_id = \(storageID)", logger: pool.logger)
            }
            return deleted
        }
    }

    /// Purges every pending table, batch after batch, until none is left (or the task is
    /// cancelled: the next run goes on where this one stopped).
    ///
    /// - Returns: how many rows were deleted.
    @discardableResult
    public static func purgeAll(
        batchSize: Int = 1000, pool: PostgresPool, fence: PostgresDutyFence? = PostgresDutyFence.current
    ) async throws -> Int {
        var total = 0
        for storageID in try await pending(pool: pool) {
            while true {
                try Task.checkCancellation()
                let deleted = try await purgeBatch(storageID: storageID, batchSize: batchSize, pool: pool, fence: fence)
                if deleted == 0 { break }
                total += deleted
            }
        }
        return total
    }
}
