/// The catalog cache when several kvservers share one database (an external backend such as
/// PostgreSQL): a table created, updated or deleted through another node is not in this
/// process's `Catalog` until it is read again from storage. The server re-reads it when a
/// request finds no table (`retryingAfterCatalogMiss`) and before ListTables; an item write
/// on an external backend checks its table against storage in its own transaction (the
/// adapter's business), so it never writes into a table deleted elsewhere.
///
/// Limit (docs/postgres-backend.md): between such re-reads a node may describe a table as it
/// was (DescribeTable of a table updated elsewhere shows its last known definition).
extension KVEngine {
    /// Whether other processes may change the catalog under this one (not with SQLite).
    public var catalogIsShared: Bool { storage.sqliteDatabase == nil }

    /// Re-reads every table definition from storage into the cache.
    /// - Returns: whether anything changed (false on a failed read too).
    @discardableResult
    public func refreshCatalog() async -> Bool {
        guard let definitions = try? await storage.read({ connection in try connection.loadTableDefinitions() }) else {
            return false
        }
        let before = Dictionary(catalog.allNames().compactMap { name in catalog.table(named: name).map { (name, $0) } }) { a, _ in a }
        let after = Dictionary(definitions.map { ($0.name, $0) }) { _, last in last }
        guard before != after else { return false }
        catalog.replaceAll(with: definitions)
        return true
    }

    /// Runs `operation`; on a shared catalog, when it answers ResourceNotFoundException (or
    /// TableNotFoundException), re-reads
    /// the catalog and runs `operation` once more (a table created or
    /// recreated on another node). Safe for writes: ResourceNotFoundException commits nothing.
    public func retryingAfterCatalogMiss<T>(_ operation: () async throws -> T) async throws -> T {
        guard catalogIsShared else { return try await operation() }
        do {
            return try await operation()
        } catch let error as KVError where error.code == .resourceNotFound || error.code == .tableNotFound {
            // TableNotFoundException: the backup operations' answer for a missing table
            // (CreateBackup, UpdateContinuousBackups, RestoreTableToPointInTime, exports), also
            // before anything is written.
            // Retried even when this re-read changed nothing: a concurrent request may have
            // re-read the catalog first, between this one's miss and its re-read.
            await refreshCatalog()
            return try await operation()
        }
    }
}
