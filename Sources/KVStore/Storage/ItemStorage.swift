/// The item part of the storage port: what the engine needs of a backend's rows for one
/// table's items, inside one transaction (for writes, the writer's). `ItemStore` is the SQLite
/// adapter. The write pipeline (`Writes/WritePipeline.swift`) is generic over this protocol, so
/// its calls stay statically dispatched: no existential per request.
public protocol ItemStorage {
    /// The table as of this transaction.
    var table: TableDefinition { get }

    /// Point read: the stored item and its DynamoDB size, or nil when absent.
    func fetchEntry(_ key: StorageKey) throws -> (item: Item, size: Int)?

    /// The DynamoDB size of the stored item without decoding it, or nil when absent.
    func storedSize(_ key: StorageKey) throws -> Int?

    /// Range read in key order: calls `body` for at most `limit` items after `position`
    /// (exclusive; from the first when nil), ascending or descending. Returns the last key when
    /// `limit` items were read (where the next range read starts), nil when the range is done.
    func forEachItem(
        after position: StorageKey?, order: KeyOrder, limit: Int, _ body: (StorageKey, Item) throws -> Void
    ) throws -> StorageKey?

    /// Whether `commit` needs the stored item to keep derived data (indexes, stream, TTL,
    /// point-in-time history) right.
    var needsOldItem: Bool { get }

    /// Transactional commit of one item's change set: the item (put or deleted) with its index
    /// rows, TTL expiry row, stream record and point-in-time history, all in the caller's
    /// transaction, so that they never disagree. `old` is the stored item when `needsOldItem`.
    /// - Returns: the write units each index spent, for `ConsumedCapacity`.
    func commit(_ change: PlannedChange, at key: StorageKey, old: Item?) throws -> IndexWriteUnits

    /// The size of the item collection of `key`'s partition (the item rows and local index rows
    /// sharing its partition key), for `ItemCollectionMetrics`; nil when the table has no local
    /// secondary index (DynamoDB then reports none).
    func itemCollectionMetrics(_ key: StorageKey, item: Item) throws -> ItemCollectionMetrics?

    /// Index maintenance outside a write: adds the row of the stored `item` at `key` to `index`
    /// (a global index being backfilled; a no-op when the item has no key for it).
    func backfillIndex(_ index: IndexDefinition, key: StorageKey, item: Item) throws

    /// TTL maintenance outside a write: records the stored `item`'s expiry under `attribute`
    /// (TTL just enabled on a table with items; a no-op when the item has no valid expiry).
    func backfillExpiry(_ key: StorageKey, item: Item, attribute: String) throws
}

/// The direction of a range read.
public enum KeyOrder: Sendable {
    case ascending
    case descending
}
