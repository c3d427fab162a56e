public struct DeleteItemRequest: Sendable {
    public var tableName: String
    public var key: Item
    public var returnValues: ReturnValues
    public var condition: WriteCondition?

    public init(tableName: String, key: Item, returnValues: ReturnValues = .none, condition: WriteCondition? = nil) {
        self.tableName = tableName
        self.key = key
        self.returnValues = returnValues
        self.condition = condition
    }
}

extension KVEngine {
    /// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DeleteItem.html
    public func deleteItem(_ request: DeleteItemRequest) async throws -> WriteResult {
        let table = try existingTable(request.tableName)
        let key = try KeyValidator.key(request.key, schema: table.keySchema)
        let wantsOld = request.returnValues == .allOld
        let condition = request.condition
        return try await onExistingTable {
            try await database.write { connection in
                let store = try self.itemStore(table, connection)
                let old = try store.fetch(key)
                try condition?.check(old)
                guard let old else { return WriteResult(attributes: nil) }
                try store.write(key, old: old, new: nil, newSize: 0)
                return WriteResult(attributes: wantsOld ? old : nil)
            }
        }
    }
}
