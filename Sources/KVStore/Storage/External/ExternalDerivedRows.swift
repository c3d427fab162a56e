/// What an item change does to the rows derived from it (secondary index rows, the TTL expiry
/// row), computed by KVStore's own rules (`IndexKeys.rowKey`, `IndexDefinition.project`,
/// `ExpiryRowChange`) for an external backend's `commit`, so that the adapter writes rows and
/// never re-derives them. The SQLite adapter (`ItemStore.write`) applies the same rules.
public enum ExternalDerivedRows {
    /// One secondary index row's key in KVStore's byte form.
    public struct IndexRow: Sendable, Hashable {
        public var hash: Int64
        public var partition: [UInt8]
        public var sort: [UInt8]
        public var tablePartition: [UInt8]
        public var tableSort: [UInt8]
    }

    /// The change of one index's row for one item.
    public struct IndexChange: Sendable {
        public var index: IndexDefinition
        /// The row to delete (the item left the index, or its index key changed).
        public var removed: IndexRow?
        /// The row to write, with its projection (encoded) and the projection's DynamoDB size.
        public var added: (row: IndexRow, item: [UInt8], size: Int)?
        /// What the change costs the index, for `ConsumedCapacity`.
        public var units: CapacityUnits.IndexChange
    }

    /// The index row changes of an item going from `old` to `new` (nil: absent), for every
    /// index of `table` not being deleted: global then local, the order of `table.indexes`.
    public static func indexChanges(of table: TableDefinition, key: StorageKey, old: Item?, new: Item?) -> [IndexChange] {
        var changes: [IndexChange] = []
        for index in table.globalIndexes + table.localIndexes where index.status != .deleting {
            changes.append(indexChange(index, of: table, key: key, old: old, new: new))
        }
        return changes
    }

    /// The change of `index`'s row (the same rules and capacity as `ItemStore.updateIndex`).
    public static func indexChange(
        _ index: IndexDefinition, of table: TableDefinition, key: StorageKey, old: Item?, new: Item?
    ) -> IndexChange {
        let oldRow = old.flatMap { IndexKeys.rowKey(of: $0, in: index, tableKey: key) }
        let newRow = new.flatMap { IndexKeys.rowKey(of: $0, in: index, tableKey: key) }
        var change = IndexChange(index: index, removed: nil, added: nil, units: .untouched)
        if let oldRow, oldRow != newRow { change.removed = IndexRow(oldRow) }
        var newEntry: (item: Item, size: Int)?
        if let newRow, let new {
            let projected = index.project(new, tableKey: table.keySchema)
            let size = ItemSize.of(projected)
            newEntry = (projected, size)
            change.added = (IndexRow(newRow), ItemCodec.encode(projected, sizeHint: size), size)
        }
        let oldEntry = oldRow == nil ? nil : old.map { index.project($0, tableKey: table.keySchema) }
        switch (oldEntry, newEntry) {
        case (nil, nil): change.units = .untouched
        case (let oldEntry?, nil): change.units = .delete(ItemSize.of(oldEntry))
        case (nil, let newEntry?): change.units = .put(newEntry.size)
        case (let oldEntry?, let newEntry?):
            if oldRow != newRow {
                change.units = .move(old: ItemSize.of(oldEntry), new: newEntry.size)
            } else {
                change.units = oldEntry == newEntry.item ? .untouched : .update(old: ItemSize.of(oldEntry), new: newEntry.size)
            }
        }
        return change
    }

    /// The item's TTL expiry second before and after the change, or nil when the expiry index
    /// keeps its row (no TTL on the table, same expiry, or none before and after).
    public static func expiryChange(of table: TableDefinition, old: Item?, new: Item?) -> (removed: Int64?, added: Int64?)? {
        guard let attribute = table.ttlAttribute,
            let change = ExpiryRowChange.between(old: old, new: new, attribute: attribute)
        else { return nil }
        return (change.removed, change.added)
    }

    /// The stream record of an item going from `old` to `new` (nil: absent) when `table` has an
    /// active stream and the item changed (the rule of `ItemStore.write`), with the images its
    /// view type keeps and the service identity for TTL deletions; the adapter appends it
    /// through its `StreamStorage.appendStreamRecord`.
    public static func streamRecord(
        of table: TableDefinition, old: Item?, new: Item?, origin: WriteOrigin
    ) -> NewStreamRecord? {
        guard let stream = table.activeStream, old != new else { return nil }
        let keys = KeyValidator.keyAttributes(of: new ?? old ?? [:], schema: table.keySchema)
        return StreamLog.record(of: stream, keys: keys, old: old, new: new, byService: origin == .timeToLive)
    }

    /// The expiry second of a stored item under `attribute` (TTL backfill), or nil.
    public static func expiry(of item: Item, attribute: String) -> Int64? {
        ExpiryRules.expiry(of: item, attribute: attribute)
    }
}

extension ExternalDerivedRows.IndexRow {
    init(_ key: IndexRowKey) {
        self.init(
            hash: key.hash, partition: key.partition, sort: key.sort, tablePartition: key.tablePartition,
            tableSort: key.tableSort)
    }
}
