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
    static let maxItemSize = 409_600

    /// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html
    public func putItem(_ request: PutItemRequest) async throws -> WriteResult {
        let size = ItemSize.of(request.item)
        if size > Self.maxItemSize {
            throw KVError.validation("Item size has exceeded the maximum allowed size")
        }
        let table = try existingTable(request.tableName)
        let key = try KeyValidator.keyOfItem(request.item, schema: table.keySchema)
        try IndexKeys.validate(request.item, for: table)
        let item = request.item
        let wantsOld = request.returnValues == .allOld
        let condition = request.condition
        let measures = request.measuresCapacity
        let wantsMetrics = request.returnItemCollectionMetrics
        let insertOnly = request.insertOnly
        return try await onExistingTable {
            try await database.write { connection in
                let store = try self.itemStore(table, connection)
                let needsOld = wantsOld || condition != nil || insertOnly || store.needsOldItem
                let entry = needsOld ? try store.fetchEntry(key) : nil
                let old = entry?.item
                if insertOnly, old != nil { throw PartiQLError.duplicateItem }
                try condition?.check(old)
                let oldSize = needsOld ? entry?.size : measures ? try store.storedSize(key) : nil
                let indexUnits = try store.write(key, old: old, new: item, newSize: size)
                let metrics = wantsMetrics ? try store.itemCollectionMetrics(key, item: item) : nil
                return WriteResult(
                    attributes: wantsOld ? old : nil,
                    consumedCapacity: .write(table: table.name, oldSize: oldSize, newSize: size, indexes: indexUnits),
                    itemCollection: metrics)
            }
        }
    }
}
