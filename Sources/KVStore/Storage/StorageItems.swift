/// An external backend's item storage, as a concrete `ItemStorage` (an existential does not
/// conform to its own protocol).
struct ExternalItems: ItemStorage {
    let base: any ExternalItemStorage
    /// At most this many rows a range read will walk (a Query or Scan's `Limit`; nil: up to
    /// the 1 MB page): its batches ask for no more (`ExternalItemRows`).
    var rowLimit: Int? = nil

    var table: TableDefinition { base.table }
    var needsOldItem: Bool { base.needsOldItem }

    func fetchEntry(_ key: StorageKey) throws -> (item: Item, size: Int)? { try base.fetchEntry(key) }
    func storedSize(_ key: StorageKey) throws -> Int? { try base.storedSize(key) }

    func forEachItem(
        after position: StorageKey?, order: KeyOrder, limit: Int, _ body: (StorageKey, Item) throws -> Void
    ) throws -> StorageKey? {
        try base.forEachItem(after: position, order: order, limit: limit, body)
    }

    func commit(_ change: PlannedChange, at key: StorageKey, old: Item?) throws -> IndexWriteUnits {
        try base.commit(change, at: key, old: old)
    }

    func itemCollectionMetrics(_ key: StorageKey, item: Item) throws -> ItemCollectionMetrics? {
        try base.itemCollectionMetrics(key, item: item)
    }

    func backfillIndex(_ index: IndexDefinition, key: StorageKey, item: Item) throws {
        try base.backfillIndex(index, key: key, item: item)
    }

    func backfillExpiry(_ key: StorageKey, item: Item, attribute: String) throws {
        try base.backfillExpiry(key, item: item, attribute: attribute)
    }

    func fetchStored(_ key: StorageKey) throws -> (items: StoredItems, size: Int)? {
        try base.fetchStored(key)
    }
}

/// One table's item storage in a transaction: SQLite's `ItemStore` or an external backend's.
/// The write pipeline (`ItemStorage.apply`) is specialized for this enum; on SQLite each port
/// call is a switch and a direct call.
enum StorageItems: ItemStorage {
    case sqlite(ItemStore)
    case external(ExternalItems)

    var table: TableDefinition {
        switch self {
        case .sqlite(let store): store.table
        case .external(let store): store.table
        }
    }

    var needsOldItem: Bool {
        switch self {
        case .sqlite(let store): store.needsOldItem
        case .external(let store): store.needsOldItem
        }
    }

    @inline(__always)
    func fetchEntry(_ key: StorageKey) throws -> (item: Item, size: Int)? {
        switch self {
        case .sqlite(let store): try store.fetchEntry(key)
        case .external(let store): try store.fetchEntry(key)
        }
    }

    func fetch(_ key: StorageKey) throws -> Item? {
        try fetchEntry(key)?.item
    }

    @inline(__always)
    func storedSize(_ key: StorageKey) throws -> Int? {
        switch self {
        case .sqlite(let store): try store.storedSize(key)
        case .external(let store): try store.storedSize(key)
        }
    }

    func forEachItem(
        after position: StorageKey?, order: KeyOrder = .ascending, limit: Int,
        _ body: (StorageKey, Item) throws -> Void
    ) throws -> StorageKey? {
        switch self {
        case .sqlite(let store): try store.forEachItem(after: position, order: order, limit: limit, body)
        case .external(let store): try store.forEachItem(after: position, order: order, limit: limit, body)
        }
    }

    @inline(__always)
    func commit(_ change: PlannedChange, at key: StorageKey, old: Item?) throws -> IndexWriteUnits {
        switch self {
        case .sqlite(let store): try store.commit(change, at: key, old: old)
        case .external(let store): try store.commit(change, at: key, old: old)
        }
    }

    func itemCollectionMetrics(_ key: StorageKey, item: Item) throws -> ItemCollectionMetrics? {
        switch self {
        case .sqlite(let store): try store.itemCollectionMetrics(key, item: item)
        case .external(let store): try store.itemCollectionMetrics(key, item: item)
        }
    }

    func backfillIndex(_ index: IndexDefinition, key: StorageKey, item: Item) throws {
        switch self {
        case .sqlite(let store): try store.backfillIndex(index, key: key, item: item)
        case .external(let store): try store.backfillIndex(index, key: key, item: item)
        }
    }

    func backfillExpiry(_ key: StorageKey, item: Item, attribute: String) throws {
        switch self {
        case .sqlite(let store): try store.backfillExpiry(key, item: item, attribute: attribute)
        case .external(let store): try store.backfillExpiry(key, item: item, attribute: attribute)
        }
    }

    /// The stored item's bytes, undecoded, and its size (GetItem's answer as stored). An
    /// external backend's item is read and encoded again.
    func fetchStored(_ key: StorageKey) throws -> (items: StoredItems, size: Int)? {
        switch self {
        case .sqlite(let store):
            return try store.fetchStored(key)
        case .external(let store):
            return try store.base.fetchStored(key)
        }
    }

    /// A whole item with derived rows, without the write pipeline's planning (restores and
    /// imports): on an external backend, the commit step of the write pipeline with the item
    /// as its change (index, expiry, stream and change-log rows as for any write).
    @discardableResult
    func write(_ key: StorageKey, old: Item?, new: Item?, newSize: Int, encodedNew: [UInt8]? = nil) throws -> IndexWriteUnits {
        switch self {
        case .sqlite(let store):
            return try store.write(key, old: old, new: new, newSize: newSize, encodedNew: encodedNew)
        case .external(let store):
            let effect: PlannedChange.Effect = new.map { .put($0, size: newSize, encoded: encodedNew) } ?? .delete
            return try store.commit(
                PlannedChange(effect: effect, returned: nil, capacitySize: new == nil ? nil : newSize), at: key, old: old)
        }
    }
}
