/// The names of a table's SQLite tables, derived from its storage id (never reused), so a table
/// deleted and created again under the same name never shares storage with its predecessor.
/// The layout of each is in `Schema` (and `ChangeLog` for the PITR log).
extension TableDefinition {
    /// The items: `t<storageID>`.
    var sqlTableName: String { Self.sqlTableName(storageID: storageID) }
    /// The items of the table with `storageID`.
    static func sqlTableName(storageID: Int64) -> String { "t\(storageID)" }
    /// The TTL expiry index: `e<storageID>`.
    var sqlExpiryTableName: String { "e\(storageID)" }
    /// The point-in-time recovery change log: `p<storageID>`.
    var sqlChangeLogTableName: String { "p\(storageID)" }
}

extension IndexDefinition {
    /// The rows of secondary index number `number` of `table`: `x<storageID>_<number>`.
    func sqlTableName(of table: TableDefinition) -> String { "x\(table.storageID)_\(number)" }
}
