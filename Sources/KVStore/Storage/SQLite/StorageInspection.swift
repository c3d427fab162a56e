/// Read-only access to the on-disk formats, for offline tools (`kvctl check`, which opens the
/// file with `OfflineDatabase`). The layout is described in `Schema`; nothing here writes.
public enum StorageInspection {
    /// The `PRAGMA user_version` this build writes and expects.
    public static var schemaVersion: Int { Schema.currentVersion }

    /// The catalog table: `kv_tables(name, storage_id, definition)`.
    public static let catalogTable = "kv_tables"

    /// The SQLite table holding a table's items (`t<storage_id>`).
    public static func itemTableName(storageID: Int64) -> String { "t\(storageID)" }

    /// The SQLite table holding the rows of one secondary index (`x<storage_id>_<number>`).
    public static func indexTableName(storageID: Int64, indexNumber: Int64) -> String {
        "x\(storageID)_\(indexNumber)"
    }

    /// Decodes the `item` column of an item or index row (`ItemCodec` bytes).
    ///
    /// - Throws: when the bytes are not exactly one valid encoded item.
    public static func decodeItem(_ bytes: [UInt8]) throws -> Item {
        try ItemCodec.decode(bytes)
    }

    /// Whether `item` has a row in `index`: it has every index key attribute, with the
    /// declared type (sparse indexes leave the other items out).
    public static func belongsInIndex(_ item: Item, index: IndexDefinition) -> Bool {
        IndexKeys.rowKey(of: item, in: index, tableKey: StorageKey(hash: 0, partition: [], sort: [])) != nil
    }
}
