/// The keys BatchGetItem reads from one table, with that table's read options (`KeysAndAttributes`).
public struct BatchGetTable: Sendable {
    public var tableName: String
    public var keys: [Item]
    public var consistentRead: Bool
    public var projection: ProjectionExpression?

    public init(tableName: String, keys: [Item], consistentRead: Bool = false, projection: ProjectionExpression? = nil) {
        self.tableName = tableName
        self.keys = keys
        self.consistentRead = consistentRead
        self.projection = projection
    }
}

public struct BatchGetResult: Sendable {
    /// Items found, per table (every requested table appears, possibly with no items).
    public var responses: [(tableName: String, items: [Item])]
    /// Keys not read because the response reached 16 MB (`UnprocessedKeys`).
    public var unprocessed: [BatchGetTable]
    /// One entry per table.
    public var consumedCapacity: [ConsumedCapacity]
}

extension KVEngine {
    public static let maxBatchGetKeys = 100
    /// BatchGetItem returns at most 16 MB; the keys after that come back as UnprocessedKeys.
    public static let batchGetResponseLimit = 16 * 1024 * 1024

    /// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchGetItem.html
    ///
    /// All keys are read in one read body, so they see one snapshot. Each item costs its own
    /// read units, rounded up to 4 KB (one block for a key that finds nothing).
    public func batchGetItem(_ tables: [BatchGetTable], responseLimit: Int = KVEngine.batchGetResponseLimit) async throws
        -> BatchGetResult
    {
        var planned: [(table: TableDefinition, request: BatchGetTable, keys: [StorageKey])] = []
        for request in tables {
            let table = try existingTable(request.tableName)
            var seen = Set<StorageKey>()
            var keys: [StorageKey] = []
            for key in request.keys {
                let storageKey = try KeyValidator.key(key, schema: table.keySchema)
                guard seen.insert(storageKey).inserted else {
                    throw KVError.validation("Provided list of item keys contains duplicates")
                }
                keys.append(storageKey)
            }
            planned.append((table, request, keys))
        }
        let plan = planned
        // One snapshot for every table: from a replica only when no table asks for ConsistentRead.
        let consistency: ReadConsistency = tables.contains { $0.consistentRead } ? .strong : .eventual
        return try await onExistingTable {
            try await storage.read(consistency) { connection in
                var result = BatchGetResult(responses: [], unprocessed: [], consumedCapacity: [])
                var responseBytes = 0
                var isFull = false
                for (table, request, keys) in plan {
                    // The concrete store's point read, bound once (a call on `StorageItems` per
                    // key would copy the store each time).
                    let fetchEntry: (StorageKey) throws -> (item: Item, size: Int)?
                    switch try connection.items(table) {
                    case .sqlite(let store): fetchEntry = store.fetchEntry
                    case .external(let store): fetchEntry = store.fetchEntry
                    }
                    let kind = CapacityUnits.ReadKind(consistent: request.consistentRead)
                    var items: [Item] = []
                    var capacity = ConsumedCapacity(tableName: table.name, kind: .read, table: 0)
                    var left: [Item] = []
                    for (position, key) in keys.enumerated() {
                        if isFull {
                            left.append(request.keys[position])
                            continue
                        }
                        let entry = try fetchEntry(key)
                        guard let entry else {
                            capacity.add(.read(table: table.name, index: nil, bytes: 0, kind))
                            continue
                        }
                        let returned = request.projection?.apply(to: entry.item) ?? entry.item
                        let returnedBytes = request.projection == nil ? entry.size : ItemSize.of(returned)
                        // The item that would take the response past the limit, and every key
                        // after it, are left for the client to request again.
                        if responseBytes + returnedBytes > responseLimit {
                            isFull = true
                            left.append(request.keys[position])
                            continue
                        }
                        responseBytes += returnedBytes
                        capacity.add(.read(table: table.name, index: nil, bytes: entry.size, kind))
                        items.append(returned)
                    }
                    result.responses.append((table.name, items))
                    if !left.isEmpty {
                        var unprocessed = request
                        unprocessed.keys = left
                        result.unprocessed.append(unprocessed)
                    }
                    if capacity.total > 0 { result.consumedCapacity.append(capacity) }
                }
                return result
            }
        }
    }
}
