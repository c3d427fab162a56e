/// One Get of a TransactGetItems call.
public struct TransactGet: Sendable {
    public var tableName: String
    public var key: Item
    public var projection: ProjectionExpression?

    public init(tableName: String, key: Item, projection: ProjectionExpression? = nil) {
        self.tableName = tableName
        self.key = key
        self.projection = projection
    }
}

public struct TransactGetResult: Sendable {
    /// One entry per Get, in order; nil where no item has the key.
    public var items: [Item?]
    /// One entry per table: transactional reads (twice a strongly consistent read per item).
    public var consumedCapacity: [ConsumedCapacity]
}

extension KVEngine {
    /// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactGetItems.html
    /// Every Get runs in one read body, so all see one committed snapshot: no write
    /// can land between two of them.
    ///
    /// A key that does not match its table's schema cancels the transaction with a
    /// `ValidationError` reason for that Get (and `None` for the others) rather than failing the
    /// request (Parity Suite tier3/error-messages/transactGetItems, validated against DynamoDB).
    public func transactGetItems(_ gets: [TransactGet]) async throws -> TransactGetResult {
        var plan: [(table: TableDefinition, key: StorageKey, projection: ProjectionExpression?)] = []
        var reasons: [CancellationReason] = []
        var invalid = false
        for get in gets {
            let table = try existingTable(get.tableName)
            switch Result(catching: { () throws(KVError) in try KeyValidator.key(get.key, schema: table.keySchema) }) {
            case .success(let key):
                plan.append((table, key, get.projection))
                reasons.append(.none)
            case .failure(let error):
                guard error.code == .validation else { throw error }
                invalid = true
                reasons.append(CancellationReason(code: "ValidationError", message: error.message))
            }
        }
        if invalid {
            throw KVError.transactionCanceled(reasons)
        }
        var seen = Set<ItemIdentity>()
        for (table, key, _) in plan {
            guard seen.insert(ItemIdentity(storageID: table.storageID, key: key)).inserted else {
                throw KVError.validation("Transaction request cannot include multiple operations on one item")
            }
        }
        let reads = plan
        return try await onExistingTable {
            try await storage.read { connection in
                var items: [Item?] = []
                var consumed: [ConsumedCapacity] = []
                for (table, key, projection) in reads {
                    let entry = try connection.items(table).fetchEntry(key)
                    consumed.append(.read(table: table.name, index: nil, bytes: entry?.size ?? 0, .transactional))
                    items.append(entry.map { projection?.apply(to: $0.item) ?? $0.item })
                }
                return TransactGetResult(items: items, consumedCapacity: ConsumedCapacity.perTable(consumed))
            }
        }
    }
}
