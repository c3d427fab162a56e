/// One PutRequest or DeleteRequest of a BatchWriteItem call.
public enum BatchWrite: Sendable {
    /// A whole item, already checked against the 400 KB limit.
    case put(Item)
    /// A `Key`.
    case delete(Item)
}

public struct BatchWriteRequest: Sendable {
    /// Table name and its requests, in request order.
    public var tables: [(name: String, writes: [BatchWrite])]
    /// Look up replaced items' sizes so that capacity counts the larger of old and new.
    public var measuresCapacity: Bool

    public init(tables: [(name: String, writes: [BatchWrite])], measuresCapacity: Bool = false) {
        self.tables = tables
        self.measuresCapacity = measuresCapacity
    }
}

public struct BatchWriteResult: Sendable {
    /// Writes not applied (`UnprocessedItems`); empty: every batch is applied whole.
    public var unprocessed: [(name: String, writes: [BatchWrite])]
    /// One entry per table.
    public var consumedCapacity: [ConsumedCapacity]
}

extension KVEngine {
    public static let maxBatchWrites = 25

    /// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html
    ///
    /// Every table and key is checked first (ResourceNotFound, key schema, index key types,
    /// duplicate keys), then all writes run in one body of the group-commit writer: one
    /// transaction, so a batch is applied whole or not at all and costs one commit.
    /// Items are not conditional, so nothing can fail part-way and `UnprocessedItems` stays empty.
    public func batchWriteItem(_ request: BatchWriteRequest) async throws -> BatchWriteResult {
        var planned: [(table: TableDefinition, writes: [(key: StorageKey, item: Item?, size: Int)])] = []
        for (name, writes) in request.tables {
            let table = try existingTable(name)
            var seen = Set<StorageKey>()
            var keyed: [(key: StorageKey, item: Item?, size: Int)] = []
            for write in writes {
                let key: StorageKey
                switch write {
                case .put(let item):
                    key = try KeyValidator.key(KeyValidator.keyAttributes(of: item, schema: table.keySchema), schema: table.keySchema)
                    try IndexKeys.validate(item, for: table)
                    keyed.append((key, item, ItemSize.of(item)))
                case .delete(let keyItem):
                    key = try KeyValidator.key(keyItem, schema: table.keySchema)
                    keyed.append((key, nil, 0))
                }
                guard seen.insert(key).inserted else {
                    throw KVError.validation("Provided list of item keys contains duplicates")
                }
            }
            planned.append((table, keyed))
        }
        let measures = request.measuresCapacity
        let plan = planned
        let capacity = try await onExistingTable {
            try await database.write { connection in
                var consumed: [ConsumedCapacity] = []
                for (table, writes) in plan {
                    let store = try self.itemStore(table, connection)
                    var total = ConsumedCapacity(tableName: table.name, kind: .write, table: 0)
                    for write in writes {
                        let needsOld = store.needsOldItem || write.item == nil
                        let entry = needsOld ? try store.fetchEntry(write.key) : nil
                        let oldSize = needsOld ? entry?.size : measures ? try store.storedSize(write.key) : nil
                        var units = IndexWriteUnits()
                        if write.item != nil || entry != nil {
                            units = try store.write(write.key, old: entry?.item, new: write.item, newSize: write.size)
                        }
                        total.add(.write(table: table.name, oldSize: oldSize, newSize: write.item == nil ? nil : write.size, indexes: units))
                    }
                    consumed.append(total)
                }
                return consumed
            }
        }
        return BatchWriteResult(unprocessed: [], consumedCapacity: ConsumedCapacity.perTable(capacity))
    }
}
