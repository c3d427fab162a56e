import Logging

/// The engine's background work, run by `runMaintenance()` until its task is cancelled:
/// TTL expiry (deleting expired items through the normal write path, in bounded batches so
/// writers never wait long), filling new expiry indexes, and trimming stream records past retention.
extension KVEngine {
    static let maintenanceBatchSize = 100

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

    /// One pass of every maintenance job.
    func maintenancePass() async throws {
        await database.recoverSpaceIfFull()
        for name in catalog.allNames() {
            guard let table = catalog.table(named: name), let ttl = table.timeToLive, ttl.enabled else { continue }
            if !ttl.indexed {
                try await indexExpiries(of: table)
            }
            try await deleteExpiredItems(of: table)
        }
        try await trimStreams()
        try await trimChangeLogs()
    }

    /// Fills a new expiry index from the table's items, a batch per transaction.
    func indexExpiries(of table: TableDefinition) async throws {
        var position: StorageKey?
        while true {
            let after = position
            let last: StorageKey? = try await database.write { connection in
                let current = try self.catalog.current(table)
                guard let attribute = current.ttlAttribute else { return nil }
                let store = ItemStore(table: current, connection: connection)
                return try store.forEachItem(after: after, limit: Self.maintenanceBatchSize * 2) { key, item in
                    try store.updateExpiry(key, old: nil, new: item, attribute: attribute)
                }
            }
            guard let last else { break }
            position = last
        }
        try await database.write { connection in
            var current = try self.catalog.current(table)
            guard current.timeToLive?.enabled == true else { return }
            current.timeToLive?.indexed = true
            try Schema.saveDefinition(current, in: connection)
            self.catalog.put(current)
        }
    }

    /// Deletes items whose TTL has passed (and is not more than five years old), through the normal
    /// write path: index rows go, and the stream gets a REMOVE record with the service identity.
    func deleteExpiredItems(of table: TableDefinition) async throws {
        while true {
            let range = ExpiryRules.sweepRange(now: now())
            let deleted = try await database.write(.freesSpace) { connection in
                let current = try self.catalog.current(table)
                guard let attribute = current.ttlAttribute else { return (selected: 0, removed: 0) }
                let select = try connection.statement(
                    "SELECT h, pk, sk FROM \(current.sqlExpiryTableName) WHERE expires >= ? AND expires <= ? ORDER BY expires LIMIT \(Self.maintenanceBatchSize)")
                defer { select.reset() }
                try select.bind(1, range.lowerBound)
                try select.bind(2, range.upperBound)
                var keys: [StorageKey] = []
                while try select.step() {
                    keys.append(StorageKey(hash: select.int64(0), partition: select.blob(1), sort: select.blob(2)))
                }
                select.reset()
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
            let trimmed = try await database.write(.freesSpace) { connection in
                let select = try connection.statement(
                    "SELECT seq, stream_id, shard FROM kv_stream_records WHERE created < ? ORDER BY seq LIMIT 1000")
                defer { select.reset() }
                try select.bind(1, cutoff)
                var newest: [Int64: [Int64: Int64]] = [:]
                var last: Int64 = 0
                var count = 0
                while try select.step() {
                    last = select.int64(0)
                    newest[select.int64(1), default: [:]][select.int64(2)] = last
                    count += 1
                }
                select.reset()
                guard count > 0 else { return 0 }
                let delete = try connection.statement("DELETE FROM kv_stream_records WHERE seq <= ? AND created < ?")
                defer { delete.reset() }
                try delete.bind(1, last)
                try delete.bind(2, cutoff)
                try delete.run()
                let mark = try connection.statement(
                    "UPDATE kv_shards SET trimmed_seq = MAX(trimmed_seq, ?) WHERE stream_id = ? AND shard = ?")
                defer { mark.reset() }
                for (stream, shards) in newest {
                    for (shard, seq) in shards {
                        mark.reset()
                        try mark.bind(1, seq)
                        try mark.bind(2, stream)
                        try mark.bind(3, shard)
                        try mark.run()
                    }
                }
                return count
            }
            if trimmed < 1000 { break }
        }
        try await dropExpiredShards(cutoff: cutoff)
    }

    /// Closed shards whose records are all gone and that closed before the retention cutoff
    /// disappear; so do disabled streams with no shard left.
    private func dropExpiredShards(cutoff: Int64) async throws {
        let catalog = self.catalog
        try await database.write(.freesSpace) { connection in
            let drop = try connection.statement(
                """
                DELETE FROM kv_shards WHERE closed IS NOT NULL AND closed < ? AND NOT EXISTS
                    (SELECT 1 FROM kv_stream_records r WHERE r.stream_id = kv_shards.stream_id AND r.shard = kv_shards.shard)
                """)
            defer { drop.reset() }
            try drop.bind(1, cutoff)
            try drop.run()
            for name in catalog.allNames() {
                guard var table = catalog.table(named: name), table.streams.contains(where: { !$0.enabled }) else { continue }
                var kept: [StreamDefinition] = []
                for stream in table.streams {
                    if stream.enabled {
                        kept.append(stream)
                        continue
                    }
                    let shards = try connection.statement("SELECT 1 FROM kv_shards WHERE stream_id = ? LIMIT 1")
                    defer { shards.reset() }
                    try shards.bind(1, stream.id)
                    if try shards.step() { kept.append(stream) }
                }
                if kept.count != table.streams.count {
                    table.streams = kept
                    try Schema.saveDefinition(table, in: connection)
                    catalog.put(table)
                }
            }
        }
    }
}
