/// The storage port of point-in-time recovery's change log (see `StoragePort` and `ChangeLog`).
///
/// For every change to a table with PITR enabled, the log holds the item as it was before (nil
/// when it did not exist), with the change's time in milliseconds since 1970.
public protocol ChangeLogStorage {
    /// Creates the table's change log (idempotent).
    func createChangeLog(of table: TableDefinition) throws

    /// Drops the table's change log (idempotent).
    func dropChangeLog(of table: TableDefinition) throws

    /// Records that the item at `key` held `old` until `millis`.
    func appendChangeLog(of table: TableDefinition, key: StorageKey, old: Item?, atMillis millis: Int64) throws

    /// Deletes the history recorded before `millis`.
    func trimChangeLog(of table: TableDefinition, beforeMillis millis: Int64) throws

    /// The items that differ between `millis` and now, as they were then: each key changed
    /// after `millis` with its oldest logged item bytes (nil when it did not exist).
    func changeLogState(of table: TableDefinition, atMillis millis: Int64) throws -> [StorageKey: [UInt8]?]

    /// The keys changed in `(fromMillis, toMillis]`, in key order, each with its last change's time.
    func changedKeys(of table: TableDefinition, afterMillis fromMillis: Int64, upToMillis toMillis: Int64) throws
        -> [(key: StorageKey, atMillis: Int64)]

}
