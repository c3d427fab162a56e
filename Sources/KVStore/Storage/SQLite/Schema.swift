#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

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
///   projected attributes and `size` their DynamoDB size. A key part (`pk` or `sk`) of one attribute
///   is its `KeyEncoding` bytes; a part of several attributes (a GSI with multi-attribute keys) is
///   their `CompositeKeyEncoding`. Multi-attribute key schemas add `additionalPartitionKeys` /
///   `additionalSortKeys` to the index's `KeySchema` JSON, absent from every ordinary key, so
///   databases written before them open unchanged (no version bump, no migration); a binary older
///   than multi-attribute keys must not open a database that has such an index.
/// - `e<storage_id>(expires, h, pk, sk, PRIMARY KEY(expires, h, pk, sk)) WITHOUT ROWID`: the TTL expiry
///   index of a table with TTL enabled: every item whose TTL attribute is a Number, by its expiry second,
///   so a sweep reads only what has expired.
/// - `kv_shards(stream_id, shard, parent, opened, closed, start_seq, end_seq, trimmed_seq)`: the shards of
///   every stream; `kv_stream_records(seq, stream_id, shard, created, event, service, size, keys, old, new)`:
///   the change records, `seq` being the global, never reused sequence number (`event` 1 INSERT, 2 MODIFY,
///   3 REMOVE; `service` 1 for TTL deletions; images in `ItemCodec` bytes).
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
                    CREATE TABLE kv_shards (
                        stream_id INTEGER NOT NULL,
                        shard INTEGER NOT NULL,
                        parent INTEGER,
                        opened REAL NOT NULL,
                        closed REAL,
                        start_seq INTEGER NOT NULL,
                        end_seq INTEGER,
                        trimmed_seq INTEGER NOT NULL DEFAULT 0,
                        PRIMARY KEY (stream_id, shard)
                    ) WITHOUT ROWID
                    """)
                try connection.execute(
                    """
                    CREATE TABLE kv_stream_records (
                        seq INTEGER PRIMARY KEY AUTOINCREMENT,
                        stream_id INTEGER NOT NULL,
                        shard INTEGER NOT NULL,
                        created REAL NOT NULL,
                        event INTEGER NOT NULL,
                        service INTEGER NOT NULL,
                        size INTEGER NOT NULL,
                        keys BLOB NOT NULL,
                        old BLOB,
                        new BLOB
                    )
                    """)
                try connection.execute(
                    "CREATE INDEX kv_stream_records_by_shard ON kv_stream_records (stream_id, shard, seq)")
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

    static func createExpiryTable(_ sqlName: String, in connection: Connection) throws {
        try connection.execute(
            """
            CREATE TABLE IF NOT EXISTS \(sqlName) (
                expires INTEGER NOT NULL,
                h INTEGER NOT NULL,
                pk BLOB NOT NULL,
                sk BLOB NOT NULL,
                PRIMARY KEY (expires, h, pk, sk)
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
