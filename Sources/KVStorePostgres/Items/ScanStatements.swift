import NIOCore
public import PostgresNIO

/// The position of a Scan: the last row read, in `(h, pk, sk)` order.
public struct ScanPosition: Sendable, Equatable {
    public var hash: Int64
    public var pk: [UInt8]
    public var sk: [UInt8]

    public init(hash: Int64, pk: [UInt8], sk: [UInt8]) {
        self.hash = hash
        self.pk = pk
        self.sk = sk
    }
}

/// A Scan's page: one table's rows in `(h, pk, sk)` order, the SQLite adapter's order, from after
/// a position, within a hash range (a parallel scan's segment).
enum ScanStatements {
    struct Page: PostgresPreparedStatement {
        // The row comparison `(h, pk, sk) > (...)` is one range scan of the primary key.
        static let sql = """
            SELECT h, pk, sk, size, item FROM kv_items
            WHERE storage_id = $1 AND h >= $2 AND h <= $3 AND (h, pk, sk) > ($4, $5, $6)
            ORDER BY h, pk, sk LIMIT $7
            """
        typealias Row = (position: ScanPosition, item: ItemRow)
        let storageID: Int64
        let hashes: ClosedRange<Int64>
        let after: ScanPosition?
        let limit: Int32

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 7)
            bindings.append(storageID)
            bindings.append(hashes.lowerBound)
            bindings.append(hashes.upperBound)
            // With no position, start below the segment's first hash.
            let start = after ?? ScanPosition(hash: hashes.lowerBound == .min ? .min : hashes.lowerBound - 1, pk: [], sk: [])
            bindings.append(start.hash)
            bindings.append(ByteBuffer(bytes: start.pk))
            bindings.append(ByteBuffer(bytes: start.sk))
            bindings.append(Int64(limit))
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row {
            let (hash, pk, sk, size, item) = try row.decode((Int64, ByteBuffer, ByteBuffer, Int32, ByteBuffer).self)
            return (
                ScanPosition(hash: hash, pk: Array(pk.readableBytesView), sk: Array(sk.readableBytesView)),
                ItemRow(item: Array(item.readableBytesView), size: size)
            )
        }
    }
}

extension PostgresItems {
    /// Up to `limit` rows of table `storageID` after `after` (nil: from the start), in `(h, pk, sk)`
    /// order, with `h` within `hashes` (a parallel scan's segment; the whole range for a Scan).
    public func scan(
        storageID: Int64, hashes: ClosedRange<Int64> = Int64.min...Int64.max, after: ScanPosition?, limit: Int32
    ) async throws -> [(position: ScanPosition, item: ItemRow)] {
        try await pool.withConnection { connection in
            try await Self.scan(storageID: storageID, hashes: hashes, after: after, limit: limit, on: connection, logger: pool.logger)
        }
    }

    /// `scan`, on `connection` (in its transaction).
    public static func scan(
        storageID: Int64, hashes: ClosedRange<Int64> = Int64.min...Int64.max, after: ScanPosition?, limit: Int32,
        on connection: PostgresConnection, logger: Logger
    ) async throws -> [(position: ScanPosition, item: ItemRow)] {
        var rows: [(position: ScanPosition, item: ItemRow)] = []
        let statement = ScanStatements.Page(storageID: storageID, hashes: hashes, after: after, limit: limit)
        for try await row in try await connection.execute(statement, logger: logger) { rows.append(row) }
        return rows
    }
}
