import NIOCore
public import PostgresNIO

/// The prepared statements of a Query's range read: one per direction, with and without an
/// upper bound, so that each is a plain index range scan of `kv_items`' primary key.
enum RangeStatements {
    static func bindings(_ partition: RowKey, _ range: SortKeyRange, _ limit: Int32) -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 6)
        bindings.append(partition.storageID)
        bindings.append(partition.hash)
        bindings.append(ByteBuffer(bytes: partition.pk))
        bindings.append(ByteBuffer(bytes: range.lower))
        bindings.append(Int64(limit))
        if let upper = range.upper { bindings.append(ByteBuffer(bytes: upper)) }
        return bindings
    }

    static func decode(_ row: PostgresRow) throws -> (sk: [UInt8], item: ItemRow) {
        let (sk, size, item) = try row.decode((ByteBuffer, Int32, ByteBuffer).self)
        return (Array(sk.readableBytesView), ItemRow(item: Array(item.readableBytesView), size: size))
    }

    struct Forward: PostgresPreparedStatement {
        static let sql = """
            SELECT sk, size, item FROM kv_items
            WHERE storage_id = $1 AND h = $2 AND pk = $3 AND sk >= $4 ORDER BY sk LIMIT $5
            """
        typealias Row = (sk: [UInt8], item: ItemRow)
        let partition: RowKey
        let range: SortKeyRange
        let limit: Int32
        func makeBindings() throws -> PostgresBindings { bindings(partition, range, limit) }
        func decodeRow(_ row: PostgresRow) throws -> Row { try decode(row) }
    }

    struct ForwardBounded: PostgresPreparedStatement {
        static let sql = """
            SELECT sk, size, item FROM kv_items
            WHERE storage_id = $1 AND h = $2 AND pk = $3 AND sk >= $4 AND sk < $6 ORDER BY sk LIMIT $5
            """
        typealias Row = (sk: [UInt8], item: ItemRow)
        let partition: RowKey
        let range: SortKeyRange
        let limit: Int32
        func makeBindings() throws -> PostgresBindings { bindings(partition, range, limit) }
        func decodeRow(_ row: PostgresRow) throws -> Row { try decode(row) }
    }

    struct Backward: PostgresPreparedStatement {
        static let sql = """
            SELECT sk, size, item FROM kv_items
            WHERE storage_id = $1 AND h = $2 AND pk = $3 AND sk >= $4 ORDER BY sk DESC LIMIT $5
            """
        typealias Row = (sk: [UInt8], item: ItemRow)
        let partition: RowKey
        let range: SortKeyRange
        let limit: Int32
        func makeBindings() throws -> PostgresBindings { bindings(partition, range, limit) }
        func decodeRow(_ row: PostgresRow) throws -> Row { try decode(row) }
    }

    struct BackwardBounded: PostgresPreparedStatement {
        static let sql = """
            SELECT sk, size, item FROM kv_items
            WHERE storage_id = $1 AND h = $2 AND pk = $3 AND sk >= $4 AND sk < $6 ORDER BY sk DESC LIMIT $5
            """
        typealias Row = (sk: [UInt8], item: ItemRow)
        let partition: RowKey
        let range: SortKeyRange
        let limit: Int32
        func makeBindings() throws -> PostgresBindings { bindings(partition, range, limit) }
        func decodeRow(_ row: PostgresRow) throws -> Row { try decode(row) }
    }
}

extension PostgresItems {
    /// Up to `limit` items of one partition (`partition`'s storage id, hash and pk; its sk is
    /// ignored) whose sort keys lie in `range`, in sort key order or its reverse (a Query with
    /// ScanIndexForward). A strongly consistent read: from the primary, committed data only.
    public func range(
        partition: RowKey, _ range: SortKeyRange, forward: Bool = true, limit: Int32
    ) async throws -> [(sk: [UInt8], item: ItemRow)] {
        try await pool.withConnection { connection in
            try await Self.range(partition: partition, range, forward: forward, limit: limit, on: connection, logger: pool.logger)
        }
    }

    /// `range`, on `connection` (in its transaction, e.g. a read transaction's snapshot).
    public static func range(
        partition: RowKey, _ range: SortKeyRange, forward: Bool = true, limit: Int32,
        on connection: PostgresConnection, logger: Logger
    ) async throws -> [(sk: [UInt8], item: ItemRow)] {
        var rows: [(sk: [UInt8], item: ItemRow)] = []
        switch (forward, range.upper != nil) {
        case (true, false):
            for try await row in try await connection.execute(RangeStatements.Forward(partition: partition, range: range, limit: limit), logger: logger) { rows.append(row) }
        case (true, true):
            for try await row in try await connection.execute(RangeStatements.ForwardBounded(partition: partition, range: range, limit: limit), logger: logger) { rows.append(row) }
        case (false, false):
            for try await row in try await connection.execute(RangeStatements.Backward(partition: partition, range: range, limit: limit), logger: logger) { rows.append(row) }
        case (false, true):
            for try await row in try await connection.execute(RangeStatements.BackwardBounded(partition: partition, range: range, limit: limit), logger: logger) { rows.append(row) }
        }
        return rows
    }
}
