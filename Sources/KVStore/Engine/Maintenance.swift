import Logging

/// The engine's background work, run by `runMaintenance()` until its task is cancelled:
/// TTL expiry (deleting expired items through the normal write path, in bounded batches so
/// writers never wait long), filling new expiry indexes, and trimming stream records past retention.
extension KVEngine {
    static let maintenanceBatchSize = 100
    /// Stream records trimmed per transaction.
    static let streamTrimBatchSize = 1000

    /// Loops until cancelled, one pass every `ttlInterval` seconds.
    public func runMaintenance() async {
        while !Task.isCancelled {
            do {
                try await maintenancePass()
            } catch {
                logger.warning("kv.maintenance.failed", metadata: ["error.type": "\(String(reflecting: type(of: error)))"])
            }
            try? await Task.sleep(for: .milliseconds(Int(configuration.ttlInterval * 1000)))
        }
    }

    /// One pass of every maintenance job. Over a shared database (`catalogIsShared`) each
    /// singleton duty runs only on the process holding it (`SingletonDuty`), which first re-reads
    /// the catalog: tables made or changed through other nodes are in its cache only then.
    func maintenancePass() async throws {
        _ = await storage.sqliteDatabase?.recoverSpaceIfFull()
        var catalogCurrent = !catalogIsShared
        try await storage.singleton(.timeToLive) {
            if !catalogCurrent { catalogCurrent = await refreshedCatalog() }
            for name in catalog.allNames() {
                guard let table = catalog.table(named: name), let ttl = table.timeToLive, ttl.enabled else { continue }
                if !ttl.indexed {
                    try await indexExpiries(of: table)
                }
                try await deleteExpiredItems(of: table)
            }
        }
        try await storage.singleton(.streamTrimming) {
            if !catalogCurrent { catalogCurrent = await refreshedCatalog() }
            try await trimStreams()
            // Point-in-time recovery's history past each table's recovery period: the same
            // kind of trimming, on one node.
            try await trimChangeLogs()
        }
        if catalogIsShared {
            startSharedBackfills(catalogCurrent: catalogCurrent)
            try await storage.maintainBackend()
        }
    }

    /// Re-reads the catalog (a shared one); true once done.
    private func refreshedCatalog() async -> Bool {
        await refreshCatalog()
        return true
    }

    /// Fills a new expiry index from the table's items, a batch per transaction.
    func indexExpiries(of table: TableDefinition) async throws {
        var position: StorageKey?
        while true {
            let after = position
            let last: StorageKey? = try await storage.write { connection in
                let current = try self.catalog.current(table)
                guard let attribute = current.ttlAttribute else { return nil }
                let store = try connection.items(current)
                return try store.forEachItem(after: after, limit: Self.maintenanceBatchSize * 2) { key, item in
                    try store.backfillExpiry(key, item: item, attribute: attribute)
                }
            }
            guard let last else { break }
            position = last
        }
        try await storage.write { connection in
            var current = try self.catalog.current(table)
            guard current.timeToLive?.enabled == true else { return }
            current.timeToLive?.indexed = true
            try connection.saveTableDefinition(current)
            self.catalog.put(current)
        }
    }

    /// Deletes items whose TTL has passed (and is not more than five years old), through the normal
    /// write path: index rows go, and the stream gets a REMOVE record with the service identity.
    func deleteExpiredItems(of table: TableDefinition) async throws {
        while true {
            let range = ExpiryRules.sweepRange(now: now())
            let deleted = try await storage.write(.freesSpace) { connection in
                let current = try self.catalog.current(table)
                guard let attribute = current.ttlAttribute else { return (selected: 0, removed: 0) }
                let keys = try connection.expiredItemKeys(of: current, in: range, limit: Self.maintenanceBatchSize)
                let store = try self.itemStore(current, connection, origin: .timeToLive)
                var removed = 0
                for key in keys {
                    guard let entry = try store.fetchEntry(key),
                        let expiry = ExpiryRules.expiry(of: entry.item, attribute: attribute), range.contains(expiry)
                    else { continue }
                    _ = try store.apply(ItemMutation(.delete), at: key, old: entry.item, oldSize: entry.size)
                    removed += 1
                }
                return (selected: keys.count, removed: removed)
            }
            if deleted.removed > 0 {
                configuration.observers.timeToLiveDeleted?(table.name, deleted.removed)
            }
            if deleted.selected < Self.maintenanceBatchSize { break }
        }
    }

    /// Drops stream records older than the retention period, then shards and disabled streams left empty.
    func trimStreams() async throws {
        let cutoff = Int64(((now() - configuration.streams.retention) * 1000).rounded())
        while true {
            let trimmed = try await storage.write(.freesSpace) { connection in
                try connection.trimStreamRecords(createdBeforeMillis: cutoff, limit: Self.streamTrimBatchSize)
            }
            if trimmed < Self.streamTrimBatchSize { break }
        }
        try await dropExpiredShards(cutoff: cutoff)
    }

    /// Closed shards whose records are all gone and that closed before the retention cutoff
    /// disappear; so do disabled streams with no shard left.
    private func dropExpiredShards(cutoff: Int64) async throws {
        let catalog = self.catalog
        let shared = catalogIsShared
        try await storage.write(.freesSpace) { connection in
            try connection.dropDrainedStreamShards(closedBeforeMillis: cutoff)
            for name in catalog.allNames() {
                guard var table = catalog.table(named: name), table.streams.contains(where: { !$0.enabled }) else { continue }
                var kept: [StreamDefinition] = []
                for stream in table.streams {
                    if stream.enabled {
                        kept.append(stream)
                        continue
                    }
                    if try connection.streamHasShards(streamID: stream.id) { kept.append(stream) }
                }
                if kept.count != table.streams.count {
                    if shared {
                        // Another node may have changed the table since this one cached it:
                        // drop the streams from the stored definition, not from a stale copy.
                        guard var stored = try connection.tableDefinition(named: name), stored.storageID == table.storageID
                        else { continue }
                        let gone = Set(table.streams.map(\.id)).subtracting(kept.map(\.id))
                        stored.streams.removeAll { gone.contains($0.id) }
                        table = stored
                    } else {
                        table.streams = kept
                    }
                    try connection.saveTableDefinition(table)
                    catalog.put(table)
                }
            }
        }
    }
}
