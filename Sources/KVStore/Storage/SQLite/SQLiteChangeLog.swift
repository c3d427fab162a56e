/// Point-in-time recovery's change log in SQLite.
///
/// On-disk format (never change silently): `p<storage_id>(seq INTEGER PRIMARY KEY, at INTEGER,
/// h INTEGER, pk BLOB, sk BLOB, old BLOB)`, created when PITR is enabled and dropped when it is
/// disabled or the table deleted; `at` is the change's time in milliseconds since 1970, `h`,
/// `pk`, `sk` the item's storage key, `old` `ItemCodec` bytes (NULL when the item did not exist).
extension Connection: ChangeLogStorage {
    func createChangeLog(of table: TableDefinition) throws {
        let name = table.sqlChangeLogTableName
        try execute(
            """
            CREATE TABLE IF NOT EXISTS \(name) (
                seq INTEGER PRIMARY KEY,
                at INTEGER NOT NULL,
                h INTEGER NOT NULL,
                pk BLOB NOT NULL,
                sk BLOB NOT NULL,
                old BLOB
            )
            """)
        try execute("CREATE INDEX IF NOT EXISTS \(name)_at ON \(name) (at)")
    }

    func dropChangeLog(of table: TableDefinition) throws {
        try execute("DROP TABLE IF EXISTS \(table.sqlChangeLogTableName)")
    }

    func appendChangeLog(of table: TableDefinition, key: StorageKey, old: Item?, atMillis millis: Int64) throws {
        let statement = try self.statement(
            "INSERT INTO \(table.sqlChangeLogTableName) (at, h, pk, sk, old) VALUES (?, ?, ?, ?, ?)")
        defer { statement.reset() }
        try statement.bind(1, millis)
        try statement.bind(2, key.hash)
        try statement.bind(3, key.partition)
        try statement.bind(4, key.sort)
        if let old { try statement.bind(5, ItemCodec.encode(old)) } else { try statement.bindNull(5) }
        try statement.run()
    }

    func trimChangeLog(of table: TableDefinition, beforeMillis millis: Int64) throws {
        let statement = try self.statement("DELETE FROM \(table.sqlChangeLogTableName) WHERE at < ?")
        defer { statement.reset() }
        try statement.bind(1, millis)
        try statement.run()
    }

    func changeLogState(of table: TableDefinition, atMillis millis: Int64) throws -> [StorageKey: [UInt8]?] {
        let statement = try self.statement(
            "SELECT h, pk, sk, old FROM \(table.sqlChangeLogTableName) WHERE at > ? ORDER BY seq")
        defer { statement.reset() }
        try statement.bind(1, millis)
        var state: [StorageKey: [UInt8]?] = [:]
        while try statement.step() {
            let key = StorageKey(hash: statement.int64(0), partition: statement.blob(1), sort: statement.blob(2))
            guard state[key] == nil else { continue }
            state[key] = .some(statement.isNull(3) ? nil : statement.blob(3))
        }
        return state
    }

    func changedKeys(of table: TableDefinition, afterMillis fromMillis: Int64, upToMillis toMillis: Int64) throws
        -> [(key: StorageKey, atMillis: Int64)]
    {
        let changes = try self.statement(
            "SELECT h, pk, sk, MAX(at) FROM \(table.sqlChangeLogTableName) WHERE at > ? AND at <= ? GROUP BY h, pk, sk ORDER BY h, pk, sk")
        defer { changes.reset() }
        try changes.bind(1, fromMillis)
        try changes.bind(2, toMillis)
        var changed: [(key: StorageKey, atMillis: Int64)] = []
        while try changes.step() {
            changed.append((StorageKey(hash: changes.int64(0), partition: changes.blob(1), sort: changes.blob(2)), changes.int64(3)))
        }
        return changed
    }
}
