/// Row-level access to one table's items on a connection. Every item operation goes
/// through here, so the row layout of `Schema` is known in one place.
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

    func store(_ item: Item, size: Int, at key: StorageKey) throws {
        let statement = try connection.statement(
            "INSERT OR REPLACE INTO \(table.sqlTableName) (h, pk, sk, size, item) VALUES (?, ?, ?, ?, ?)")
        defer { statement.reset() }
        try bind(key, to: statement)
        try statement.bind(4, Int64(size))
        try statement.bind(5, ItemCodec.encode(item))
        try statement.run()
    }

    func remove(_ key: StorageKey) throws {
        let statement = try connection.statement(
            "DELETE FROM \(table.sqlTableName) WHERE h = ? AND pk = ? AND sk = ?")
        defer { statement.reset() }
        try bind(key, to: statement)
        try statement.run()
    }

    private func bind(_ key: StorageKey, to statement: Statement) throws {
        try statement.bind(1, key.hash)
        try statement.bind(2, key.partition)
        try statement.bind(3, key.sort)
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
