public struct UpdateItemRequest: Sendable {
    public var tableName: String
    public var key: Item
    /// nil: no changes, the item is only created (with its key) if absent.
    public var update: UpdateExpression?
    public var condition: WriteCondition?
    public var returnValues: ReturnValues
    /// `ReturnItemCollectionMetrics=SIZE`.
    public var returnItemCollectionMetrics: Bool

    public init(
        tableName: String, key: Item, update: UpdateExpression?, condition: WriteCondition? = nil,
        returnValues: ReturnValues = .none, returnItemCollectionMetrics: Bool = false
    ) {
        self.tableName = tableName
        self.key = key
        self.update = update
        self.condition = condition
        self.returnValues = returnValues
        self.returnItemCollectionMetrics = returnItemCollectionMetrics
    }
}

extension KVEngine {
    /// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateItem.html
    /// Read, condition check, update and write happen in one transaction on the writer, so two
    /// concurrent conditional updates of one item (the LIFO queue's task claim) can never both pass.
    public func updateItem(_ request: UpdateItemRequest) async throws -> WriteResult {
        let table = try existingTable(request.tableName)
        let key = try KeyValidator.key(request.key, schema: table.keySchema)
        let keyNames = Set(table.keySchema.attributeNames)
        // Checked before the item is read, so it wins over a failing condition, as in DynamoDB.
        try request.update?.checkKeyAttributes(keyNames)
        let mutation = ItemMutation(
            .update(key: request.key, expression: request.update, keyAttributes: keyNames), condition: request.condition,
            returnValues: request.returnValues)
        return try await writeItem(
            mutation, at: key, of: table, keyItem: request.key, itemCollectionMetrics: request.returnItemCollectionMetrics)
    }
}
