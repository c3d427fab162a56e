/// Row-level access to one table's items and their derived rows on a connection: the SQLite
/// adapter of the item storage port (`ItemStorage`). Every item write goes through
/// `write(_:old:new:newSize:)` (the write pipeline's `commit`), so the item row, its index rows,
/// its TTL expiry row, its stream record and its point-in-time recovery history (`ChangeLog`)
/// change together, inside the caller's transaction.
struct ItemStore: ItemStorage {
    let table: TableDefinition
    let connection: Connection
    /// The time of the write (stream record timestamps, shard rollover).
    var now: Double
    var shardRollover: Double
    var origin: WriteOrigin
    /// DynamoDB's 10 GB limit on an item collection (items sharing a partition key, with their
    /// local index rows) of a table with local secondary indexes.
    var itemCollectionLimit: Int64
    private let rowStatements: ItemRowStatements

    init(
        table: TableDefinition, connection: Connection, now: Double = WallClock.now(),
        shardRollover: Double = StreamSettings.defaultShardRollover, origin: WriteOrigin = .client,
        itemCollectionLimit: Int64 = EngineConfiguration.defaultItemCollectionLimit
    ) {
        self.table = table
        self.connection = connection
        self.now = now
        self.shardRollover = shardRollover
        self.origin = origin
        self.itemCollectionLimit = itemCollectionLimit
        self.rowStatements = ItemRowStatements(connection: connection, table: table)
    }

    func fetch(_ key: StorageKey) throws -> Item? {
        try fetchEntry(key)?.item
    }

    /// The stored item and its DynamoDB size (the `size` column), or nil.
    func fetchEntry(_ key: StorageKey) throws -> (item: Item, size: Int)? {
        let statement = try fetchItemStatement()
        defer { statement.reset() }
        try bind(key, to: statement)
        guard try statement.step() else { return nil }
        return (try ItemCodec.decode(statement.blob(0)), Int(statement.int64(1)))
    }

    /// `SELECT item, size` of one item by key (`fetchEntry`, `fetchStored`), as its last user
    /// left it: both bind every parameter and reset it after use.
    func fetchItemStatement() throws -> Statement {
        try Self.fetchItemStatement(storageID: table.storageID, on: connection)
    }

    static func fetchItemStatement(storageID: Int64, on connection: Connection) throws -> Statement {
        try connection.statementAsLeft(StatementKey(.fetchItem, storageID: storageID)) {
            "SELECT item, size FROM \(TableDefinition.sqlTableName(storageID: storageID)) WHERE h = ? AND pk = ? AND sk = ?"
        }
    }

    /// The DynamoDB size of the stored item, without decoding it; nil when absent.
    func storedSize(_ key: StorageKey) throws -> Int? {
        let statement = try connection.statement(StatementKey(.fetchSize, table: table)) {
            "SELECT size FROM \(table.sqlTableName) WHERE h = ? AND pk = ? AND sk = ?"
        }
        defer { statement.reset() }
        try bind(key, to: statement)
        guard try statement.step() else { return nil }
        return Int(statement.int64(0))
    }

    /// Calls `body` for the next `limit` items in storage order (`order`) after `position` (from
    /// the start when nil). Returns the key of the last one when the batch was full, nil when the
    /// table is done. For walks that fill derived data a short transaction at a time (index
    /// backfill, TTL expiry index), so writers interleave with them.
    func forEachItem(
        after position: StorageKey?, order: KeyOrder = .ascending, limit: Int, _ body: (StorageKey, Item) throws -> Void
    ) throws -> StorageKey? {
        var sql = "SELECT h, pk, sk, item FROM \(table.sqlTableName)"
        if position != nil { sql += order == .ascending ? " WHERE (h, pk, sk) > (?, ?, ?)" : " WHERE (h, pk, sk) < (?, ?, ?)" }
        sql += order == .ascending ? " ORDER BY h, pk, sk" : " ORDER BY h DESC, pk DESC, sk DESC"
        sql += " LIMIT \(max(limit, 0))"
        let statement = try connection.statement(sql)
        defer { statement.reset() }
        if let position { try bind(position, to: statement) }
        var last: StorageKey?
        var rows = 0
        while try statement.step() {
            let key = StorageKey(hash: statement.int64(0), partition: statement.blob(1), sort: statement.blob(2))
            try body(key, try ItemCodec.decode(statement.blob(3)))
            last = key
            rows += 1
        }
        return rows < limit ? nil : last
    }

    /// Whether writes need the old item to keep derived data (indexes, streams, TTL) right.
    var needsOldItem: Bool {
        // Not `table.indexes`: that concatenates two arrays, per item of a batch.
        !table.globalIndexes.isEmpty || !table.localIndexes.isEmpty || table.activeStream != nil || table.ttlAttribute != nil
            || table.pointInTimeRecovery?.enabled == true
    }

    /// Replaces the item at `key` (`new == nil` deletes it) and updates everything derived from it.
    /// `old` must be the item currently stored when `needsOldItem` is true.
    /// - Parameter encodedNew: `ItemCodec.encode(new)` when the caller already has it (a batch
    ///   encodes its items before entering the writer, so the writer thread only runs SQL).
    /// - Returns: the write units each index spent, for `ConsumedCapacity`.
    @discardableResult
    func write(_ key: StorageKey, old: Item?, new: Item?, newSize: Int, encodedNew: [UInt8]? = nil) throws -> IndexWriteUnits {
        if let new {
            // Every parameter is bound on each use, so the statement needs no clearing. The key
            // and item bytes are borrowed for the step rather than copied by SQLite.
            let statement = try rowStatements.upsert()
            try statement.bind(1, key.hash)
            try statement.bind(4, Int64(newSize))
            try statement.withBorrowed(key.partition, at: 2) {
                try statement.withBorrowed(key.sort, at: 3) {
                    try statement.run(borrowing: encodedNew ?? ItemCodec.encode(new, sizeHint: newSize), at: 5)
                }
            }
        } else {
            let statement = try rowStatements.delete()
            try bind(key, to: statement)
            try statement.run()
        }
        var units = IndexWriteUnits()
        // Global then local indexes, the order of `table.indexes`, without building that array.
        for index in table.globalIndexes where index.status != .deleting {
            units.record(index, try updateIndex(index, key: key, old: old, new: new))
        }
        for index in table.localIndexes where index.status != .deleting {
            units.record(index, try updateIndex(index, key: key, old: old, new: new))
        }
        if let new, !table.localIndexes.isEmpty, newSize > (old.map(ItemSize.of) ?? 0) {
            // Summing the partition costs a range read per growing write, on LSI tables only.
            if let metrics = try itemCollectionMetrics(key, item: new), metrics.sizeBytes > itemCollectionLimit {
                throw KVError(.itemCollectionSizeLimitExceeded, "Collection size exceeded")
            }
        }
        if let attribute = table.ttlAttribute {
            try updateExpiry(key, old: old, new: new, attribute: attribute)
        }
        // nil at once without a stream; with one, nil when the item did not change.
        if let record = ExternalDerivedRows.streamRecord(of: table, old: old, new: new, origin: origin) {
            try connection.appendStreamRecord(record, now: now, rollover: shardRollover)
        }
        if table.pointInTimeRecovery?.enabled == true, old != new {
            try ChangeLog.append(table: table, key: key, old: old, now: now, connection: connection)
        }
        return units
    }

    /// The port's commit: what `MutationPlanner.plan` decided for the item at `key`, written
    /// with everything derived from it by `write`.
    @inline(__always)
    func commit(_ change: PlannedChange, at key: StorageKey, old: Item?) throws -> IndexWriteUnits {
        switch change.effect {
        case .none:
            return IndexWriteUnits()
        case .put(let item, let size, let encoded):
            return try write(key, old: old, new: item, newSize: size, encodedNew: encoded)
        case .delete:
            return try write(key, old: old, new: nil, newSize: 0)
        }
    }

    @discardableResult
    func updateIndex(_ index: IndexDefinition, key: StorageKey, old: Item?, new: Item?) throws -> CapacityUnits.IndexChange {
        let oldRow = old.flatMap { IndexKeys.rowKey(of: $0, in: index, tableKey: key) }
        let newRow = new.flatMap { IndexKeys.rowKey(of: $0, in: index, tableKey: key) }
        if let oldRow, oldRow != newRow {
            let statement = try connection.statement(StatementKey(.deleteIndexRow, table: table, index: index)) {
                "DELETE FROM \(index.sqlTableName(of: table)) WHERE h = ? AND pk = ? AND sk = ? AND tpk = ? AND tsk = ?"
            }
            defer { statement.reset() }
            try bind(oldRow, to: statement)
            try statement.run()
        }
        var newEntry: (item: Item, size: Int)?
        if let newRow, let new {
            let projected = index.project(new, tableKey: table.keySchema)
            let size = ItemSize.of(projected)
            newEntry = (projected, size)
            let statement = try connection.statement(StatementKey(.upsertIndexRow, table: table, index: index)) {
                "INSERT OR REPLACE INTO \(index.sqlTableName(of: table)) (h, pk, sk, tpk, tsk, size, item) VALUES (?, ?, ?, ?, ?, ?, ?)"
            }
            defer { statement.reset() }
            try bind(newRow, to: statement)
            try statement.bind(6, Int64(size))
            try statement.bind(7, ItemCodec.encode(projected))
            try statement.run()
        }
        // What the change cost the index, for capacity accounting.
        let oldEntry = oldRow == nil ? nil : old.map { index.project($0, tableKey: table.keySchema) }
        switch (oldEntry, newEntry) {
        case (nil, nil): return .untouched
        case (let oldEntry?, nil): return .delete(ItemSize.of(oldEntry))
        case (nil, let newEntry?): return .put(newEntry.size)
        case (let oldEntry?, let newEntry?):
            if oldRow != newRow { return .move(old: ItemSize.of(oldEntry), new: newEntry.size) }
            return oldEntry == newEntry.item ? .untouched : .update(old: ItemSize.of(oldEntry), new: newEntry.size)
        }
    }

    func updateExpiry(_ key: StorageKey, old: Item?, new: Item?, attribute: String) throws {
        guard let change = ExpiryRowChange.between(old: old, new: new, attribute: attribute) else { return }
        if let before = change.removed {
            let statement = try connection.statement(StatementKey(.deleteExpiry, table: table)) {
                "DELETE FROM \(table.sqlExpiryTableName) WHERE expires = ? AND h = ? AND pk = ? AND sk = ?"
            }
            defer { statement.reset() }
            try statement.bind(1, before)
            try bind(key, to: statement, from: 2)
            try statement.run()
        }
        if let after = change.added {
            let statement = try connection.statement(StatementKey(.insertExpiry, table: table)) {
                "INSERT OR IGNORE INTO \(table.sqlExpiryTableName) (expires, h, pk, sk) VALUES (?, ?, ?, ?)"
            }
            defer { statement.reset() }
            try statement.bind(1, after)
            try bind(key, to: statement, from: 2)
            try statement.run()
        }
    }

    /// The size of the item collection of `key`'s partition, for `ItemCollectionMetrics`;
    /// nil when the table has no local secondary index (DynamoDB then reports none).
    func itemCollectionMetrics(_ key: StorageKey, item: Item) throws -> ItemCollectionMetrics? {
        guard !table.localIndexes.isEmpty else { return nil }
        let partitionKey = table.keySchema.partitionKey.name
        guard let value = item[partitionKey] else { return nil }
        var total: Int64 = 0
        let sources = [table.sqlTableName] + table.localIndexes.map { $0.sqlTableName(of: table) }
        for sqlName in sources {
            let statement = try connection.statement("SELECT COALESCE(SUM(size), 0) FROM \(sqlName) WHERE h = ? AND pk = ?")
            defer { statement.reset() }
            try statement.bind(1, key.hash)
            try statement.bind(2, key.partition)
            if try statement.step() {
                total = total.addingReportingOverflow(statement.int64(0)).partialValue
            }
        }
        return ItemCollectionMetrics(key: [partitionKey: value], sizeBytes: total)
    }

    func backfillIndex(_ index: IndexDefinition, key: StorageKey, item: Item) throws {
        try updateIndex(index, key: key, old: nil, new: item)
    }

    func backfillExpiry(_ key: StorageKey, item: Item, attribute: String) throws {
        try updateExpiry(key, old: nil, new: item, attribute: attribute)
    }

    private func bind(_ key: StorageKey, to statement: Statement, from first: Int32 = 1) throws {
        try statement.bind(first, key.hash)
        try statement.bind(first + 1, key.partition)
        try statement.bind(first + 2, key.sort)
    }

    private func bind(_ key: IndexRowKey, to statement: Statement) throws {
        try statement.bind(1, key.hash)
        try statement.bind(2, key.partition)
        try statement.bind(3, key.sort)
        try statement.bind(4, key.tablePartition)
        try statement.bind(5, key.tableSort)
    }
}

/// The item-row statements `ItemStore.write` runs for every item, looked up once per store: a
/// batch of 25 items (or a TTL sweep) writes many rows through one store, and even a keyed
/// lookup (`StatementKey`) costs more than keeping the statement.
///
/// Keeps the table's storage id rather than its definition: every store makes one of these,
/// reads too, and copying a `TableDefinition` (a few dozen references) cost a GetItem about 350
/// instructions.
private final class ItemRowStatements {
    private let connection: Connection
    private let storageID: Int64
    private var cachedUpsert: Statement?
    private var cachedDelete: Statement?

    init(connection: Connection, table: TableDefinition) {
        self.connection = connection
        storageID = table.storageID
    }

    func upsert() throws -> Statement {
        if let cachedUpsert { return cachedUpsert }
        let statement = try connection.statement(StatementKey(.upsertItem, storageID: storageID)) {
            "INSERT OR REPLACE INTO \(TableDefinition.sqlTableName(storageID: storageID)) (h, pk, sk, size, item) VALUES (?, ?, ?, ?, ?)"
        }
        cachedUpsert = statement
        return statement
    }

    func delete() throws -> Statement {
        if let cachedDelete { return cachedDelete }
        let statement = try connection.statement(StatementKey(.deleteItem, storageID: storageID)) {
            "DELETE FROM \(TableDefinition.sqlTableName(storageID: storageID)) WHERE h = ? AND pk = ? AND sk = ?"
        }
        cachedDelete = statement
        return statement
    }
}

extension KVEngine {
    /// Runs an item operation, turning a table dropped under our feet into ResourceNotFound.
    func onExistingTable<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as SQLiteError {
            throw Self.tableGone(error)
        }
    }

    /// `onExistingTable` for a body that does not suspend.
    func onExistingTable<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as SQLiteError {
            throw Self.tableGone(error)
        }
    }

    private static func tableGone(_ error: SQLiteError) -> any Error {
        error.message.contains("no such table") ? KVError.resourceNotFound("Requested resource not found") : error
    }

    /// The store for a write body: the table as of this transaction, with the engine's clock and settings.
    func itemStore(_ table: TableDefinition, _ transaction: StorageTransaction, origin: WriteOrigin = .client) throws
        -> StorageItems
    {
        try transaction.items(
            try catalog.current(table),
            context: ItemWriteContext(
                now: now(), shardRollover: configuration.streams.shardRollover, origin: origin,
                itemCollectionLimit: configuration.itemCollectionLimit))
    }
}
