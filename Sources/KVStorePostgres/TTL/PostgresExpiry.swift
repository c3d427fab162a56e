public import PostgresNIO

/// The TTL expiry index (`kv_expiry`): one row per item whose TTL attribute is a Number, by its
/// expiry second, written in the item's own transaction, so that a sweep reads only what is due.
///
/// The sweeper (one node, under a `PostgresLease`) takes due keys with `due`, then deletes each
/// item through `PostgresItems.conditionalWrite`, re-checking under the row lock that the item
/// still expires then (a write may have changed its TTL attribute since).
/// See https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/howitworks-ttl.html
public enum PostgresExpiry {
    /// Moves the item's expiry row from `previous` to `expires` (either nil: none), in the
    /// transaction that writes the item.
    public static func update(
        _ key: RowKey, from previous: Int64?, to expires: Int64?,
        on connection: PostgresConnection, logger: Logger
    ) async throws {
        guard previous != expires else { return }
        let pk = ByteBuffer(bytes: key.pk)
        let sk = ByteBuffer(bytes: key.sk)
        if let previous {
            try await connection.query(
                """
                DELETE FROM kv_expiry WHERE storage_id = \(key.storageID) AND expires = \(previous)
                AND h = \(key.hash) AND pk = \(pk) AND sk = \(sk)
                """, logger: logger)
        }
        if let expires {
            try await connection.query(
                """
                INSERT INTO kv_expiry (storage_id, expires, h, pk, sk)
                VALUES (\(key.storageID), \(expires), \(key.hash), \(pk), \(sk)) ON CONFLICT DO NOTHING
                """, logger: logger)
        }
    }

    /// Up to `limit` keys of table `storageID` whose expiry second is at or before `now`,
    /// soonest first.
    public static func due(
        storageID: Int64, now: Int64, limit: Int32, pool: PostgresPool
    ) async throws -> [(expires: Int64, key: RowKey)] {
        let rows = try await pool.client.query(
            """
            SELECT expires, h, pk, sk FROM kv_expiry WHERE storage_id = \(storageID) AND expires <= \(now)
            ORDER BY expires, h, pk, sk LIMIT \(Int64(limit))
            """, logger: pool.logger)
        var due: [(expires: Int64, key: RowKey)] = []
        for try await (expires, hash, pk, sk) in rows.decode((Int64, Int64, ByteBuffer, ByteBuffer).self) {
            due.append((expires, RowKey(
                storageID: storageID, hash: hash, pk: Array(pk.readableBytesView), sk: Array(sk.readableBytesView))))
        }
        return due
    }
}
