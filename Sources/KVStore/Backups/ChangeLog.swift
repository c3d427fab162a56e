/// The item-level history behind point-in-time recovery: for every change to a table with
/// PITR enabled, the item as it was before (`old`, NULL when the item did not exist), written
/// by `ItemStore.write` in the same transaction as the change.
///
/// On-disk format (never change silently): `p<storage_id>(seq INTEGER PRIMARY KEY, at INTEGER,
/// h INTEGER, pk BLOB, sk BLOB, old BLOB)`, created when PITR is enabled and dropped when it is
/// disabled or the table deleted; `at` is the change's time in milliseconds since 1970, `h`,
/// `pk`, `sk` the item's storage key, `old` `ItemCodec` bytes.
///
/// The table at a past second T is today's table with every change after T undone: for each
/// key changed after T, its oldest logged `old` is what it held at T. So no base copy is kept,
/// and rows older than the recovery period can simply be deleted (`trim`).
enum ChangeLog {
    static func sqlName(of table: TableDefinition) -> String { "p\(table.storageID)" }

    static func create(for table: TableDefinition, in connection: Connection) throws {
        try connection.execute(
            """
            CREATE TABLE IF NOT EXISTS \(sqlName(of: table)) (
                seq INTEGER PRIMARY KEY,
                at INTEGER NOT NULL,
                h INTEGER NOT NULL,
                pk BLOB NOT NULL,
                sk BLOB NOT NULL,
                old BLOB
            )
            """)
        try connection.execute("CREATE INDEX IF NOT EXISTS \(sqlName(of: table))_at ON \(sqlName(of: table)) (at)")
    }

    static func drop(for table: TableDefinition, in connection: Connection) throws {
        try connection.execute("DROP TABLE IF EXISTS \(sqlName(of: table))")
    }

    /// Records that the item at `key` held `old` until `now`.
    static func append(table: TableDefinition, key: StorageKey, old: Item?, now: Double, connection: Connection) throws {
        let statement = try connection.statement(
            "INSERT INTO \(sqlName(of: table)) (at, h, pk, sk, old) VALUES (?, ?, ?, ?, ?)")
        defer { statement.reset() }
        try statement.bind(1, milliseconds(now))
        try statement.bind(2, key.hash)
        try statement.bind(3, key.partition)
        try statement.bind(4, key.sort)
        if let old { try statement.bind(5, ItemCodec.encode(old)) } else { try statement.bindNull(5) }
        try statement.run()
    }

    /// Deletes history older than `cutoff` (seconds since 1970): no restore can need it.
    static func trim(table: TableDefinition, before cutoff: Double, connection: Connection) throws {
        let statement = try connection.statement("DELETE FROM \(sqlName(of: table)) WHERE at < ?")
        defer { statement.reset() }
        try statement.bind(1, milliseconds(cutoff))
        try statement.run()
    }

    /// The items that differ between `time` and now, as they were at `time`: each key changed
    /// after `time` with its item bytes then (nil when it did not exist).
    static func stateAt(_ time: Double, table: TableDefinition, connection: Connection) throws -> [StorageKey: [UInt8]?] {
        let statement = try connection.statement(
            "SELECT h, pk, sk, old FROM \(sqlName(of: table)) WHERE at > ? ORDER BY seq")
        defer { statement.reset() }
        try statement.bind(1, milliseconds(time))
        var state: [StorageKey: [UInt8]?] = [:]
        while try statement.step() {
            let key = StorageKey(hash: statement.int64(0), partition: statement.blob(1), sort: statement.blob(2))
            guard state[key] == nil else { continue }
            state[key] = .some(statement.isNull(3) ? nil : statement.blob(3))
        }
        return state
    }

    static func milliseconds(_ seconds: Double) -> Int64 {
        Int64((seconds * 1000).rounded(.down))
    }
}
