import KVStore
import PostgresNIO

/// Query and Scan pages on PostgreSQL: the seam's range read (`ExternalItemStorage.rows(in:limit:)`)
/// over the module's range and scan reads, each one index range scan of a primary key:
///
/// - a table's partition (Query): `PostgresItems.range`, the key condition and the start key
///   as one half-open byte range (`SortKeyRange`);
/// - an index's partition: `PostgresIndexRows.range`, from after `(sk, tpk, tsk)`;
/// - a hash slice (Scan, a parallel Scan's segment): `PostgresItems.scan` /
///   `PostgresIndexRows.scan` in `(h, pk, sk[, tpk, tsk])` order from after the start.
///
/// The engine asks batch after batch inside one read transaction (REPEATABLE READ: one
/// snapshot), so a page is as consistent as SQLite's single statement.
extension PostgresExternalItems {
    func rows(in range: ItemRange, limit: Int) throws -> [ExternalRangeRow] {
        let limit = Int32(clamping: max(limit, 1))
        let storageID = table.storageID
        // The first batch of a read checks the table in the same call (`readThenVerify`).
        let reads = transaction
        switch range.span {
        case .partition(let hash, let partition, let sort):
            let forward = range.order == .ascending
            var bounds = SortKeyRange(sort)
            if let index = range.index {
                let after = range.start.map { IndexPosition(sk: $0.sort, tpk: $0.tablePartition, tsk: $0.tableSort) }
                let indexNo = try PostgresExternalTransaction.indexNo(index)
                let indexBounds = bounds
                let rows = try reads.readThenVerify("indexRange") { connection, logger in
                    try await PostgresIndexRows.range(
                        storageID: storageID, indexNo: indexNo, hash: hash, pk: partition, indexBounds, forward: forward,
                        after: after, limit: limit, on: connection, logger: logger)
                }
                return rows.map { Self.row($0.key, $0.row) }
            }
            if let start = range.start {
                bounds = bounds.resuming(after: start.sort, forward: forward)
            }
            let partitionKey = RowKey(storageID: storageID, hash: hash, pk: partition, sk: [])
            let resumed = bounds
            let rows = try reads.readThenVerify("range") { connection, logger in
                try await PostgresItems.range(
                    partition: partitionKey, resumed, forward: forward, limit: limit, on: connection, logger: logger)
            }
            return rows.map { row in
                ExternalRangeRow(
                    position: RangePosition(hash: hash, partition: partition, sort: row.sk), size: Int(row.item.size),
                    item: row.item.item)
            }
        case .hashSlice(let low, let high):
            // The engine scans forwards only (`KVEngine.scan`); the statements are one-way.
            guard range.order == .ascending else { throw KVError.unsupportedByBackend("descending scans") }
            guard low < high else { return [] }
            let hashes = low...(high - 1)
            if let index = range.index {
                let after = range.start.map {
                    IndexScanPosition(hash: $0.hash, pk: $0.partition, sk: $0.sort, tpk: $0.tablePartition, tsk: $0.tableSort)
                }
                let indexNo = try PostgresExternalTransaction.indexNo(index)
                let rows = try reads.readThenVerify("indexScan") { connection, logger in
                    try await PostgresIndexRows.scan(
                        storageID: storageID, indexNo: indexNo, hashes: hashes, after: after, limit: limit,
                        on: connection, logger: logger)
                }
                return rows.map { Self.row($0.key, $0.row) }
            }
            let after = range.start.map { ScanPosition(hash: $0.hash, pk: $0.partition, sk: $0.sort) }
            let rows = try reads.readThenVerify("scan") { connection, logger in
                try await PostgresItems.scan(
                    storageID: storageID, hashes: hashes, after: after, limit: limit, on: connection, logger: logger)
            }
            return rows.map { row in
                ExternalRangeRow(
                    position: RangePosition(hash: row.position.hash, partition: row.position.pk, sort: row.position.sk),
                    size: Int(row.item.size), item: row.item.item)
            }
        }
    }

    private static func row(_ key: IndexRowKey, _ row: ItemRow) -> ExternalRangeRow {
        ExternalRangeRow(
            position: RangePosition(hash: key.hash, partition: key.pk, sort: key.sk, tablePartition: key.tpk, tableSort: key.tsk),
            size: Int(row.size), item: row.item)
    }
}

extension SortKeyRange {
    /// A Query's bounds on the stored sort key (`SortKeyBounds`) as one half-open byte range:
    /// an exclusive lower bound `x` is the inclusive `after(x)`, an inclusive upper bound `y`
    /// the exclusive `after(y)`.
    init(_ bounds: SortKeyBounds) {
        switch bounds {
        case .all:
            self = .all
        case .equal(let value):
            self.init(lower: value, upper: Self.after(value))
        case .range(let lower, let upper):
            let low: [UInt8] =
                switch lower {
                case nil: []
                case .inclusive(let value)?: value
                case .exclusive(let value)?: Self.after(value)
                }
            let high: [UInt8]? =
                switch upper {
                case nil: nil
                case .inclusive(let value)?: Self.after(value)
                case .exclusive(let value)?: value
                }
            self.init(lower: low, upper: high)
        }
    }
}
