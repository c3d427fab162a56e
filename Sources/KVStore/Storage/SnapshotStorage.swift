/// The storage port of table snapshots (backups, restores, exports; see `StoragePort`): a walk
/// over a table's stored items, inside one read transaction so that it sees one state.
protocol SnapshotStorage {
    /// Calls `body` with every item of the table in key order: its key, DynamoDB size and
    /// `ItemCodec` bytes.
    func forEachEncodedItem(of table: TableDefinition, _ body: (StorageKey, Int, [UInt8]) throws -> Void) throws
}
