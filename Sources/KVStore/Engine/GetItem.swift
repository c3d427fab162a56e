public struct GetItemRequest: Sendable {
    public var tableName: String
    public var key: Item
    public var consistentRead: Bool
    /// The attributes to return; nil returns the whole item.
    public var projection: ProjectionExpression?

    public init(tableName: String, key: Item, consistentRead: Bool = false, projection: ProjectionExpression? = nil) {
        self.tableName = tableName
        self.key = key
        self.consistentRead = consistentRead
        self.projection = projection
    }
}

extension KVEngine {
    /// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_GetItem.html
    /// Every read here is strongly consistent: a reader sees every committed write.
    public func getItem(_ request: GetItemRequest) async throws -> Item? {
        let table = try existingTable(request.tableName)
        let key = try KeyValidator.key(request.key, schema: table.keySchema)
        let item = try await onExistingTable {
            try await database.read { connection in
                try ItemStore(table: table, connection: connection).fetch(key)
            }
        }
        guard let item, let projection = request.projection else { return item }
        return projection.apply(to: item)
    }
}
