public import PostgresNIO

/// How far a GSI backfill has gone (`kv_backfill`): the last table row it indexed, in Scan order,
/// saved in the transaction that wrote that batch's index rows, so that the node that takes the
/// backfill lease over after a crash resumes exactly there.
/// See https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.OnlineOps.html
public enum PostgresBackfill {
    /// What is recorded for an index.
    public enum Progress: Sendable, Equatable {
        /// Not started, or no record.
        case none
        /// Indexed up to and including this row.
        case after(ScanPosition)
    }

    /// Records that the backfill of index `indexNo` has indexed every row up to `position`.
    public static func save(
        storageID: Int64, indexNo: Int32, position: ScanPosition, on connection: PostgresConnection, logger: Logger
    ) async throws {
        try await connection.query(
            """
            INSERT INTO kv_backfill (storage_id, index_no, h, pk, sk)
            VALUES (\(storageID), \(indexNo), \(position.hash), \(ByteBuffer(bytes: position.pk)), \(ByteBuffer(bytes: position.sk)))
            ON CONFLICT (storage_id, index_no) DO UPDATE SET h = excluded.h, pk = excluded.pk, sk = excluded.sk
            """, logger: logger)
    }

    /// The recorded progress of index `indexNo`.
    public static func load(storageID: Int64, indexNo: Int32, pool: PostgresPool) async throws -> Progress {
        let rows = try await pool.client.query(
            "SELECT h, pk, sk FROM kv_backfill WHERE storage_id = \(storageID) AND index_no = \(indexNo)",
            logger: pool.logger)
        var progress = Progress.none
        for try await (hash, pk, sk) in rows.decode((Int64?, ByteBuffer?, ByteBuffer?).self) {
            if let hash, let pk, let sk {
                progress = .after(ScanPosition(hash: hash, pk: Array(pk.readableBytesView), sk: Array(sk.readableBytesView)))
            }
        }
        return progress
    }

    /// Forgets the progress of a finished (or dropped) index, in the caller's transaction.
    public static func finish(storageID: Int64, indexNo: Int32, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query(
            "DELETE FROM kv_backfill WHERE storage_id = \(storageID) AND index_no = \(indexNo)", logger: logger)
    }
}
