/// One mutation after it went through the pipeline: the plan and what committing it cost.
struct AppliedChange: Sendable {
    var planned: PlannedChange
    /// The stored item's size before the change, when it was read or measured.
    var oldSize: Int?
    var indexUnits: IndexWriteUnits

    /// The write's capacity: the larger of the old and new sizes, plus each index touched.
    func capacity(table: String) -> ConsumedCapacity {
        .write(table: table, oldSize: oldSize, newSize: planned.capacitySize, indexes: indexUnits)
    }
}

/// The write pipeline for one item, run inside the caller's write transaction: read what the
/// mutation needs of the stored item, plan (`MutationPlanner`, pure), commit (`commit`).
/// Every item mutation goes this way: PutItem, UpdateItem, DeleteItem, BatchWriteItem,
/// TransactWriteItems (each action in turn) and the TTL sweeper.
extension ItemStorage {
    /// - Parameter measuresCapacity: when the stored item need not be read, still look up its
    ///   size (without decoding it), so that capacity counts the larger of old and new.
    /// - Parameter derivedData: `needsOldItem`, when a caller writing many items asked it once.
    func apply(
        _ mutation: ItemMutation, at key: StorageKey, measuresCapacity: Bool, derivedData: Bool? = nil
    ) throws -> AppliedChange {
        if mutation.needsOldItem(derivedData: derivedData ?? needsOldItem) {
            let entry = try fetchEntry(key)
            return try apply(mutation, at: key, old: entry?.item, oldSize: entry?.size)
        }
        return try apply(mutation, at: key, old: nil, oldSize: measuresCapacity ? try storedSize(key) : nil)
    }

    /// The pipeline with the stored item already read (`old`, of size `oldSize`).
    func apply(_ mutation: ItemMutation, at key: StorageKey, old: Item?, oldSize: Int?) throws -> AppliedChange {
        let planned = try MutationPlanner.plan(mutation, old: old, table: table)
        let units = try commit(planned, at: key, old: old)
        return AppliedChange(planned: planned, oldSize: oldSize, indexUnits: units)
    }
}

extension KVEngine {
    /// PutItem, UpdateItem and DeleteItem after their up-front checks: one mutation through
    /// the pipeline, in its own transaction on the writer, so check and write are atomic.
    /// - Parameters:
    ///   - keyItem: an item holding the key (the put item, or the request's `Key`), for
    ///     `ItemCollectionMetrics`.
    ///   - intent: `.freesSpace` for a deletion, which still runs on a full disk.
    func writeItem(
        _ mutation: ItemMutation, at key: StorageKey, of table: TableDefinition, keyItem: Item,
        measuresCapacity: Bool = false, itemCollectionMetrics: Bool, intent: Database.WriteIntent = .grows
    ) async throws -> WriteResult {
        try await onExistingTable {
            try await storage.write(intent) { connection in
                let store = try self.itemStore(table, connection)
                let applied = try store.apply(mutation, at: key, measuresCapacity: measuresCapacity)
                let metrics =
                    itemCollectionMetrics && !applied.planned.createsNothing
                    ? try store.itemCollectionMetrics(key, item: keyItem) : nil
                return WriteResult(
                    attributes: applied.planned.returned, consumedCapacity: applied.capacity(table: table.name),
                    itemCollection: metrics)
            }
        }
    }
}
