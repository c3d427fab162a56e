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
    ///
    /// Items are encoded while they are checked, on the caller's thread: the single writer
    /// thread serves every connection, so it is left only the SQL.
    public func batchWriteItem(_ request: BatchWriteRequest) async throws -> BatchWriteResult {
        var planned: [(table: TableDefinition, writes: [PreparedBatchWrite])] = []
        planned.reserveCapacity(request.tables.count)
        for (name, writes) in request.tables {
            let table = try existingTable(name)
            var seen = BatchKeySet()
            var prepared: [PreparedBatchWrite] = []
            prepared.reserveCapacity(writes.count)
            for write in writes {
                let key: StorageKey
                switch write {
                case .put(let item):
                    key = try KeyValidator.keyOfBatchPut(item, schema: table.keySchema)
                    try IndexKeys.validate(item, for: table)
                    let size = ItemSize.of(item)
                    prepared.append(
                        PreparedBatchWrite(key: key, item: item, size: size, encoded: ItemCodec.encode(item, sizeHint: size)))
                case .delete(let keyItem):
                    key = try KeyValidator.key(keyItem, schema: table.keySchema)
                    prepared.append(PreparedBatchWrite(key: key, item: nil, size: 0, encoded: nil))
                }
                guard seen.insert(key) else {
                    throw KVError.validation("Provided list of item keys contains duplicates")
                }
            }
            planned.append((table, prepared))
        }
        let measures = request.measuresCapacity
        let plan = planned
        // A batch of deletes only still runs on a full disk: it is how a user frees space.
        let onlyDeletes = plan.allSatisfy { $0.writes.allSatisfy(\.isDeletion) }
        let capacity = try await onExistingTable {
            try await storage.write(onlyDeletes ? .freesSpace : .grows) { connection in
                var consumed: [ConsumedCapacity] = []
                for (table, writes) in plan {
                    let store = try self.itemStore(table, connection)
                    // Not per item: it looks at the table's indexes, stream, TTL and PITR settings.
                    let derivedData = store.needsOldItem
                    var total = ConsumedCapacity(tableName: table.name, kind: .write, table: 0)
                    for write in writes {
                        let applied = try store.apply(
                            write.mutation, at: write.key, measuresCapacity: measures, derivedData: derivedData)
                        total.add(applied.capacity(table: table.name))
                    }
                    consumed.append(total)
                }
                return consumed
            }
        }
        return BatchWriteResult(unprocessed: [], consumedCapacity: ConsumedCapacity.perTable(capacity))
    }
}

/// One write of a batch, checked and prepared (its item encoded) before it reaches the writer.
/// Kept this small, rather than holding an `ItemMutation`, because the writer walks many of
/// them: it makes each one's mutation as it applies it.
struct PreparedBatchWrite: Sendable {
    var key: StorageKey
    /// The item of a put; nil for a delete.
    var item: Item?
    /// `ItemSize` of the item (0 for a delete).
    var size: Int
    /// `ItemCodec.encode(item)`, made outside the writer.
    var encoded: [UInt8]?

    var isDeletion: Bool { item == nil }

    /// A put (with no condition) or a delete, for the write pipeline.
    var mutation: ItemMutation {
        guard let item else { return ItemMutation(.delete) }
        return ItemMutation(.put(item, size: size, encoded: encoded))
    }
}

/// The keys of one table's writes so far, to refuse a duplicate.
///
/// A table's list holds at most 25 writes on the wire, where comparing keys one by one (the
/// partition hash first) is cheaper than hashing each key's bytes into a set. Longer lists
/// (only possible through the engine API) switch to a set, so the check never turns quadratic.
struct BatchKeySet {
    static let linearLimit = 32
    private var keys: [StorageKey] = []
    private var hashed: Set<StorageKey>?

    /// Adds `key`; false when it was already there.
    mutating func insert(_ key: StorageKey) -> Bool {
        if var set = hashed {
            hashed = nil  // the only reference, so inserting does not copy the set
            let inserted = set.insert(key).inserted
            hashed = set
            return inserted
        }
        if keys.contains(key) { return false }
        keys.append(key)
        if keys.count > Self.linearLimit {
            hashed = Set(keys)
            keys = []
        }
        return true
    }
}
