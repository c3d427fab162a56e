/// Row-level access to one table's items and index rows on a connection. Every item
/// write goes through `write(_:old:new:)`, so the item row and its index rows change
/// together, inside the caller's transaction.
struct ItemStore {
    let table: TableDefinition
    let connection: Connection

    func fetch(_ key: StorageKey) throws -> Item? {
        let statement = try connection.statement(
            "SELECT item FROM \(table.sqlTableName) WHERE h = ? AND pk = ? AND sk = ?")
        defer { statement.reset() }
        try bind(key, to: statement)
        guard try statement.step() else { return nil }
        return try ItemCodec.decode(statement.blob(0))
    }

    /// Whether writes need the old item to keep derived data (indexes) right.
    var needsOldItem: Bool { !table.indexes.isEmpty }

    /// Replaces the item at `key` (`new == nil` deletes it) and updates every index.
    /// `old` must be the item currently stored when `needsOldItem` is true.
    func write(_ key: StorageKey, old: Item?, new: Item?, newSize: Int) throws {
        if let new {
            let statement = try connection.statement(
                "INSERT OR REPLACE INTO \(table.sqlTableName) (h, pk, sk, size, item) VALUES (?, ?, ?, ?, ?)")
            defer { statement.reset() }
            try bind(key, to: statement)
            try statement.bind(4, Int64(newSize))
            try statement.bind(5, ItemCodec.encode(new))
            try statement.run()
        } else {
            let statement = try connection.statement(
                "DELETE FROM \(table.sqlTableName) WHERE h = ? AND pk = ? AND sk = ?")
            defer { statement.reset() }
            try bind(key, to: statement)
            try statement.run()
        }
        for index in table.indexes where index.status != .deleting {
            try updateIndex(index, key: key, old: old, new: new)
        }
    }

    func updateIndex(_ index: IndexDefinition, key: StorageKey, old: Item?, new: Item?) throws {
        let oldRow = old.flatMap { IndexKeys.rowKey(of: $0, in: index, tableKey: key) }
        let newRow = new.flatMap { IndexKeys.rowKey(of: $0, in: index, tableKey: key) }
        let sqlName = index.sqlTableName(of: table)
        if let oldRow, oldRow != newRow {
            let statement = try connection.statement(
                "DELETE FROM \(sqlName) WHERE h = ? AND pk = ? AND sk = ? AND tpk = ? AND tsk = ?")
            defer { statement.reset() }
            try bind(oldRow, to: statement)
            try statement.run()
        }
        if let newRow, let new {
            let projected = index.project(new, tableKey: table.keySchema)
            let statement = try connection.statement(
                "INSERT OR REPLACE INTO \(sqlName) (h, pk, sk, tpk, tsk, size, item) VALUES (?, ?, ?, ?, ?, ?, ?)")
            defer { statement.reset() }
            try bind(newRow, to: statement)
            try statement.bind(6, Int64(ItemSize.of(projected)))
            try statement.bind(7, ItemCodec.encode(projected))
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

    private func bind(_ key: StorageKey, to statement: Statement) throws {
        try statement.bind(1, key.hash)
        try statement.bind(2, key.partition)
        try statement.bind(3, key.sort)
    }

    private func bind(_ key: IndexRowKey, to statement: Statement) throws {
        try statement.bind(1, key.hash)
        try statement.bind(2, key.partition)
        try statement.bind(3, key.sort)
        try statement.bind(4, key.tablePartition)
        try statement.bind(5, key.tableSort)
    }
}

extension KVEngine {
    /// Runs an item operation, turning a table dropped under our feet into ResourceNotFound.
    func onExistingTable<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as SQLiteError where error.message.contains("no such table") {
            throw KVError.resourceNotFound("Requested resource not found")
        }
    }
}
