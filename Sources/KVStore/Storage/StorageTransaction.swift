/// The transaction handle a storage body receives: SQLite's `Connection`, or an external
/// backend's transaction. Conforms to the port's protocols by switching, so engine bodies are
/// written once for both.
enum StorageTransaction {
    case sqlite(Connection)
    case external(any ExternalStorageTransaction)

    /// The items of `table` for reading (writes use `KVEngine.itemStore`, which adds the clock
    /// and settings).
    func items(_ table: TableDefinition) throws -> StorageItems {
        try items(
            table,
            context: ItemWriteContext(
                now: WallClock.now(), shardRollover: StreamSettings.defaultShardRollover, origin: .client,
                itemCollectionLimit: EngineConfiguration.defaultItemCollectionLimit))
    }

    func items(_ table: TableDefinition, context: ItemWriteContext) throws -> StorageItems {
        switch self {
        case .sqlite(let connection):
            .sqlite(
                ItemStore(
                    table: table, connection: connection, now: context.now, shardRollover: context.shardRollover,
                    origin: context.origin, itemCollectionLimit: context.itemCollectionLimit))
        case .external(let transaction):
            .external(ExternalItems(base: try transaction.items(of: table, context: context)))
        }
    }
}

extension StorageTransaction: CatalogStorage {
    func migrateStorage() throws {
        switch self {
        case .sqlite(let connection): try connection.migrateStorage()
        case .external(let transaction): try transaction.migrateStorage()
        }
    }

    func loadTableDefinitions() throws -> [TableDefinition] {
        switch self {
        case .sqlite(let connection): return try connection.loadTableDefinitions()
        case .external(let transaction): return try transaction.loadTableDefinitions()
        }
    }

    func tableDefinition(named name: String) throws -> TableDefinition? {
        switch self {
        case .sqlite(let connection): return try connection.tableDefinition(named: name)
        case .external(let transaction): return try transaction.tableDefinition(named: name)
        }
    }

    func nextStorageID() throws -> Int64 {
        switch self {
        case .sqlite(let connection): return try connection.nextStorageID()
        case .external(let transaction): return try transaction.nextStorageID()
        }
    }

    func createTable(_ definition: TableDefinition) throws -> Bool {
        switch self {
        case .sqlite(let connection): return try connection.createTable(definition)
        case .external(let transaction): return try transaction.createTable(definition)
        }
    }

    func saveTableDefinition(_ definition: TableDefinition) throws {
        switch self {
        case .sqlite(let connection): try connection.saveTableDefinition(definition)
        case .external(let transaction): try transaction.saveTableDefinition(definition)
        }
    }

    func deleteTable(_ definition: TableDefinition) throws -> Bool {
        switch self {
        case .sqlite(let connection): return try connection.deleteTable(definition)
        case .external(let transaction): return try transaction.deleteTable(definition)
        }
    }

    func createIndexStorage(_ index: IndexDefinition, of table: TableDefinition) throws {
        switch self {
        case .sqlite(let connection): try connection.createIndexStorage(index, of: table)
        case .external(let transaction): try transaction.createIndexStorage(index, of: table)
        }
    }

    func dropIndexStorage(_ index: IndexDefinition, of table: TableDefinition) throws {
        switch self {
        case .sqlite(let connection): try connection.dropIndexStorage(index, of: table)
        case .external(let transaction): try transaction.dropIndexStorage(index, of: table)
        }
    }

    func createExpiryIndex(of table: TableDefinition) throws {
        switch self {
        case .sqlite(let connection): try connection.createExpiryIndex(of: table)
        case .external(let transaction): try transaction.createExpiryIndex(of: table)
        }
    }

    func dropExpiryIndex(of table: TableDefinition) throws {
        switch self {
        case .sqlite(let connection): try connection.dropExpiryIndex(of: table)
        case .external(let transaction): try transaction.dropExpiryIndex(of: table)
        }
    }

    func storedUsage(of table: TableDefinition, index: IndexDefinition?) throws -> StoredUsage {
        switch self {
        case .sqlite(let connection): return try connection.storedUsage(of: table, index: index)
        case .external(let transaction): return try transaction.storedUsage(of: table, index: index)
        }
    }
}

extension StorageTransaction: StreamStorage {
    func appendStreamRecord(_ record: NewStreamRecord, now: Double, rollover: Double) throws {
        switch self {
        case .sqlite(let connection): try connection.appendStreamRecord(record, now: now, rollover: rollover)
        case .external(let transaction): try transaction.appendStreamRecord(record, now: now, rollover: rollover)
        }
    }

    @discardableResult
    func openStreamShard(streamID: Int64, parent: Int64?, now: Double) throws -> Int64 {
        switch self {
        case .sqlite(let connection): return try connection.openStreamShard(streamID: streamID, parent: parent, now: now)
        case .external(let transaction): return try transaction.openStreamShard(streamID: streamID, parent: parent, now: now)
        }
    }

    func closeOpenStreamShards(streamID: Int64, now: Double) throws {
        switch self {
        case .sqlite(let connection): try connection.closeOpenStreamShards(streamID: streamID, now: now)
        case .external(let transaction): try transaction.closeOpenStreamShards(streamID: streamID, now: now)
        }
    }

    func dropStreams(_ streamIDs: [Int64]) throws {
        switch self {
        case .sqlite(let connection): try connection.dropStreams(streamIDs)
        case .external(let transaction): try transaction.dropStreams(streamIDs)
        }
    }

    func nextStreamID() throws -> Int64 {
        switch self {
        case .sqlite(let connection): return try connection.nextStreamID()
        case .external(let transaction): return try transaction.nextStreamID()
        }
    }

    func streamShards(streamID: Int64, after shard: Int64) throws -> [StoredShard] {
        switch self {
        case .sqlite(let connection): return try connection.streamShards(streamID: streamID, after: shard)
        case .external(let transaction): return try transaction.streamShards(streamID: streamID, after: shard)
        }
    }

    func streamShard(streamID: Int64, shard: Int64) throws -> StoredShard? {
        switch self {
        case .sqlite(let connection): return try connection.streamShard(streamID: streamID, shard: shard)
        case .external(let transaction): return try transaction.streamShard(streamID: streamID, shard: shard)
        }
    }

    func lastStreamSequence() throws -> Int64 {
        switch self {
        case .sqlite(let connection): return try connection.lastStreamSequence()
        case .external(let transaction): return try transaction.lastStreamSequence()
        }
    }

    func lastStreamSequence(streamID: Int64, shard: Int64) throws -> Int64 {
        switch self {
        case .sqlite(let connection): return try connection.lastStreamSequence(streamID: streamID, shard: shard)
        case .external(let transaction): return try transaction.lastStreamSequence(streamID: streamID, shard: shard)
        }
    }

    func streamRecords(streamID: Int64, shard: Int64, after sequence: Int64, limit: Int, maxBytes: Int) throws -> [StoredStreamRecord] {
        switch self {
        case .sqlite(let connection): return try connection.streamRecords(streamID: streamID, shard: shard, after: sequence, limit: limit, maxBytes: maxBytes)
        case .external(let transaction): return try transaction.streamRecords(streamID: streamID, shard: shard, after: sequence, limit: limit, maxBytes: maxBytes)
        }
    }

    func newestStreamRecordMillis(streamID: Int64, shard: Int64) throws -> Int64? {
        switch self {
        case .sqlite(let connection): return try connection.newestStreamRecordMillis(streamID: streamID, shard: shard)
        case .external(let transaction): return try transaction.newestStreamRecordMillis(streamID: streamID, shard: shard)
        }
    }

    func trimStreamRecords(createdBeforeMillis cutoffMillis: Int64, limit: Int) throws -> Int {
        switch self {
        case .sqlite(let connection): return try connection.trimStreamRecords(createdBeforeMillis: cutoffMillis, limit: limit)
        case .external(let transaction): return try transaction.trimStreamRecords(createdBeforeMillis: cutoffMillis, limit: limit)
        }
    }

    func dropDrainedStreamShards(closedBeforeMillis cutoffMillis: Int64) throws {
        switch self {
        case .sqlite(let connection): try connection.dropDrainedStreamShards(closedBeforeMillis: cutoffMillis)
        case .external(let transaction): try transaction.dropDrainedStreamShards(closedBeforeMillis: cutoffMillis)
        }
    }

    func streamHasShards(streamID: Int64) throws -> Bool {
        switch self {
        case .sqlite(let connection): return try connection.streamHasShards(streamID: streamID)
        case .external(let transaction): return try transaction.streamHasShards(streamID: streamID)
        }
    }
}

extension StorageTransaction: TriggerStorage {
    func prepareTriggerStorage() throws {
        switch self {
        case .sqlite(let connection): try connection.prepareTriggerStorage()
        case .external(let transaction): try transaction.prepareTriggerStorage()
        }
    }

    func triggerMappings() throws -> [EventSourceMapping] {
        switch self {
        case .sqlite(let connection): return try connection.triggerMappings()
        case .external(let transaction): return try transaction.triggerMappings()
        }
    }

    func saveTriggerMapping(_ mapping: EventSourceMapping) throws {
        switch self {
        case .sqlite(let connection): try connection.saveTriggerMapping(mapping)
        case .external(let transaction): try transaction.saveTriggerMapping(mapping)
        }
    }

    func checkpointTriggerAtStreamEnd(uuid: String, streamID: Int64) throws {
        switch self {
        case .sqlite(let connection): try connection.checkpointTriggerAtStreamEnd(uuid: uuid, streamID: streamID)
        case .external(let transaction): try transaction.checkpointTriggerAtStreamEnd(uuid: uuid, streamID: streamID)
        }
    }

    func deleteTriggerMapping(uuid: String) throws {
        switch self {
        case .sqlite(let connection): try connection.deleteTriggerMapping(uuid: uuid)
        case .external(let transaction): try transaction.deleteTriggerMapping(uuid: uuid)
        }
    }

    func triggerCheckpoints(uuid: String, streamID: Int64) throws -> [Int64: TriggerCheckpoint] {
        switch self {
        case .sqlite(let connection): return try connection.triggerCheckpoints(uuid: uuid, streamID: streamID)
        case .external(let transaction): return try transaction.triggerCheckpoints(uuid: uuid, streamID: streamID)
        }
    }

    func saveTriggerCheckpoint(uuid: String, streamID: Int64, shard: Int64, _ checkpoint: TriggerCheckpoint) throws {
        switch self {
        case .sqlite(let connection): try connection.saveTriggerCheckpoint(uuid: uuid, streamID: streamID, shard: shard, checkpoint)
        case .external(let transaction): try transaction.saveTriggerCheckpoint(uuid: uuid, streamID: streamID, shard: shard, checkpoint)
        }
    }
}

extension StorageTransaction: TransactionTokenStorage {
    func purgeTransactionTokens(recordedBefore seconds: Int64) throws {
        switch self {
        case .sqlite(let connection): try connection.purgeTransactionTokens(recordedBefore: seconds)
        case .external(let transaction): try transaction.purgeTransactionTokens(recordedBefore: seconds)
        }
    }

    func transactionTokenFingerprint(_ token: String) throws -> String? {
        switch self {
        case .sqlite(let connection): return try connection.transactionTokenFingerprint(token)
        case .external(let transaction): return try transaction.transactionTokenFingerprint(token)
        }
    }

    func recordTransactionToken(_ token: String, fingerprint: String, at seconds: Int64) throws {
        switch self {
        case .sqlite(let connection): try connection.recordTransactionToken(token, fingerprint: fingerprint, at: seconds)
        case .external(let transaction): try transaction.recordTransactionToken(token, fingerprint: fingerprint, at: seconds)
        }
    }
}

extension StorageTransaction: ExpiryIndexStorage {
    func expiredItemKeys(of table: TableDefinition, in range: ClosedRange<Int64>, limit: Int) throws -> [StorageKey] {
        switch self {
        case .sqlite(let connection): return try connection.expiredItemKeys(of: table, in: range, limit: limit)
        case .external(let transaction): return try transaction.expiredItemKeys(of: table, in: range, limit: limit)
        }
    }
}

extension StorageTransaction: ChangeLogStorage {
    func createChangeLog(of table: TableDefinition) throws {
        switch self {
        case .sqlite(let connection): try connection.createChangeLog(of: table)
        case .external(let transaction): try transaction.createChangeLog(of: table)
        }
    }

    func dropChangeLog(of table: TableDefinition) throws {
        switch self {
        case .sqlite(let connection): try connection.dropChangeLog(of: table)
        case .external(let transaction): try transaction.dropChangeLog(of: table)
        }
    }

    func appendChangeLog(of table: TableDefinition, key: StorageKey, old: Item?, atMillis millis: Int64) throws {
        switch self {
        case .sqlite(let connection): try connection.appendChangeLog(of: table, key: key, old: old, atMillis: millis)
        case .external(let transaction): try transaction.appendChangeLog(of: table, key: key, old: old, atMillis: millis)
        }
    }

    func trimChangeLog(of table: TableDefinition, beforeMillis millis: Int64) throws {
        switch self {
        case .sqlite(let connection): try connection.trimChangeLog(of: table, beforeMillis: millis)
        case .external(let transaction): try transaction.trimChangeLog(of: table, beforeMillis: millis)
        }
    }

    func changeLogState(of table: TableDefinition, atMillis millis: Int64) throws -> [StorageKey: [UInt8]?] {
        switch self {
        case .sqlite(let connection): return try connection.changeLogState(of: table, atMillis: millis)
        case .external(let transaction): return try transaction.changeLogState(of: table, atMillis: millis)
        }
    }

    func changedKeys(of table: TableDefinition, afterMillis fromMillis: Int64, upToMillis toMillis: Int64) throws -> [(key: StorageKey, atMillis: Int64)] {
        switch self {
        case .sqlite(let connection): return try connection.changedKeys(of: table, afterMillis: fromMillis, upToMillis: toMillis)
        case .external(let transaction): return try transaction.changedKeys(of: table, afterMillis: fromMillis, upToMillis: toMillis)
        }
    }
}

extension StorageTransaction: SnapshotStorage {
    func forEachEncodedItem(of table: TableDefinition, _ body: (StorageKey, Int, [UInt8]) throws -> Void) throws {
        switch self {
        case .sqlite(let connection): try connection.forEachEncodedItem(of: table, body)
        case .external(let transaction): try Self.forEachEncodedItem(of: table, in: transaction, body)
        }
    }

    /// An external backend's table walk: the range read of a whole-table Scan (every partition
    /// hash), in batches of `ExternalItemRows.maximumBatch` rows, each after the last row of the
    /// one before; all in the caller's transaction (one snapshot on PostgreSQL's reads).
    private static func forEachEncodedItem(
        of table: TableDefinition, in transaction: any ExternalStorageTransaction,
        _ body: (StorageKey, Int, [UInt8]) throws -> Void
    ) throws {
        let items = try transaction.items(
            of: table,
            context: ItemWriteContext(
                now: WallClock.now(), shardRollover: StreamSettings.defaultShardRollover, origin: .client,
                itemCollectionLimit: EngineConfiguration.defaultItemCollectionLimit))
        let (low, high) = KVEngine.hashRange(segment: 0, of: 1)
        var start: RangePosition?
        while true {
            let range = ItemRange(index: nil, span: .hashSlice(low: low, high: high), start: start, order: .ascending)
            let rows = try items.rows(in: range, limit: ExternalItemRows.maximumBatch)
            for row in rows {
                let position = row.position
                try body(StorageKey(hash: position.hash, partition: position.partition, sort: position.sort), row.size, row.item)
            }
            guard rows.count == ExternalItemRows.maximumBatch, let last = rows.last else { return }
            start = last.position
        }
    }
}
