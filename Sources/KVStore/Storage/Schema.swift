import Foundation

/// The database layout and its migrations, versioned with `PRAGMA user_version`.
///
/// On-disk format (never change silently; add a migration instead):
/// - `kv_tables(name TEXT PRIMARY KEY, storage_id INTEGER UNIQUE, definition TEXT)`: one row per
///   DynamoDB table; `definition` is the JSON of `TableDefinition`.
/// - `t<storage_id>(h INTEGER, pk BLOB, sk BLOB, size INTEGER, item BLOB, PRIMARY KEY(h, pk, sk)) WITHOUT ROWID`:
///   the items of one table. `h` is `PartitionHash` of `pk`, so a Scan walks the hash space the
///   way DynamoDB's partitions do and parallel scan segments are hash ranges; `pk`/`sk` are
///   `KeyEncoding` bytes (`sk` is empty when the table has no sort key); `size` is the item's
///   DynamoDB size; `item` is `ItemCodec` bytes.
/// - `x<storage_id>_<n>(h, pk, sk, tpk, tsk, size, item, PRIMARY KEY(h, pk, sk, tpk, tsk)) WITHOUT ROWID`:
///   the rows of secondary index number `n`: `pk`/`sk` are the index key bytes (`h` hashes `pk`),
///   `tpk`/`tsk` the table key bytes (so items sharing an index key stay distinct), `item` the
///   projected attributes and `size` their DynamoDB size.
/// - `kv_transaction_tokens(token TEXT PRIMARY KEY, fingerprint TEXT, created INTEGER)` (version 2): the
///   `ClientRequestToken`s of committed TransactWriteItems calls, written in the same transaction
///   as the writes they guard; `fingerprint` identifies the request, `created` is whole seconds since 1970.
enum Schema {
    static let currentVersion = 2

    static func migrate(_ connection: Connection) throws {
        let version = try connection.userVersion
        guard version < currentVersion else { return }
        try connection.execute("BEGIN IMMEDIATE")
        do {
            if version < 1 {
                try connection.execute(
                    """
                    CREATE TABLE kv_tables (
                        name TEXT PRIMARY KEY,
                        storage_id INTEGER NOT NULL UNIQUE,
                        definition TEXT NOT NULL
                    )
                    """)
            }
            if version < 2 {
                try connection.execute(
                    """
                    CREATE TABLE kv_transaction_tokens (
                        token TEXT PRIMARY KEY,
                        fingerprint TEXT NOT NULL,
                        created INTEGER NOT NULL
                    ) WITHOUT ROWID
                    """)
            }
            try connection.setUserVersion(currentVersion)
            try connection.execute("COMMIT")
        } catch {
            try? connection.execute("ROLLBACK")
            throw error
        }
    }

    static func createItemTable(_ sqlName: String, in connection: Connection) throws {
        try connection.execute(
            """
            CREATE TABLE \(sqlName) (
                h INTEGER NOT NULL,
                pk BLOB NOT NULL,
                sk BLOB NOT NULL,
                size INTEGER NOT NULL,
                item BLOB NOT NULL,
                PRIMARY KEY (h, pk, sk)
            ) WITHOUT ROWID
            """)
    }

    static func createIndexTable(_ sqlName: String, in connection: Connection) throws {
        try connection.execute(
            """
            CREATE TABLE \(sqlName) (
                h INTEGER NOT NULL,
                pk BLOB NOT NULL,
                sk BLOB NOT NULL,
                tpk BLOB NOT NULL,
                tsk BLOB NOT NULL,
                size INTEGER NOT NULL,
                item BLOB NOT NULL,
                PRIMARY KEY (h, pk, sk, tpk, tsk)
            ) WITHOUT ROWID
            """)
    }

    /// Rewrites a table's catalog row; the caller updates the in-memory catalog after it.
    static func saveDefinition(_ definition: TableDefinition, in connection: Connection) throws {
        let statement = try connection.statement("UPDATE kv_tables SET definition = ? WHERE name = ? AND storage_id = ?")
        defer { statement.reset() }
        try statement.bind(1, try encode(definition))
        try statement.bind(2, definition.name)
        try statement.bind(3, definition.storageID)
        try statement.run()
    }

    static func loadDefinitions(_ connection: Connection) throws -> [TableDefinition] {
        let statement = try connection.statement("SELECT definition FROM kv_tables")
        defer { statement.reset() }
        var result: [TableDefinition] = []
        let decoder = JSONDecoder()
        while try statement.step() {
            let text = statement.text(0)
            result.append(try decoder.decode(TableDefinition.self, from: Data(text.utf8)))
        }
        return result
    }

    static func encode(_ definition: TableDefinition) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(definition), as: UTF8.self)
    }
}
