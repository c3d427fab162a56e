#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KVStore
import PostgresNIO

/// On-demand backups in the shared database (`ExternalBackupStorage`; tables `kv_backups` and
/// `kv_backup_items`, schema step 4, `PostgresBackupSchema.swift`): every kvserver on the
/// database sees every backup.
///
/// A backup is made by one write transaction switched to REPEATABLE READ before its first
/// statement: the catalog row is read (`FOR SHARE`: the table cannot be deleted under the copy),
/// which fixes the snapshot, then the items are copied inside PostgreSQL (`INSERT ... SELECT`,
/// no item travels to kvserver) in batches of `copyBatch` rows in key order, and the record is
/// inserted last. Either all of it commits or nothing does.
extension PostgresExternalTransaction {
    /// Rows per `INSERT ... SELECT` of a backup copy (each one statement, within the call timeout).
    static let copyBatch: Int64 = 2000

    func createBackup(_ record: BackupRecord, of table: TableDefinition, pinned: () -> Void) throws -> BackupRecord {
        // Allowed only before the transaction's first query: the whole copy sees one snapshot.
        try transaction.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        let name = table.name
        let row = try query("backup source") { connection, logger in
            var found: (Int64, String)?
            let rows = try await connection.query(
                "SELECT storage_id, definition FROM kv_tables WHERE name = \(name) FOR SHARE", logger: logger)
            for try await (storageID, text) in rows.decode((Int64, String).self) { found = (storageID, text) }
            return found
        }
        guard let row, row.0 == table.storageID else { throw KVError(.tableNotFound, "Table not found: \(name)") }
        let definition = try decode(row.1)
        pinned()
        let storageID = table.storageID
        let id = record.id
        var count: Int64 = 0
        var sizeBytes: Int64 = 0
        // Before every stored key: hashes are 0 ..< 2^32.
        var after: (h: Int64, pk: ByteBuffer, sk: ByteBuffer) = (-1, ByteBuffer(), ByteBuffer())
        while true {
            let from = after
            let copied = count
            let batch = try query("backup copy") { connection, logger in
                let rows = try await connection.query(
                    """
                    WITH batch AS (
                        SELECT h, pk, sk, size, item FROM kv_items
                        WHERE storage_id = \(storageID) AND (h, pk, sk) > (\(from.h), \(from.pk), \(from.sk))
                        ORDER BY h, pk, sk LIMIT \(Self.copyBatch)
                    ), numbered AS (
                        SELECT h, pk, sk, size, item, \(copied)::bigint + row_number() OVER (ORDER BY h, pk, sk) AS seq
                        FROM batch
                    ), copied AS (
                        INSERT INTO kv_backup_items (backup_id, seq, size, item)
                        SELECT \(id), seq, size, item FROM numbered
                    )
                    SELECT count(*)::bigint, coalesce(sum(size), 0)::bigint, (array_agg(h ORDER BY seq DESC))[1],
                        (array_agg(pk ORDER BY seq DESC))[1], (array_agg(sk ORDER BY seq DESC))[1]
                    FROM numbered
                    """, logger: logger)
                var result: (Int64, Int64, Int64?, ByteBuffer?, ByteBuffer?) = (0, 0, nil, nil, nil)
                for try await values in rows.decode((Int64, Int64, Int64?, ByteBuffer?, ByteBuffer?).self) { result = values }
                return result
            }
            count += batch.0
            sizeBytes += batch.1
            guard batch.0 == Self.copyBatch, let h = batch.2, let pk = batch.3, let sk = batch.4 else { break }
            after = (h, pk, sk)
        }
        var stored = record
        stored.table = definition
        stored.itemCount = count
        stored.sizeBytes = sizeBytes
        let text = try Self.encodeRecord(stored)
        let tableName = definition.name
        let created = stored.creationDate
        try query("save backup") { connection, logger in
            try await connection.query(
                """
                INSERT INTO kv_backups (id, table_name, created, record) VALUES (\(id), \(tableName), \(created), \(text))
                """, logger: logger)
            return ()
        }
        return stored
    }

    func backupRecord(id: String) throws -> BackupRecord? {
        let text = try query("find backup") { connection, logger in
            var found: String?
            let rows = try await connection.query("SELECT record FROM kv_backups WHERE id = \(id)", logger: logger)
            for try await text in rows.decode(String.self) { found = text }
            return found
        }
        return try text.map(Self.decodeRecord)
    }

    func backupRecords() throws -> [BackupRecord] {
        let texts = try query("list backups") { connection, logger in
            var texts: [String] = []
            let rows = try await connection.query("SELECT record FROM kv_backups ORDER BY id", logger: logger)
            for try await text in rows.decode(String.self) { texts.append(text) }
            return texts
        }
        return try texts.map(Self.decodeRecord)
    }

    func deleteBackup(id: String) throws -> BackupRecord? {
        let text = try query("delete backup") { connection, logger in
            var found: String?
            let rows = try await connection.query("DELETE FROM kv_backups WHERE id = \(id) RETURNING record", logger: logger)
            for try await text in rows.decode(String.self) { found = text }
            if found != nil {
                try await connection.query("DELETE FROM kv_backup_items WHERE backup_id = \(id)", logger: logger)
            }
            return found
        }
        return try text.map(Self.decodeRecord)
    }

    func backupItems(id: String, after sequence: Int64, limit: Int) throws -> [StoredBackupItem]? {
        let limit = Int64(max(1, limit))
        return try query("backup items") { connection, logger in
            var exists = false
            for try await _ in try await connection.query("SELECT 1 FROM kv_backups WHERE id = \(id)", logger: logger) {
                exists = true
            }
            guard exists else { return nil }
            let rows = try await connection.query(
                """
                SELECT seq, size, item FROM kv_backup_items WHERE backup_id = \(id) AND seq > \(sequence)
                ORDER BY seq LIMIT \(limit)
                """, logger: logger)
            var items: [StoredBackupItem] = []
            for try await (seq, size, item) in rows.decode((Int64, Int32, ByteBuffer).self) {
                items.append(StoredBackupItem(sequence: seq, size: Int(size), item: Array(item.readableBytesView)))
            }
            return items
        }
    }

    static func encodeRecord(_ record: BackupRecord) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(record), as: UTF8.self)
    }

    static func decodeRecord(_ text: String) throws -> BackupRecord {
        try JSONDecoder().decode(BackupRecord.self, from: Data(text.utf8))
    }
}
