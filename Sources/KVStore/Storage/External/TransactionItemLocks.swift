/// An item a TransactWriteItems call writes or checks, for `lockTransactionItems`.
public struct TransactionItemKey: Sendable {
    public let table: TableDefinition
    public let key: StorageKey

    public init(table: TableDefinition, key: StorageKey) {
        self.table = table
        self.key = key
    }
}

extension ExternalStorageTransaction {
    /// Default: rows are locked as the body reads them (a backend whose write transactions run
    /// one at a time needs nothing more).
    public func lockTransactionItems(_ items: [TransactionItemKey]) throws -> Int? { nil }
}
