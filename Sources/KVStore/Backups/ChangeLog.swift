/// The item-level history behind point-in-time recovery: for every change to a table with
/// PITR enabled, the item as it was before (nil when the item did not exist), written by
/// `ItemStore.write` (an external backend's item commit) in the same transaction as the change (`ChangeLogStorage`).
///
/// The table at a past second T is today's table with every change after T undone: for each
/// key changed after T, its oldest logged `old` is what it held at T. So no base copy is kept,
/// and entries older than the recovery period can simply be deleted (`trimChangeLog`).
public enum ChangeLog {
    /// Records that the item at `key` held `old` until `now`.
    static func append(
        table: TableDefinition, key: StorageKey, old: Item?, now: Double, connection: some ChangeLogStorage
    ) throws {
        try connection.appendChangeLog(of: table, key: key, old: old, atMillis: milliseconds(now))
    }

    /// The log's times: whole milliseconds since 1970, rounded down.
    public static func milliseconds(_ seconds: Double) -> Int64 {
        Int64((seconds * 1000).rounded(.down))
    }
}
