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
        let keyItem = request.key
        let keyNames = Set(table.keySchema.attributeNames)
        // Checked before the item is read, so it wins over a failing condition, as in DynamoDB.
        try request.update?.checkKeyAttributes(keyNames)
        return try await onExistingTable {
            try await database.write { connection in
                let store = try self.itemStore(table, connection)
                let entry = try store.fetchEntry(key)
                let old = entry?.item
                try request.condition?.check(old)
                var new = old ?? keyItem
                if let update = request.update {
                    (new, _) = try update.apply(to: new, keyAttributes: keyNames)
                }
                let size = ItemSize.of(new)
                if size > Self.maxItemSize {
                    throw KVError.validation("Item size to update has exceeded the maximum allowed size")
                }
                try IndexKeys.validate(new, for: store.table, byUpdate: true)
                let indexUnits = try store.write(key, old: old, new: new, newSize: size)
                let updatedPaths = request.update?.updatedPaths ?? []
                let metrics = request.returnItemCollectionMetrics ? try store.itemCollectionMetrics(key, item: new) : nil
                return WriteResult(
                    attributes: Self.returned(request.returnValues, old: old, new: new, updatedPaths: updatedPaths),
                    consumedCapacity: .write(table: table.name, oldSize: entry?.size, newSize: size, indexes: indexUnits),
                    itemCollection: metrics)
            }
        }
    }

    /// `UPDATED_OLD` / `UPDATED_NEW` return only the paths the update wrote (a nested SET returns its
    /// map/list with just that element, as dynalite's updateItem.js records from DynamoDB), read
    /// from the item before / after the update.
    static func returned(_ mode: ReturnValues, old: Item?, new: Item, updatedPaths: [DocumentPath]) -> Item? {
        func only(_ item: Item?) -> Item? {
            guard let item else { return nil }
            let kept = ProjectionExpression(paths: updatedPaths).apply(to: item)
            return kept.isEmpty ? nil : kept
        }
        switch mode {
        case .none: return nil
        case .allOld: return old
        case .allNew: return new
        case .updatedOld: return only(old)
        case .updatedNew: return only(new)
        }
    }
}
