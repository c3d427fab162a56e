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

/// The outcome of a single-item read: the (projected) item, if any, and what reading it cost.
public struct ItemRead: Sendable {
    public var item: Item?
    public var consumedCapacity: ConsumedCapacity
}

extension KVEngine {
    /// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_GetItem.html
    /// Every read here is strongly consistent: a reader sees every committed write.
    public func getItem(_ request: GetItemRequest) async throws -> Item? {
        try await readItem(request).item
    }

    /// GetItem with its consumed capacity: the stored item's size, rounded up to 4 KB
    /// (one block for a missing item), halved unless `ConsistentRead`.
    public func readItem(_ request: GetItemRequest) async throws -> ItemRead {
        let table = try existingTable(request.tableName)
        let key = try KeyValidator.key(request.key, schema: table.keySchema)
        let entry = try await onExistingTable {
            try await database.pointRead { connection in
                try ItemStore(table: table, connection: connection).fetchEntry(key)
            }
        }
        return Self.itemRead(entry, table: table, request: request)
    }

    /// Whether `readItemNow` can answer (file mode: each thread has its own read connection).
    public var readsInline: Bool { database.inlineReaders != nil }

    /// `readItem` on the calling thread without suspending, or nil where `readsInline` is false.
    /// Lets the server answer a GetItem within the event loop tick that parsed it, without a task.
    public func readItemNow(_ request: GetItemRequest) throws -> ItemRead? {
        guard let readers = database.inlineReaders else { return nil }
        let table = try existingTable(request.tableName)
        let key = try KeyValidator.key(request.key, schema: table.keySchema)
        let entry = try onExistingTable {
            try readers.read { connection in
                try ItemStore(table: table, connection: connection).fetchEntry(key)
            }
        }
        return Self.itemRead(entry, table: table, request: request)
    }

    private static func itemRead(_ entry: (item: Item, size: Int)?, table: TableDefinition, request: GetItemRequest)
        -> ItemRead
    {
        let capacity = ConsumedCapacity.read(
            table: table.name, index: nil, bytes: entry?.size ?? 0,
            CapacityUnits.ReadKind(consistent: request.consistentRead))
        guard let item = entry?.item, let projection = request.projection else {
            return ItemRead(item: entry?.item, consumedCapacity: capacity)
        }
        return ItemRead(item: projection.apply(to: item), consumedCapacity: capacity)
    }
}
