/// One table's or index's stored item count and DynamoDB size (DescribeTable).
public struct StoredUsage: Sendable, Equatable {
    public var itemCount: Int64
    public var sizeBytes: Int64

    public init(itemCount: Int64, sizeBytes: Int64) {
        self.itemCount = itemCount
        self.sizeBytes = sizeBytes
    }
}

/// The storage port of the catalog (see `StoragePort`): the definitions of the tables, and the
/// storage each one has for its items, index rows and TTL expiry index.
///
/// A definition is stored whole (`TableDefinition` is Codable), keyed by table name, with the
/// table's storage id, which is never reused: a table deleted and created again under the same
/// name gets new storage, so a write still in flight for the old one cannot land in the new one.
/// The engine keeps the definitions cached in `Catalog` and updates the cache after these calls.
public protocol CatalogStorage {
    /// Creates or upgrades the storage layout; a no-op on an up-to-date database. Runs outside
    /// any transaction (`Database.exclusive`).
    func migrateStorage() throws

    /// Every table's definition.
    func loadTableDefinitions() throws -> [TableDefinition]

    /// The stored definition of one table, or nil.
    func tableDefinition(named name: String) throws -> TableDefinition?

    /// A storage id never used before.
    func nextStorageID() throws -> Int64

    /// Stores a new table's definition and creates its item and index storage.
    /// - Returns: false, storing nothing, when a table of that name exists.
    func createTable(_ definition: TableDefinition) throws -> Bool

    /// Rewrites the definition of an existing table (same name and storage id).
    func saveTableDefinition(_ definition: TableDefinition) throws

    /// Removes a table's definition and everything stored for it: items, index rows, expiry
    /// index and point-in-time change log. (Its streams are dropped with `StreamStorage.dropStreams`.)
    /// - Returns: false, removing nothing, when no table of that name and storage id exists.
    func deleteTable(_ definition: TableDefinition) throws -> Bool

    /// Creates the (empty) row storage of a new secondary index of `table`.
    func createIndexStorage(_ index: IndexDefinition, of table: TableDefinition) throws

    /// Drops the rows of a deleted secondary index of `table`.
    func dropIndexStorage(_ index: IndexDefinition, of table: TableDefinition) throws

    /// Creates the TTL expiry index of `table` (empty; idempotent).
    func createExpiryIndex(of table: TableDefinition) throws

    /// Drops the TTL expiry index of `table` (idempotent).
    func dropExpiryIndex(of table: TableDefinition) throws

    /// The item count and size of the table (`index` nil) or of one of its indexes.
    func storedUsage(of table: TableDefinition, index: IndexDefinition?) throws -> StoredUsage
}
