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
        let mutation = ItemMutation(
            .delete, condition: request.condition, returnValues: request.returnValues)
        return try await writeItem(
            mutation, at: key, of: table, keyItem: request.key, itemCollectionMetrics: request.returnItemCollectionMetrics,
            intent: .freesSpace)
    }
}
