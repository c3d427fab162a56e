public import PostgresNIO

/// One secondary index row's key: the index key (`hash`, `pk`, `sk`: KVStore's `PartitionHash`
/// and key encodings of the index key attributes) and the table key (`tpk`, `tsk`), which keeps
/// items sharing an index key apart and orders them.
public struct IndexRowKey: Sendable, Hashable {
    public var storageID: Int64
    public var indexNo: Int32
    public var hash: Int64
    public var pk: [UInt8]
    public var sk: [UInt8]
    public var tpk: [UInt8]
    public var tsk: [UInt8]

    public init(storageID: Int64, indexNo: Int32, hash: Int64, pk: [UInt8], sk: [UInt8] = [], tpk: [UInt8], tsk: [UInt8] = []) {
        self.storageID = storageID
        self.indexNo = indexNo
        self.hash = hash
        self.pk = pk
        self.sk = sk
        self.tpk = tpk
        self.tsk = tsk
    }
}

/// Where an index Query page ended, within its partition: `(sk, tpk, tsk)`.
public struct IndexPosition: Sendable, Equatable {
    public var sk: [UInt8]
    public var tpk: [UInt8]
    public var tsk: [UInt8]

    public init(sk: [UInt8], tpk: [UInt8], tsk: [UInt8]) {
        self.sk = sk
        self.tpk = tpk
        self.tsk = tsk
    }
}

/// Secondary index rows (`kv_index_items`), written in the transaction of the item they
/// project, so that an index never shows a state the table did not have.
public enum PostgresIndexRows {
    /// Writes (or overwrites) an index row with its projection.
    public static func put(_ key: IndexRowKey, _ row: ItemRow, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query(
            """
            INSERT INTO kv_index_items (storage_id, index_no, h, pk, sk, tpk, tsk, size, item)
            VALUES (\(key.storageID), \(key.indexNo), \(key.hash), \(ByteBuffer(bytes: key.pk)), \(ByteBuffer(bytes: key.sk)),
                    \(ByteBuffer(bytes: key.tpk)), \(ByteBuffer(bytes: key.tsk)), \(row.size), \(ByteBuffer(bytes: row.item)))
            ON CONFLICT (storage_id, index_no, h, pk, sk, tpk, tsk)
            DO UPDATE SET size = excluded.size, item = excluded.item
            """, logger: logger)
    }

    /// Removes an index row (the item left the index, or its index key changed).
    public static func delete(_ key: IndexRowKey, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query(
            """
            DELETE FROM kv_index_items WHERE storage_id = \(key.storageID) AND index_no = \(key.indexNo)
            AND h = \(key.hash) AND pk = \(ByteBuffer(bytes: key.pk)) AND sk = \(ByteBuffer(bytes: key.sk))
            AND tpk = \(ByteBuffer(bytes: key.tpk)) AND tsk = \(ByteBuffer(bytes: key.tsk))
            """, logger: logger)
    }

    /// Up to `limit` rows of one index partition whose index sort keys lie in `range`, in
    /// `(sk, tpk, tsk)` order or its reverse, after `position` in that direction (a Query on an
    /// index, with its ExclusiveStartKey).
    public static func range(
        storageID: Int64, indexNo: Int32, hash: Int64, pk: [UInt8], _ range: SortKeyRange,
        forward: Bool = true, after position: IndexPosition? = nil, limit: Int32, pool: PostgresPool
    ) async throws -> [(key: IndexRowKey, row: ItemRow)] {
        try await pool.withConnection { connection in
            try await Self.range(
                storageID: storageID, indexNo: indexNo, hash: hash, pk: pk, range, forward: forward, after: position,
                limit: limit, on: connection, logger: pool.logger)
        }
    }

    /// `range`, on `connection` (in its transaction).
    public static func range(
        storageID: Int64, indexNo: Int32, hash: Int64, pk: [UInt8], _ range: SortKeyRange,
        forward: Bool = true, after position: IndexPosition? = nil, limit: Int32,
        on connection: PostgresConnection, logger: Logger
    ) async throws -> [(key: IndexRowKey, row: ItemRow)] {
        var binds = PostgresBindings(capacity: 10)
        binds.append(storageID)
        binds.append(indexNo)
        binds.append(hash)
        binds.append(ByteBuffer(bytes: pk))
        binds.append(ByteBuffer(bytes: range.lower))
        binds.append(Int64(limit))
        // Only fixed fragments are spliced into the text; every value is a bound parameter.
        var sql = """
            SELECT sk, tpk, tsk, size, item FROM kv_index_items
            WHERE storage_id = $1 AND index_no = $2 AND h = $3 AND pk = $4 AND sk >= $5
            """
        var next = 7
        if let upper = range.upper {
            binds.append(ByteBuffer(bytes: upper))
            sql += " AND sk < $\(next)"
            next += 1
        }
        if let position {
            binds.append(ByteBuffer(bytes: position.sk))
            binds.append(ByteBuffer(bytes: position.tpk))
            binds.append(ByteBuffer(bytes: position.tsk))
            sql += " AND (sk, tpk, tsk) \(forward ? ">" : "<") ($\(next), $\(next + 1), $\(next + 2))"
        }
        sql += forward ? " ORDER BY sk, tpk, tsk LIMIT $6" : " ORDER BY sk DESC, tpk DESC, tsk DESC LIMIT $6"
        let rows = try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)
        var found: [(key: IndexRowKey, row: ItemRow)] = []
        for try await (sk, tpk, tsk, size, item) in rows.decode((ByteBuffer, ByteBuffer, ByteBuffer, Int32, ByteBuffer).self) {
            found.append((
                IndexRowKey(
                    storageID: storageID, indexNo: indexNo, hash: hash, pk: pk, sk: Array(sk.readableBytesView),
                    tpk: Array(tpk.readableBytesView), tsk: Array(tsk.readableBytesView)),
                ItemRow(item: Array(item.readableBytesView), size: size)
            ))
        }
        return found
    }
}
