/// TransactWriteItems over a shared database: the items are locked up front, without waiting
/// (`ExternalStorageTransaction.lockTransactionItems`), so a transaction colliding with an
/// ongoing one is canceled at once with a `TransactionConflict` reason, as DynamoDB cancels it,
/// instead of waiting for the other's locks (or deadlocking with it). SQLite's single writer
/// runs transactions one at a time: nothing to lock, nothing added.
/// See https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html
/// and https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html#transaction-conflict-handling
extension KVEngine {
    /// DynamoDB's cancellation reason of the action whose item an ongoing transaction holds.
    static let transactionConflictReason = CancellationReason(
        code: "TransactionConflict", message: "Transaction is ongoing for the item")

    /// Locks the items of `plan` (its actions that will run) in `connection`, or throws
    /// TransactionCanceledException naming the item held by another transaction.
    static func lockTransactionItems(_ plan: [PlannedAction], in connection: StorageTransaction) throws {
        guard case .external(let transaction) = connection else { return }
        let positions = plan.indices.filter { plan[$0].failure == nil }
        let items = positions.map { TransactionItemKey(table: plan[$0].table, key: plan[$0].key) }
        guard let busy = try transaction.lockTransactionItems(items), positions.indices.contains(busy) else { return }
        let held = positions[busy]
        throw KVError.transactionCanceled(plan.indices.map { $0 == held ? transactionConflictReason : .none })
    }
}
