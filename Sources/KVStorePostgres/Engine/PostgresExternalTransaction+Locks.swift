import KVStore

/// TransactWriteItems on PostgreSQL: every item's row is locked up front with
/// `SELECT ... FOR UPDATE NOWAIT`, in key order (`RowKey.lockOrder`), as
/// `PostgresBlockingTransaction.lockItems` does. A row another transaction holds fails at once
/// (SQLSTATE 55P03), and the engine cancels the call with a TransactionConflict reason; two
/// transactions over the same items in opposite orders never wait on each other (before, each
/// locked as it read, and such pairs deadlocked until PostgreSQL's `deadlock_timeout`).
/// A key with no row yet has nothing to lock: two transactions creating it meet at the insert
/// (`PostgresConflict.concurrentInsert`: the loser's body runs again and then finds the row).
extension PostgresExternalTransaction {
    func lockTransactionItems(_ items: [TransactionItemKey]) throws -> Int? {
        guard writes else { return nil }
        var keys: [(row: RowKey, position: Int)] = []
        keys.reserveCapacity(items.count)
        for (position, item) in items.enumerated() {
            let table = try currentDefinition(item.table)
            keys.append((RowKey(storageID: table.storageID, hash: item.key.hash, pk: item.key.partition, sk: item.key.sort), position))
        }
        for (key, position) in keys.sorted(by: { RowKey.lockOrder($0.row, $1.row) }) where locked[key] == nil {
            do {
                locked[key] = .some(try transaction.readForUpdate(key, noWait: true))
            } catch where PostgresConflict.classify(error)?.reason == .lockNotAvailable {
                return position
            }
        }
        return nil
    }
}
