import KVStore
import PostgresNIO

/// One table's items in one engine transaction on PostgreSQL (`ExternalItemStorage`): rows of
/// the shared `kv_items`, keyed by the table's storage id and KVStore's key bytes.
///
/// In a write transaction every read of an item locks its row (`SELECT ... FOR UPDATE`), so
/// the engine's read–decide–commit of a conditional write is atomic across nodes. `commit`
/// writes the item, its index rows and its TTL expiry row in one step (`commit(_:)`, the
/// module's commit step), deriving them by KVStore's rules (`ExternalDerivedRows`), and queues
/// its stream record, appended just before COMMIT (`PostgresExternalTransaction.flushStreams`).
struct PostgresExternalItems: ExternalItemStorage {
    let table: TableDefinition
    let transaction: PostgresExternalTransaction
    let context: ItemWriteContext

    func rowKey(_ key: StorageKey) -> RowKey {
        RowKey(storageID: table.storageID, hash: key.hash, pk: key.partition, sk: key.sort)
    }

    /// The stored row: locked in a write transaction (and remembered for `commit`), as of the
    /// snapshot in a read transaction.
    func row(_ key: StorageKey) throws -> ItemRow? {
        let rowKey = rowKey(key)
        guard transaction.writes else {
            guard let name = transaction.unverified[table.storageID] else { return try transaction.transaction.read(rowKey) }
            // The first read of the table checks the catalog in its own statement.
            guard let row = try transaction.transaction.read(rowKey, inTable: name) else { throw transaction.tableMissing() }
            transaction.unverified[table.storageID] = nil
            return row
        }
        if let known = transaction.locked[rowKey] { return known }
        let row = try transaction.transaction.readForUpdate(rowKey)
        transaction.locked[rowKey] = .some(row)
        return row
    }

    func fetchEntry(_ key: StorageKey) throws -> (item: Item, size: Int)? {
        guard let row = try row(key) else { return nil }
        return (try ItemCodec.decode(row.item), Int(row.size))
    }

    func storedSize(_ key: StorageKey) throws -> Int? {
        try row(key).map { Int($0.size) }
    }

    /// Items in `(h, pk, sk)` order, `limit` at a time (GSI and TTL backfills, in write
    /// transactions). In a write transaction the batch's items are read again under `FOR SHARE`
    /// and handed over as they are then: a writer that changed one after the first read commits
    /// first, so a backfill never writes an index or expiry row from an item older than the
    /// stored one (it would overwrite the row the writer maintained: found by
    /// test_create_gsi_on_populated_table_while_writes_continue). Where the batch ends is
    /// decided by the unlocked read, so an item deleted meanwhile does not end the walk early.
    func forEachItem(
        after position: StorageKey?, order: KeyOrder, limit: Int, _ body: (StorageKey, Item) throws -> Void
    ) throws -> StorageKey? {
        let storageID = table.storageID
        let limit = max(0, limit)
        let lock = transaction.writes
        let batch = try transaction.query("forEachItem") { connection, logger in
            let page = try await Self.items(
                storageID: storageID, after: position, upTo: nil, order: order, limit: limit, lock: false,
                on: connection, logger: logger)
            guard lock, let last = page.last?.0 else { return Batch(rows: page, count: page.count, last: page.last?.0) }
            let locked = try await Self.items(
                storageID: storageID, after: position, upTo: last, order: order, limit: nil, lock: true,
                on: connection, logger: logger)
            return Batch(rows: locked, count: page.count, last: last)
        }
        for (key, item) in batch.rows {
            try body(key, try ItemCodec.decode(item))
        }
        return batch.count < limit ? nil : batch.last
    }

    /// Items of table `storageID` after `after` (exclusive) up to `upTo` (inclusive) in `order`,
    /// at most `limit`, read `FOR SHARE` when `lock`. Every value is a bound parameter.
    private static func items(
        storageID: Int64, after: StorageKey?, upTo: StorageKey?, order: KeyOrder, limit: Int?, lock: Bool,
        on connection: PostgresConnection, logger: Logger
    ) async throws -> [(StorageKey, [UInt8])] {
        let ascending = order == .ascending
        var binds = PostgresBindings(capacity: 8)
        binds.append(storageID)
        var sql = "SELECT h, pk, sk, item FROM kv_items WHERE storage_id = $1"
        var next = 2
        func bound(_ key: StorageKey, _ comparison: String) {
            binds.append(key.hash)
            binds.append(ByteBuffer(bytes: key.partition))
            binds.append(ByteBuffer(bytes: key.sort))
            sql += " AND (h, pk, sk) \(comparison) ($\(next), $\(next + 1), $\(next + 2))"
            next += 3
        }
        if let after { bound(after, ascending ? ">" : "<") }
        if let upTo { bound(upTo, ascending ? "<=" : ">=") }
        sql += ascending ? " ORDER BY h, pk, sk" : " ORDER BY h DESC, pk DESC, sk DESC"
        if let limit {
            binds.append(Int64(limit))
            sql += " LIMIT $\(next)"
        }
        if lock { sql += " FOR SHARE" }
        var rows: [(StorageKey, [UInt8])] = []
        let result = try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)
        for try await (hash, pk, sk, item) in result.decode((Int64, ByteBuffer, ByteBuffer, ByteBuffer).self) {
            rows.append((
                StorageKey(hash: hash, partition: Array(pk.readableBytesView), sort: Array(sk.readableBytesView)),
                Array(item.readableBytesView)
            ))
        }
        return rows
    }

    /// Always true: `commit` must know whether the row exists (insert or update), and reads
    /// it under lock; the engine then hands it the decoded item as well.
    var needsOldItem: Bool { true }

    func commit(_ change: PlannedChange, at key: StorageKey, old: Item?) throws -> IndexWriteUnits {
        let new: Item?
        let write: ItemWrite
        switch change.effect {
        case .none:
            return IndexWriteUnits()
        case .put(let item, let size, let encoded):
            guard let size32 = Int32(exactly: size) else { throw KVError.validation("Item size has exceeded the maximum allowed size") }
            new = item
            write = .put(ItemRow(item: encoded ?? ItemCodec.encode(item, sizeHint: size), size: size32))
        case .delete:
            new = nil
            write = .delete
        }
        let oldRow = try row(key)
        var units = IndexWriteUnits()
        var indexRows: [IndexRowChange] = []
        for derived in ExternalDerivedRows.indexChanges(of: table, key: key, old: old, new: new) {
            units.record(derived.index, derived.units)
            let indexNo = try PostgresExternalTransaction.indexNo(derived.index)
            if let removed = derived.removed {
                indexRows.append(.delete(indexRowKey(removed, indexNo: indexNo)))
            }
            if let added = derived.added {
                // A projection is never larger than its item, whose size was checked above.
                guard let size = Int32(exactly: added.size) else {
                    throw PostgresStorageError.unexpected("an index row larger than 2 GiB")
                }
                indexRows.append(.put(indexRowKey(added.row, indexNo: indexNo), ItemRow(item: added.item, size: size)))
            }
        }
        let expiry = ExternalDerivedRows.expiryChange(of: table, old: old, new: new).map {
            ExpiryChange(from: $0.removed, to: $0.added)
        }
        let rowKey = rowKey(key)
        try transaction.transaction.commit(
            PostgresChangeSet(key: rowKey, old: oldRow, write: write, indexRows: indexRows, expiry: expiry))
        if case .put(let row) = write {
            transaction.locked[rowKey] = .some(row)
        } else {
            transaction.locked[rowKey] = .some(nil)
        }
        if let new, !table.localIndexes.isEmpty, (change.capacitySize ?? 0) > Int(oldRow?.size ?? 0) {
            if let metrics = try itemCollectionMetrics(key, item: new), metrics.sizeBytes > context.itemCollectionLimit {
                throw KVError(.itemCollectionSizeLimitExceeded, "Collection size exceeded")
            }
        }
        if let record = ExternalDerivedRows.streamRecord(of: table, old: old, new: new, origin: context.origin) {
            try transaction.appendStreamRecord(record, now: context.now, rollover: context.shardRollover)
        }
        // Point-in-time recovery's history, by the stored definition (PITR may have been
        // enabled through another node), as `ItemStore.write` logs it.
        if table.pointInTimeRecovery?.enabled == true, old != new {
            try transaction.appendChangeLog(
                of: table, key: key, old: old, atMillis: ChangeLog.milliseconds(context.now))
        }
        return units
    }

    func itemCollectionMetrics(_ key: StorageKey, item: Item) throws -> ItemCollectionMetrics? {
        guard !table.localIndexes.isEmpty else { return nil }
        let partitionKey = table.keySchema.partitionKey.name
        guard let value = item[partitionKey] else { return nil }
        let storageID = table.storageID
        let numbers = try table.localIndexes.map(PostgresExternalTransaction.indexNo)
        let hash = key.hash
        let pk = key.partition
        let total = try transaction.query("item collection") { connection, logger in
            var total: Int64 = 0
            let items = try await connection.query(
                """
                SELECT COALESCE(SUM(size), 0)::bigint FROM kv_items
                WHERE storage_id = \(storageID) AND h = \(hash) AND pk = \(ByteBuffer(bytes: pk))
                """, logger: logger)
            for try await sum in items.decode(Int64.self) { total &+= sum }
            for number in numbers {
                let rows = try await connection.query(
                    """
                    SELECT COALESCE(SUM(size), 0)::bigint FROM kv_index_items
                    WHERE storage_id = \(storageID) AND index_no = \(number) AND h = \(hash) AND pk = \(ByteBuffer(bytes: pk))
                    """, logger: logger)
                for try await sum in rows.decode(Int64.self) { total &+= sum }
            }
            return total
        }
        return ItemCollectionMetrics(key: [partitionKey: value], sizeBytes: total)
    }

    func backfillIndex(_ index: IndexDefinition, key: StorageKey, item: Item) throws {
        let derived = ExternalDerivedRows.indexChange(index, of: table, key: key, old: nil, new: item)
        guard let added = derived.added else { return }
        guard let size = Int32(exactly: added.size) else {
            throw PostgresStorageError.unexpected("an index row larger than 2 GiB")
        }
        let rowKey = indexRowKey(added.row, indexNo: try PostgresExternalTransaction.indexNo(index))
        let row = ItemRow(item: added.item, size: size)
        try transaction.query("backfill index") { connection, logger in
            try await PostgresIndexRows.put(rowKey, row, on: connection, logger: logger)
        }
    }

    func backfillExpiry(_ key: StorageKey, item: Item, attribute: String) throws {
        guard let expires = ExternalDerivedRows.expiry(of: item, attribute: attribute) else { return }
        let rowKey = rowKey(key)
        try transaction.query("backfill expiry") { connection, logger in
            try await PostgresExpiry.update(rowKey, from: nil, to: expires, on: connection, logger: logger)
        }
    }

    private func indexRowKey(_ row: ExternalDerivedRows.IndexRow, indexNo: Int32) -> IndexRowKey {
        IndexRowKey(
            storageID: table.storageID, indexNo: indexNo, hash: row.hash, pk: row.partition, sk: row.sort,
            tpk: row.tablePartition, tsk: row.tableSort)
    }
}

/// A `forEachItem` batch carried out of a blocking call (plain values; `Sendable` as a whole):
/// the items to hand over, and how many the unlocked read found up to which key.
private struct Batch: Sendable {
    var rows: [(StorageKey, [UInt8])]
    var count: Int
    var last: StorageKey?
}
