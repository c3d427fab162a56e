/// The storage port of a table's TTL expiry index (see `StoragePort`): every item whose TTL
/// attribute is a Number, by its expiry second, so a sweep reads only what has expired.
///
/// The index exists while TTL is enabled (`CatalogStorage.createExpiryIndex`); its rows are
/// written with the items, by the item write path.
public protocol ExpiryIndexStorage {
    /// The keys of up to `limit` items whose expiry second is within `range`, earliest first.
    func expiredItemKeys(of table: TableDefinition, in range: ClosedRange<Int64>, limit: Int) throws -> [StorageKey]
}
