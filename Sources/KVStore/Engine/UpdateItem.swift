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
        let catalog = self.catalog
        return try await onExistingTable {
            try await database.write { connection in
                let store = ItemStore(table: try catalog.current(table), connection: connection)
                let old = try store.fetch(key)
                try request.condition?.check(old)
                var new = old ?? keyItem
                var changed: Set<String> = []
                if let update = request.update {
                    (new, changed) = try update.apply(to: new, keyAttributes: keyNames)
                }
                let size = ItemSize.of(new)
                if size > Self.maxItemSize {
                    throw KVError.validation("Item size to update has exceeded the maximum allowed size")
                }
                try IndexKeys.validate(new, for: store.table)
                try store.write(key, old: old, new: new, newSize: size)
                let metrics = request.returnItemCollectionMetrics ? try store.itemCollectionMetrics(key, item: new) : nil
                return WriteResult(
                    attributes: Self.returned(request.returnValues, old: old, new: new, changed: changed), itemCollection: metrics)
            }
        }
    }

    static func returned(_ mode: ReturnValues, old: Item?, new: Item, changed: Set<String>) -> Item? {
        func only(_ item: Item?) -> Item? {
            guard let item else { return nil }
            let kept = item.filter { changed.contains($0.key) }
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
