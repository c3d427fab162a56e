/// The TTL expiry index in SQLite: `e<storage_id>(expires, h, pk, sk)` (layout in `Schema`).
extension Connection: ExpiryIndexStorage {
    func expiredItemKeys(of table: TableDefinition, in range: ClosedRange<Int64>, limit: Int) throws -> [StorageKey] {
        let select = try self.statement(
            "SELECT h, pk, sk FROM \(table.sqlExpiryTableName) WHERE expires >= ? AND expires <= ? ORDER BY expires LIMIT \(limit)")
        defer { select.reset() }
        try select.bind(1, range.lowerBound)
        try select.bind(2, range.upperBound)
        var keys: [StorageKey] = []
        while try select.step() {
            keys.append(StorageKey(hash: select.int64(0), partition: select.blob(1), sort: select.blob(2)))
        }
        return keys
    }
}
