/// Table snapshots in SQLite: the item table read in primary-key order.
extension Connection: SnapshotStorage {
    func forEachEncodedItem(of table: TableDefinition, _ body: (StorageKey, Int, [UInt8]) throws -> Void) throws {
        let rows = try self.statement("SELECT h, pk, sk, size, item FROM \(table.sqlTableName) ORDER BY h, pk, sk")
        defer { rows.reset() }
        while try rows.step() {
            let key = StorageKey(hash: rows.int64(0), partition: rows.blob(1), sort: rows.blob(2))
            try body(key, Int(rows.int64(3)), rows.blob(4))
        }
    }
}
