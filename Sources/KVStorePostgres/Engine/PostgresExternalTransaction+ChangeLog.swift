import KVStore
import PostgresNIO

/// Point-in-time recovery's change log (`ChangeLogStorage`) in `kv_change_log` (schema step 4,
/// `PostgresBackupSchema.swift`): one shared table keyed by storage id, so enabling PITR is a
/// catalog change, not DDL. `PostgresExternalItems.commit` appends the row in the item's own
/// transaction. `seq` orders a key's changes: two writers of one item queue on its row lock,
/// so the later one's row is inserted after the earlier one committed.
extension PostgresExternalTransaction {
    /// Nothing to create: the rows live in the shared `kv_change_log`.
    func createChangeLog(of table: TableDefinition) throws {}

    func dropChangeLog(of table: TableDefinition) throws {
        let storageID = table.storageID
        try query("drop change log") { connection, logger in
            try await connection.query("DELETE FROM kv_change_log WHERE storage_id = \(storageID)", logger: logger)
            return ()
        }
    }

    func appendChangeLog(of table: TableDefinition, key: StorageKey, old: Item?, atMillis millis: Int64) throws {
        let storageID = table.storageID
        let pk = ByteBuffer(bytes: key.partition)
        let sk = ByteBuffer(bytes: key.sort)
        let hash = key.hash
        let old = old.map { ByteBuffer(bytes: ItemCodec.encode($0)) }
        try query("append change log") { connection, logger in
            try await connection.query(
                """
                INSERT INTO kv_change_log (storage_id, at, h, pk, sk, old)
                VALUES (\(storageID), \(millis), \(hash), \(pk), \(sk), \(old))
                """, logger: logger)
            return ()
        }
    }

    func trimChangeLog(of table: TableDefinition, beforeMillis millis: Int64) throws {
        let storageID = table.storageID
        try query("trim change log") { connection, logger in
            try await connection.query(
                "DELETE FROM kv_change_log WHERE storage_id = \(storageID) AND at < \(millis)", logger: logger)
            return ()
        }
    }

    func changeLogState(of table: TableDefinition, atMillis millis: Int64) throws -> [StorageKey: [UInt8]?] {
        let storageID = table.storageID
        return try query("change log state") { connection, logger in
            // Each key's first change after `millis`: its `old` is what the key held then.
            let rows = try await connection.query(
                """
                SELECT DISTINCT ON (h, pk, sk) h, pk, sk, old FROM kv_change_log
                WHERE storage_id = \(storageID) AND at > \(millis)
                ORDER BY h, pk, sk, seq
                """, logger: logger)
            var state: [StorageKey: [UInt8]?] = [:]
            for try await (hash, pk, sk, old) in rows.decode((Int64, ByteBuffer, ByteBuffer, ByteBuffer?).self) {
                let key = StorageKey(hash: hash, partition: Array(pk.readableBytesView), sort: Array(sk.readableBytesView))
                state[key] = .some(old.map { Array($0.readableBytesView) })
            }
            return state
        }
    }

    func changedKeys(of table: TableDefinition, afterMillis fromMillis: Int64, upToMillis toMillis: Int64) throws
        -> [(key: StorageKey, atMillis: Int64)]
    {
        let storageID = table.storageID
        return try query("changed keys") { connection, logger in
            let rows = try await connection.query(
                """
                SELECT h, pk, sk, max(at) FROM kv_change_log
                WHERE storage_id = \(storageID) AND at > \(fromMillis) AND at <= \(toMillis)
                GROUP BY h, pk, sk ORDER BY h, pk, sk
                """, logger: logger)
            var changed: [(key: StorageKey, atMillis: Int64)] = []
            for try await (hash, pk, sk, at) in rows.decode((Int64, ByteBuffer, ByteBuffer, Int64).self) {
                changed.append(
                    (StorageKey(hash: hash, partition: Array(pk.readableBytesView), sort: Array(sk.readableBytesView)), at))
            }
            return changed
        }
    }
}
