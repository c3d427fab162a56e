public struct DeleteItemRequest: Sendable {
    public var tableName: String
    public var key: Item
    public var returnValues: ReturnValues
    public var condition: WriteCondition?
    /// `ReturnItemCollectionMetrics=SIZE`.
    public var returnItemCollectionMetrics: Bool

    public init(
        tableName: String, key: Item, returnValues: ReturnValues = .none, condition: WriteCondition? = nil,
        returnItemCollectionMetrics: Bool = false
    ) {
        self.tableName = tableName
        self.key = key
        self.returnValues = returnValues
        self.condition = condition
        self.returnItemCollectionMetrics = returnItemCollectionMetrics
    }
}

extension KVEngine {
    /// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DeleteItem.html
    public func deleteItem(_ request: DeleteItemRequest) async throws -> WriteResult {
        let table = try existingTable(request.tableName)
        let key = try KeyValidator.key(request.key, schema: table.keySchema)
        let wantsOld = request.returnValues == .allOld
        let condition = request.condition
        let wantsMetrics = request.returnItemCollectionMetrics
        let keyItem = request.key
        return try await onExistingTable {
            try await database.write(.freesSpace) { connection in
                let store = try self.itemStore(table, connection)
                let entry = try store.fetchEntry(key)
                let old = entry?.item
                try condition?.check(old)
                var indexUnits = IndexWriteUnits()
                if let old {
                    indexUnits = try store.write(key, old: old, new: nil, newSize: 0)
                }
                let metrics = wantsMetrics ? try store.itemCollectionMetrics(key, item: keyItem) : nil
                return WriteResult(
                    attributes: wantsOld ? old : nil,
                    consumedCapacity: .write(table: table.name, oldSize: entry?.size, newSize: nil, indexes: indexUnits),
                    itemCollection: metrics)
            }
        }
    }
}
