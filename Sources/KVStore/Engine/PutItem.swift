public struct PutItemRequest: Sendable {
    public var tableName: String
    public var item: Item
    public var returnValues: ReturnValues
    public var condition: WriteCondition?
    /// Look up the replaced item's size even when nothing else needs it, so that
    /// `consumedCapacity` counts the larger of the old and new sizes as DynamoDB does.
    public var measuresCapacity = false
    /// A PartiQL INSERT: fails with DuplicateItemException when the key exists (INSERT is not an upsert).
    public var insertOnly = false
    /// `ReturnItemCollectionMetrics=SIZE`.
    public var returnItemCollectionMetrics: Bool

    public init(
        tableName: String, item: Item, returnValues: ReturnValues = .none, condition: WriteCondition? = nil,
        returnItemCollectionMetrics: Bool = false
    ) {
        self.tableName = tableName
        self.item = item
        self.returnValues = returnValues
        self.condition = condition
        self.returnItemCollectionMetrics = returnItemCollectionMetrics
    }
}

extension KVEngine {
    /// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html
    /// The size limit is checked before the table is looked up, as DynamoDB does.
    public func putItem(_ request: PutItemRequest) async throws -> WriteResult {
        let size = try ItemSizeLimit.checkSent(request.item)
        let table = try existingTable(request.tableName)
        let key = try KeyValidator.keyOfItem(request.item, schema: table.keySchema)
        try IndexKeys.validate(request.item, for: table)
        let mutation = ItemMutation(
            .put(request.item, size: size, insertOnly: request.insertOnly), condition: request.condition,
            returnValues: request.returnValues)
        return try await writeItem(
            mutation, at: key, of: table, keyItem: request.item, measuresCapacity: request.measuresCapacity,
            itemCollectionMetrics: request.returnItemCollectionMetrics)
    }
}
