public struct GetItemRequest: Sendable {
    public var tableName: String
    public var key: Item
    public var consistentRead: Bool
    /// The attributes to return; nil returns the whole item.
    public var projection: ProjectionExpression?
    /// Return the whole item as stored (`ItemRead.storedItem`) rather than decoded, when there
    /// is no projection to apply.
    public var returnsStoredItem: Bool

    public init(
        tableName: String, key: Item, consistentRead: Bool = false, projection: ProjectionExpression? = nil,
        returnsStoredItem: Bool = false
    ) {
        self.tableName = tableName
        self.key = key
        self.consistentRead = consistentRead
        self.projection = projection
        self.returnsStoredItem = returnsStoredItem
    }

    /// Whether the read hands back the item as stored: asked for, and no projection to apply.
    var readsStoredItem: Bool { returnsStoredItem && projection == nil }
}

/// The outcome of a single-item read: the (projected) item, if any, and what reading it cost.
public struct ItemRead: Sendable {
    /// The item, decoded; nil when it is missing or in `storedItem`.
    public var item: Item?
    /// The item as stored (one item), when the request asked for that; nil when it is missing.
    public var storedItem: StoredItems?
    public var consumedCapacity: ConsumedCapacity
}

extension KVEngine {
    /// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_GetItem.html
    /// On SQLite every read is strongly consistent: a reader sees every committed write. An
    /// external backend may serve `ConsistentRead` false from a replica (`ReadConsistency`).
    public func getItem(_ request: GetItemRequest) async throws -> Item? {
        try await readItem(request).item
    }

    /// GetItem with its consumed capacity: the stored item's size, rounded up to 4 KB
    /// (one block for a missing item), halved unless `ConsistentRead`.
    public func readItem(_ request: GetItemRequest) async throws -> ItemRead {
        let table = try existingTable(request.tableName)
        let key = try KeyValidator.key(request.key, schema: table.keySchema)
        return try await onExistingTable {
            try await storage.pointRead(ReadConsistency(consistentRead: request.consistentRead)) { connection in
                try Self.readItem(request, table: table, key: key, on: connection)
            }
        }
    }

    /// `readItem` on the calling thread's own read connection, without suspending. Lets the
    /// server answer a GetItem within the event loop tick that parsed it, without a task.
    public func readItemNow(_ request: GetItemRequest) throws -> ItemRead {
        guard let readers = storage.sqliteDatabase?.inlineReaders else {
            throw KVError.unsupportedByBackend("reads on the calling thread")
        }
        let table = try existingTable(request.tableName)
        let key = try KeyValidator.key(request.key, schema: table.keySchema)
        if request.readsStoredItem {
            // The point statement alone, given only what it needs: a store, or closures that
            // capture the table, would copy the definition, 1,700 instructions of a GetItem.
            let storageID = table.storageID
            let tableName = table.name
            return try onExistingTable {
                try readers.read { connection in
                    Self.storedRead(request, tableName: tableName, try ItemStore.fetchStored(key, storageID: storageID, on: connection))
                }
            }
        }
        return try onExistingTable {
            try readers.read { connection in
                // The SQLite store straight away: `StorageTransaction.items` would copy the
                // table definition twice more and read the clock for a write context.
                try Self.readItem(request, table: table, key: key, in: ItemStore(table: table, connection: connection))
            }
        }
    }

    private static func readItem(
        _ request: GetItemRequest, table: TableDefinition, key: StorageKey, on connection: StorageTransaction
    ) throws -> ItemRead {
        // One switch to the concrete item storage (see `writeItem`).
        switch try connection.items(table) {
        case .sqlite(let store): try readItem(request, table: table, key: key, in: store)
        case .external(let store): try readItem(request, table: table, key: key, in: store)
        }
    }

    private static func readItem(
        _ request: GetItemRequest, table: TableDefinition, key: StorageKey, in store: some ItemStorage
    ) throws -> ItemRead {
        if request.readsStoredItem {
            return storedRead(request, tableName: table.name, try store.fetchStored(key))
        }
        let readKind = CapacityUnits.ReadKind(consistent: request.consistentRead)
        let entry = try store.fetchEntry(key)
        let capacity = ConsumedCapacity.read(table: table.name, index: nil, bytes: entry?.size ?? 0, readKind)
        guard let item = entry?.item, let projection = request.projection else {
            return ItemRead(item: entry?.item, consumedCapacity: capacity)
        }
        return ItemRead(item: projection.apply(to: item), consumedCapacity: capacity)
    }

    /// The read of an item as stored (`GetItemRequest.readsStoredItem`), from its bytes and size.
    private static func storedRead(
        _ request: GetItemRequest, tableName: String, _ stored: (items: StoredItems, size: Int)?
    ) -> ItemRead {
        ItemRead(
            storedItem: stored?.items,
            consumedCapacity: .read(
                table: tableName, index: nil, bytes: stored?.size ?? 0,
                CapacityUnits.ReadKind(consistent: request.consistentRead)))
    }
}
