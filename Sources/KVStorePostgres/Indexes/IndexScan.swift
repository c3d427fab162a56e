import NIOCore
public import PostgresNIO

/// Where a Scan of an index ended: the last index row read, in `(h, pk, sk, tpk, tsk)` order.
public struct IndexScanPosition: Sendable, Equatable {
    public var hash: Int64
    public var pk: [UInt8]
    public var sk: [UInt8]
    public var tpk: [UInt8]
    public var tsk: [UInt8]

    public init(hash: Int64, pk: [UInt8], sk: [UInt8], tpk: [UInt8], tsk: [UInt8]) {
        self.hash = hash
        self.pk = pk
        self.sk = sk
        self.tpk = tpk
        self.tsk = tsk
    }

    public init(_ key: IndexRowKey) {
        self.init(hash: key.hash, pk: key.pk, sk: key.sk, tpk: key.tpk, tsk: key.tsk)
    }
}

/// A Scan of a secondary index: one index's rows in `(h, pk, sk, tpk, tsk)` order (the order
/// of the table Scan, `(h, pk, sk)`, with the table key keeping equal index keys apart), from
/// after a position, within a hash range (a parallel scan's segment).
/// See https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Scan.html (IndexName)
enum IndexScanStatements {
    struct Page: PostgresPreparedStatement {
        // The row comparison is one range scan of the primary key.
        static let sql = """
            SELECT h, pk, sk, tpk, tsk, size, item FROM kv_index_items
            WHERE storage_id = $1 AND index_no = $2 AND h >= $3 AND h <= $4
            AND (h, pk, sk, tpk, tsk) > ($5, $6, $7, $8, $9)
            ORDER BY h, pk, sk, tpk, tsk LIMIT $10
            """
        typealias Row = (key: IndexRowKey, row: ItemRow)
        let storageID: Int64
        let indexNo: Int32
        let hashes: ClosedRange<Int64>
        let after: IndexScanPosition?
        let limit: Int32

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 10)
            bindings.append(storageID)
            bindings.append(indexNo)
            bindings.append(hashes.lowerBound)
            bindings.append(hashes.upperBound)
            // With no position, start below the segment's first hash (as the table Scan does).
            let start = after ?? IndexScanPosition(
                hash: hashes.lowerBound == .min ? .min : hashes.lowerBound - 1, pk: [], sk: [], tpk: [], tsk: [])
            bindings.append(start.hash)
            bindings.append(ByteBuffer(bytes: start.pk))
            bindings.append(ByteBuffer(bytes: start.sk))
            bindings.append(ByteBuffer(bytes: start.tpk))
            bindings.append(ByteBuffer(bytes: start.tsk))
            bindings.append(Int64(limit))
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row {
            let (hash, pk, sk, tpk, tsk, size, item) = try row.decode(
                (Int64, ByteBuffer, ByteBuffer, ByteBuffer, ByteBuffer, Int32, ByteBuffer).self)
            return (
                IndexRowKey(
                    storageID: storageID, indexNo: indexNo, hash: hash, pk: Array(pk.readableBytesView),
                    sk: Array(sk.readableBytesView), tpk: Array(tpk.readableBytesView), tsk: Array(tsk.readableBytesView)),
                ItemRow(item: Array(item.readableBytesView), size: size)
            )
        }
    }
}

extension PostgresIndexRows {
    /// Up to `limit` rows of index `indexNo` of table `storageID` after `after` (nil: from the
    /// start), in `(h, pk, sk, tpk, tsk)` order, with `h` within `hashes`.
    public static func scan(
        storageID: Int64, indexNo: Int32, hashes: ClosedRange<Int64> = Int64.min...Int64.max,
        after: IndexScanPosition?, limit: Int32, pool: PostgresPool
    ) async throws -> [(key: IndexRowKey, row: ItemRow)] {
        try await pool.withConnection { connection in
            try await scan(
                storageID: storageID, indexNo: indexNo, hashes: hashes, after: after, limit: limit,
                on: connection, logger: pool.logger)
        }
    }

    /// `scan`, on `connection` (in its transaction).
    public static func scan(
        storageID: Int64, indexNo: Int32, hashes: ClosedRange<Int64> = Int64.min...Int64.max,
        after: IndexScanPosition?, limit: Int32, on connection: PostgresConnection, logger: Logger
    ) async throws -> [(key: IndexRowKey, row: ItemRow)] {
        var rows: [(key: IndexRowKey, row: ItemRow)] = []
        let statement = IndexScanStatements.Page(
            storageID: storageID, indexNo: indexNo, hashes: hashes, after: after, limit: limit)
        for try await row in try await connection.execute(statement, logger: logger) { rows.append(row) }
        return rows
    }
}
